package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.features.FeaturesService;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** The node distribution boots its minimal Karaf with the ias-node feature, joined to the configured platform. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NodeDistributionIT extends IasTestSupport {

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(karaf(iasDistribution("ias-node-distribution"), "IAS node"));
        // a platform that is not running: the node must boot anyway and keep trying
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "kafka_bootstrap_servers", "127.0.0.1:" + freePort()));
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "mongo_uri", "mongodb://127.0.0.1:" + freePort()));
        return options.toArray(new Option[0]);
    }

    @Test
    public void bootsWithTheNodeFeatureAndNothingOfThePlatform() throws Exception {
        FeaturesService features = service(FeaturesService.class, null, Duration.ofSeconds(60));
        await("ias-node installed", Duration.ofSeconds(120), () -> {
            try {
                return features.isInstalled(features.getFeature("ias-node"));
            } catch (Exception e) {
                return false;
            }
        });
        for (String bsn : List.of("org.iasplatform.api", "org.iasplatform.infra", "org.iasplatform.messaging", "org.iasplatform.node",
                "org.iasplatform.runtime.process", "org.iasplatform.runtime.bundle", "org.iasplatform.runtime.docker")) {
            Bundle bundle = bundle(bsn);
            assertNotNull(bsn, bundle);
            assertEquals(bsn + " active", Bundle.ACTIVE, bundle.getState());
        }
        for (String bsn : List.of("org.iasplatform.rest", "org.iasplatform.sensor.registry", "org.iasplatform.manager")) {
            assertNull(bsn + " is not part of a node", bundle(bsn));
        }
        for (String kind : List.of("process", "bundle")) {
            service(org.iasplatform.api.node.AppRuntime.class, "(" + org.iasplatform.api.node.AppRuntime.PROPERTY_KIND + "=" + kind + ")",
                    Duration.ofSeconds(30));
        }
        for (String bsn : List.of("org.iasplatform.scheduler", "org.iasplatform.lifecycle", "org.iasplatform.apps")) {
            assertNull(bsn + " is not part of a node", bundle(bsn));
        }
        InfrastructureEndpoints endpoints = service(InfrastructureEndpoints.class, null, Duration.ofSeconds(30));
        assertFalse("a node never starts an embedded broker", endpoints.embeddedKafka());
        assertFalse("a node never starts an embedded store", endpoints.embeddedMongo());
        assertNull("no HTTP on a node", bundle("org.ops4j.pax.web.pax-web-runtime"));
    }
}
