package org.iasplatform.runtime.bundle.testalgo;

import java.util.Hashtable;
import java.util.Map;

import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.algorithm.SensorHandle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The content of the test algorithm bundles (packed into a jar by the tests, never used from the class path): registers
 * one {@link Algorithm} service per name of its manifest header {@code Test-Algorithms} (with {@code ias.algorithm} =
 * the name, unless the header {@code Test-Unnamed} is {@code true}).
 */
public class TestAlgorithmsActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        String names = context.getBundle().getHeaders().get("Test-Algorithms");
        boolean unnamed = "true".equals(context.getBundle().getHeaders().get("Test-Unnamed"));
        for (String name : names.split(",")) {
            Hashtable<String, Object> properties = new Hashtable<>();
            if (!unnamed) {
                properties.put(Algorithm.PROPERTY_NAME, name.trim());
            }
            context.registerService(Algorithm.class, behaviour(name.trim()), properties);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // services are unregistered by the framework
    }

    static Algorithm behaviour(String name) {
        switch (name) {
        case "echo":
            return TestAlgorithmsActivator::echo;
        case "returns":
            return context -> context.log("done at once");
        case "fails":
            return context -> {
                throw new IllegalStateException("boom");
            };
        case "stubborn":
            return context -> {
                context.log("spinning");
                while (true) {
                    Thread.onSpinWait(); // ignores interrupts and isStopped
                }
            };
        default:
            return context -> context.log("unknown behaviour " + name);
        }
    }

    /** Reads sensor 0, switches the light on below 40 lux, reports on everything it does, ends when stopped. */
    private static void echo(AlgorithmContext context) throws Exception {
        context.log("hello from " + context.instanceId() + " app=" + context.applicationName() + " algo="
                + context.algorithmName() + " sensors=" + context.sensors().size() + " loader="
                + (Thread.currentThread().getContextClassLoader() == TestAlgorithmsActivator.class.getClassLoader()));
        SensorHandle light = context.sensor(0);
        try (AutoCloseable subscription = light.subscribe(reading -> {
            Object lux = reading.data().get("lux");
            context.log("reading " + lux + " of " + reading.sensorInstanceId());
            if (lux instanceof Number n && n.intValue() < 40) {
                try {
                    light.control("switchOnLight", Map.of("level", 1));
                    context.log("switched on");
                } catch (IasException e) {
                    context.log("control failed: " + e.getMessage());
                }
            }
        })) {
            try {
                light.control("explode", Map.of());
                context.log("bad control accepted");
            } catch (IasException e) {
                context.log("bad control: " + e.kind() + " " + e.errors().get(0).path());
            }
            try {
                context.sensor(5);
            } catch (IasException e) {
                context.log("sensor 5: " + e.kind());
            }
            context.notify("user", "started " + context.instanceId());
            context.publishFeed(Map.of("status", "up"));
            context.log("ready");
            context.awaitStop();
            context.log("bye");
        }
    }
}
