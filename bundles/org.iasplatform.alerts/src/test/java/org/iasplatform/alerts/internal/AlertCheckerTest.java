package org.iasplatform.alerts.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

/** The checker's conditions against a real MongoDB-wire store ({@code alerts.alerts}). */
public class AlertCheckerTest {
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    private final Inputs in = new Inputs();
    private final List<Alert> changes = new ArrayList<>();
    private AlertStore store;
    private AlertChecker checker;

    @Before
    public void setUp() {
        store = new AlertStore(MONGO.freshDatabase("alerts").getCollection(AlertStore.COLLECTION));
        store.createIndexes();
        checker = new AlertChecker(store, in, in, in, in, in.clock, 0, 5_000, changes::add);
    }

    private List<Alert> all() {
        return store.list(AlertFilter.all(100), "root", Set.of("admin"));
    }

    @Test
    public void disconnectedSensorRaisesOneAlertForConfiguratorsAfterTheGraceAndResolvesOnReconnect() {
        in.type("light", null);
        in.sensor("s1", "light");
        in.status("s1", ConnectionState.DISCONNECTED, 0);

        checker.check();
        assertTrue("within the grace nothing is raised", all().isEmpty());

        in.clock.advanceSeconds(6);
        checker.check();
        checker.check();
        List<Alert> alerts = all();
        assertEquals("raised once, however often checked", 1, alerts.size());
        Alert alert = alerts.get(0);
        assertEquals(AlertKind.SENSOR_DISCONNECTED, alert.kind());
        assertEquals("s1", alert.subject());
        assertEquals(List.of("configurator"), alert.roles());
        assertEquals(AlertState.ACTIVE, alert.state());
        assertTrue(alert.message(), alert.message().contains("DISCONNECTED: connection refused"));
        assertEquals(1, changes.size());

        in.status("s1", ConnectionState.CONNECTED, in.clock.millis());
        checker.check();
        Alert resolved = all().get(0);
        assertEquals(AlertState.RESOLVED, resolved.state());
        assertEquals(in.clock.instant(), resolved.resolvedAt());
        assertEquals(2, changes.size());

        in.status("s1", ConnectionState.DISCONNECTED, in.clock.millis());
        in.clock.advanceSeconds(1);
        checker.check();
        in.clock.advanceSeconds(5);
        checker.check();
        assertEquals("a new spell is a new alert", 2, all().size());
        assertEquals(AlertState.ACTIVE, all().get(0).state());
    }

    @Test
    public void silenceBeyondTheTypesLimitRaisesAndAReadingResolves() {
        in.type("gps", 30L);
        in.type("quiet", null);
        in.sensor("g1", "gps");
        in.sensor("q1", "quiet");
        long start = in.clock.millis();
        in.status("g1", ConnectionState.CONNECTED, start);
        in.status("q1", ConnectionState.CONNECTED, start);

        in.clock.advanceSeconds(30);
        checker.check();
        assertTrue("at the limit, not beyond it", all().isEmpty());

        in.clock.advanceSeconds(1);
        checker.check();
        checker.check();
        List<Alert> alerts = all();
        assertEquals("only the type with a limit, once: " + alerts, 1, alerts.size());
        assertEquals(AlertKind.SENSOR_SILENT, alerts.get(0).kind());
        assertEquals("g1", alerts.get(0).subject());
        assertTrue(alerts.get(0).message(), alerts.get(0).message().contains("no reading for 31 s")
                && alerts.get(0).message().contains("at most 30 s"));

        in.status("g1", ConnectionState.CONNECTED, in.clock.millis());
        checker.check();
        assertEquals(AlertState.RESOLVED, all().get(0).state());
    }

