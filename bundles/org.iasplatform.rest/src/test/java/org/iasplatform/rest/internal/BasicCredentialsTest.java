package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class BasicCredentialsTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void parsesUserAndPassword() {
        assertEquals(new BasicCredentials("admin", "admin"), BasicCredentials.parse("Basic " + b64("admin:admin")).orElseThrow());
        assertEquals(new BasicCredentials("u", "p:w:d"), BasicCredentials.parse("basic  " + b64("u:p:w:d") + " ").orElseThrow());
        assertEquals(new BasicCredentials("u", ""), BasicCredentials.parse("BASIC " + b64("u:")).orElseThrow());
        assertEquals(new BasicCredentials("jürgen", "pässwörd"), BasicCredentials.parse("Basic " + b64("jürgen:pässwörd")).orElseThrow());
    }

    @Test
    public void refusesWhatIsNotBasic() {
        assertFalse(BasicCredentials.parse(null).isPresent());
        assertFalse(BasicCredentials.parse("").isPresent());
        assertFalse(BasicCredentials.parse("Basic").isPresent());
        assertFalse(BasicCredentials.parse("Bearer " + b64("a:b")).isPresent());
        assertFalse(BasicCredentials.parse("Basic !!!notbase64").isPresent());
        assertFalse(BasicCredentials.parse("Basic " + b64("nocolon")).isPresent());
        assertFalse(BasicCredentials.parse("Basic " + b64(":password")).isPresent());
    }

    @Test
    public void toStringHidesThePassword() {
        assertFalse(new BasicCredentials("u", "secret").toString().contains("secret"));
    }

    @Test
    public void cachesSuccessfulLoginsForTheirTimeOnly() {
        AtomicInteger logins = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        Authenticator jaas = (u, p) -> {
            logins.incrementAndGet();
            return p.equals("right") ? Optional.of(Set.of("user")) : Optional.empty();
        };
        CachingAuthenticator cache = new CachingAuthenticator(jaas, 30, now::get);
        assertEquals(Set.of("user"), cache.authenticate("u", "right").orElseThrow());
        assertEquals(Set.of("user"), cache.authenticate("u", "right").orElseThrow());
        assertEquals(1, logins.get());
        assertTrue(cache.authenticate("u", "wrong").isEmpty());
        assertTrue(cache.authenticate("u", "wrong").isEmpty());
        assertEquals(3, logins.get()); // failures are never cached
        now.addAndGet(31_000_000_000L);
        cache.authenticate("u", "right");
        assertEquals(4, logins.get());

        CachingAuthenticator off = new CachingAuthenticator(jaas, 0, now::get);
        off.authenticate("u", "right");
        off.authenticate("u", "right");
        assertEquals(6, logins.get());
    }

    @Test
    public void cacheKeyIsAHashNotThePassword() {
        String key = CachingAuthenticator.key("admin", "s3cret");
        assertEquals(64, key.length());
        assertFalse(key.contains("s3cret"));
        assertFalse(key.equals(CachingAuthenticator.key("admin", "s3cres")));
        assertFalse(CachingAuthenticator.key("ab", "c").equals(CachingAuthenticator.key("a", "bc")));
    }
}
