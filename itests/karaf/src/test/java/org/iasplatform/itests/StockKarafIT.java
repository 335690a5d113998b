package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * feature:repo-add + feature:install ias-platform in a stock Apache Karaf 4.4.10, configured with an external Kafka and
 * store (started here by the test driver): the platform uses them, starts nothing embedded, and works end to end.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StockKarafIT extends IasTestSupport {
    private static final int HTTP = freePort();

    @Configuration
    public Option[] config() throws Exception {
        // the "cluster" the platform is pointed at: real servers in the test driver's JVM, alive for the whole run
        String[] external = ExternalInfrastructure.start();
        List<Option> options = new ArrayList<>(karaf(maven().groupId("org.apache.karaf").artifactId("apache-karaf")
                .version(System.getProperty("karaf.version")).type("tar.gz"), "stock Karaf"));
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "kafka_bootstrap_servers", external[0]));
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "mongo_uri", external[1]));
        // stock Karaf has none of the platform's demo users: add the two this test logs in as
        options.add(editConfigurationFilePut("etc/users.properties", "configurator", "configurator,configurator"));
        options.add(editConfigurationFilePut("etc/users.properties", "user", "user,user"));
        options.add(httpPort(HTTP));
        options.add(systemProperty("ias.test.http.port").value(String.valueOf(HTTP)));
        options.add(features(maven().groupId("org.iasplatform").artifactId("ias-features").version(VERSION).classifier("features")
                .type("xml"), "ias-platform"));
        return options.toArray(new Option[0]);
    }

    @Test
    public void iasPlatformInstallsAndUsesTheConfiguredInfrastructure() {
        int port = Integer.getInteger("ias.test.http.port");
        awaitHealthy(port);
        InfrastructureEndpoints endpoints = service(InfrastructureEndpoints.class, null, Duration.ofSeconds(10));
        assertFalse("no embedded broker when one is configured", endpoints.embeddedKafka());
        assertFalse("no embedded store when one is configured", endpoints.embeddedMongo());
        assertTrue(endpoints.kafkaBootstrapServers().startsWith("127.0.0.1:"));

        Answer answer = call(port, "POST", "/sensor-types", "configurator", "application/json",
                "{\"sensor_type_name\":\"stock-type\",\"sensor_data_structure\":{\"v\":\"int\"}}".getBytes());
        assertEquals(answer.toString(), 201, answer.status());
        assertTrue(call(port, "GET", "/sensor-types/stock-type", "user", null, null).body().contains("stock-type"));
    }
}
