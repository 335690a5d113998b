package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;

public class DemoPasswordWarningTest {
    @Test
    public void loopbackOrNot() {
        for (String h : List.of("127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", " 127.0.0.1 ")) {
            assertFalse(h, DemoPasswordWarning.beyondLoopback(h));
        }
        for (String h : List.of("0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "myhost.example", "${http.host}")) {
            assertTrue(h, DemoPasswordWarning.beyondLoopback(h));
        }
    }

    @Test
    public void listeningAddressesPreferPaxWeb8sPropertyThenHttpHostThenWildcard() {
        assertEquals(List.of("0.0.0.0"), DemoPasswordWarning.listeningAddresses(Map.of(), null, null));
        assertEquals(List.of("127.0.0.1"),
                DemoPasswordWarning.listeningAddresses(Map.of(DemoPasswordWarning.HTTP_HOST, "127.0.0.1"), null, null));
        assertEquals(List.of("127.0.0.1", "10.0.0.2"), DemoPasswordWarning.listeningAddresses(
                Map.of(DemoPasswordWarning.LISTENING_ADDRESSES, "127.0.0.1, 10.0.0.2", DemoPasswordWarning.HTTP_HOST, "x"), null, null));
        assertEquals(List.of("127.0.0.1"), DemoPasswordWarning.listeningAddresses(Map.of(), null, "127.0.0.1"));
    }

    @Test
    public void namesTheDemoUsersThatStillLogIn() {
        Authenticator auth = (u, p) -> Set.of("admin", "user").contains(u) && u.equals(p) ? Optional.of(Set.of(u)) : Optional.empty();
        List<String> users = DemoPasswordWarning.demoUsersThatLogIn(auth);
        assertEquals(List.of("admin", "user"), users);
        String text = DemoPasswordWarning.warning(users, List.of("0.0.0.0"), "karaf");
        assertTrue(text, text.contains("admin, user"));
        assertTrue(text, text.contains("etc/users.properties"));
    }
}