    @Test
    public void theConfiguredDefaultLimitAppliesToTypesWithoutOneAndCountsFromFirstSightWithoutReadings() {
        checker = new AlertChecker(store, in, in, in, in, in.clock, 10, 0, changes::add);
        in.type("quiet", null);
        in.sensor("q1", "quiet");
        in.status("q1", ConnectionState.CONNECTED, 0);
        checker.check();
        in.clock.advanceSeconds(11);
        checker.check();
        List<Alert> alerts = all();
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message(), alerts.get(0).message().contains("(none yet)"));
    }

    @Test
    public void deletedSensorsAlertIsResolved() {
        checker = new AlertChecker(store, in, in, in, in, in.clock, 0, 0, changes::add);
        in.type("light", null);
        in.sensor("s1", "light");
        in.status("s1", ConnectionState.DISCONNECTED, 0);
        checker.check();
        assertEquals(AlertState.ACTIVE, all().get(0).state());
        in.sensors.clear();
        in.statuses.clear();
        checker.check();
        assertEquals(AlertState.RESOLVED, all().get(0).state());
    }

    @Test
    public void failedInstanceAlertsItsUploaderAndConfiguratorsOnceAndResolvesWhenItRunsAgain() {
        in.app("bus", "dev1");
        in.instance("i1", "bus", InstanceState.FAILED, "crashed on node-a: exit 3; not restarted again");
        in.instance("i2", "bus", InstanceState.RUNNING, "");
        checker.check();
        checker.check();
        List<Alert> alerts = all();
        assertEquals(1, alerts.size());
        Alert alert = alerts.get(0);
        assertEquals(AlertKind.INSTANCE_FAILED, alert.kind());
        assertEquals("i1", alert.subject());
        assertEquals(List.of("configurator"), alert.roles());
        assertEquals(List.of("dev1"), alert.users());
        assertTrue(alert.message(), alert.message().contains("is FAILED on node node-a: crashed on node-a: exit 3"));

        assertEquals("the uploader sees it", 1, store.list(AlertFilter.all(10), "dev1", Set.of("developer")).size());
        assertTrue("another developer does not", store.list(AlertFilter.all(10), "dev2", Set.of("developer")).isEmpty());
        assertTrue("an end user does not", store.list(AlertFilter.all(10), "u", Set.of("user")).isEmpty());

        in.instance("i1", "bus", InstanceState.RUNNING, "");
        checker.check();
        assertEquals(AlertState.RESOLVED, all().get(0).state());
    }

    @Test
    public void failedInstanceOfAnUnknownUploaderGoesToTheDeveloperRole() {
        in.instance("i9", "ghost", InstanceState.FAILED, "no node offers the runtime docker");
        checker.check();
        Alert alert = all().get(0);
        assertEquals(List.of("developer", "configurator"), alert.roles());
        assertEquals(List.of(), alert.users());
        assertEquals(1, store.list(AlertFilter.all(10), "anyone", Set.of("developer")).size());
    }

    @Test
    public void listFiltersAndAcknowledgementRecordsWhoAndWhenOnce() {
        checker = new AlertChecker(store, in, in, in, in, in.clock, 0, 0, changes::add);
        in.type("light", null);
        in.sensor("s1", "light");
        in.sensor("s2", "light");
        in.status("s1", ConnectionState.DISCONNECTED, 0);
        in.status("s2", ConnectionState.DISCONNECTED, 0);
        in.instance("i1", "bus", InstanceState.FAILED, "gave up");
        checker.check();

        Set<String> conf = Set.of("configurator");
        assertEquals(3, store.list(AlertFilter.all(10), "carol", conf).size());
        assertEquals(2, store.list(new AlertFilter(AlertKind.SENSOR_DISCONNECTED, null, null, null, 10), "carol", conf).size());
        assertEquals(1, store.list(new AlertFilter(null, AlertState.ACTIVE, "s2", null, 10), "carol", conf).size());
        assertEquals(1, store.list(AlertFilter.all(1), "carol", conf).size());
        assertTrue("no roles, no user: nothing", store.list(AlertFilter.all(10), "", Set.of()).isEmpty());

        Alert s1 = store.list(new AlertFilter(null, null, "s1", null, 10), "carol", conf).get(0);
        assertTrue("a user may not acknowledge a configurators' alert",
                store.acknowledge(s1.id(), "eve", Set.of("user"), in.clock.instant()).isEmpty());
        Alert acked = store.acknowledge(s1.id(), "carol", conf, in.clock.instant()).orElseThrow();
        assertEquals("carol", acked.acknowledgedBy());
        assertEquals(in.clock.instant(), acked.acknowledgedAt());
        in.clock.advanceSeconds(5);
        Alert again = store.acknowledge(s1.id(), "dave", conf, in.clock.instant()).orElseThrow();
        assertEquals("the first acknowledgement is kept", "carol", again.acknowledgedBy());
        assertEquals(acked.acknowledgedAt(), again.acknowledgedAt());

        assertEquals(1, store.list(new AlertFilter(null, null, null, true, 10), "carol", conf).size());
        assertEquals(2, store.list(new AlertFilter(null, null, null, false, 10), "carol", conf).size());
        assertNotNull(store.alert(s1.id(), "carol", conf).orElse(null));
        assertNull(store.alert(s1.id(), "eve", Set.of("user")).orElse(null));
    }
}
