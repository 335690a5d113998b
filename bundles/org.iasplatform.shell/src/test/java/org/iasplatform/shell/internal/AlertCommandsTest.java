package org.iasplatform.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.alert.Alerts;
import org.junit.Test;

/** ias:alerts and ias:alert-ack: what they ask the Alerts service and what they print. */
public class AlertCommandsTest {
    private final CapturedOutput output = new CapturedOutput();
    private final List<AlertFilter> asked = new ArrayList<>();
    private final Alert alert = new Alert("a-1", AlertKind.SENSOR_DISCONNECTED, "s1", "sensor instance s1 is DISCONNECTED",
            List.of("configurator"), List.of(), AlertState.ACTIVE, Instant.parse("2025-06-01T08:00:00Z"), null, null, null);

    private final Alerts service = new Alerts() {
        @Override
        public List<Alert> list(AlertFilter filter, String user, Collection<String> roles) {
            asked.add(filter);
            return List.of(alert);
        }

        @Override
        public Optional<Alert> alert(String id, String user, Collection<String> roles) {
            return Optional.of(alert).filter(a -> a.id().equals(id));
        }

        @Override
        public Alert acknowledge(String id, String user, Collection<String> roles) throws IasException {
            Alert a = alert(id, user, roles).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "id",
                    "no alert '" + id + "' is for you"));
            return new Alert(a.id(), a.kind(), a.subject(), a.message(), a.roles(), a.users(), a.state(), a.raisedAt(), null,
                    user, Instant.parse("2025-06-01T09:00:00Z"));
        }
    };

    private <A extends IasAction> A wire(A action) {
        return output.wire(action);
    }

    private String out() {
        return output.out();
    }

    private String err() {
        return output.err();
    }

    @Test
    public void listsWithTheFiltersGiven() throws Exception {
        AlertsCommand c = wire(new AlertsCommand());
        c.alerts = service;
        c.kind = "sensor_disconnected";
        c.active = true;
        c.unacked = true;
        c.limit = 5;
        c.execute();
        assertEquals(List.of(new AlertFilter(AlertKind.SENSOR_DISCONNECTED, AlertState.ACTIVE, null, false, 5)), asked);
        assertEquals("a-1 2025-06-01T08:00:00Z ACTIVE   SENSOR_DISCONNECTED s1: sensor instance s1 is DISCONNECTED "
                + "[for configurator; unacknowledged]\n", out());
    }

    @Test
    public void aBadKindIsRefusedSayingWhatIsExpected() throws Exception {
        AlertsCommand c = wire(new AlertsCommand());
        c.alerts = service;
        c.kind = "loud";
        c.execute();
        assertTrue(err(), err().startsWith("--kind: unknown kind 'loud'; expected one of [SENSOR_SILENT"));
        assertTrue(asked.isEmpty());
    }

    @Test
    public void acknowledgesAndPrintsWhoAndWhen() throws Exception {
        AlertAckCommand c = wire(new AlertAckCommand());
        c.alerts = service;
        c.id = "a-1";
        c.execute();
        assertTrue(out(), out().endsWith("[for configurator; acknowledged by shell at 2025-06-01T09:00:00Z]\n"));
        AlertAckCommand unknown = wire(new AlertAckCommand());
        unknown.alerts = service;
        unknown.id = "a-9";
        unknown.execute();
        assertTrue(err(), err().contains("id: no alert 'a-9' is for you"));
        AlertAckCommand absent = wire(new AlertAckCommand());
        absent.id = "a-1";
        absent.execute();
        assertTrue(err(), err().contains("alerts is not available"));
    }
}
