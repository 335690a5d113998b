package org.iasplatform.sample.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs simulated devices from the command line:
 *
 * <pre>
 * java -jar ias-device-simulator.jar [--instances sensorInstance.json] [--period-ms 1000] [--flood]
 * </pre>
 *
 * Without {@code --instances}, the five devices of the Bus_management sample's sensorInstance.json (GPS 8766 bus, GPS
 * 8767 admin, biometric 8768, light 8769, temperature 8770). Every device listens on 127.0.0.1 at its instance's port.
 */
public final class DeviceSimulator {
    static final String USAGE = "usage: java -jar ias-device-simulator.jar [--instances sensorInstance.json]"
            + " [--period-ms MILLIS] [--flood]\n"
            + "  --instances  sensor instances to simulate (an object, an array or {\"sensor_instance_list\": [...]});\n"
            + "               default: the Bus_management sample's five devices\n"
            + "  --period-ms  time between two readings (default 1000)\n"
            + "  --flood      send readings as fast as clients read them";

    private DeviceSimulator() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(USAGE);
            return;
        }
        List<SimulatedDevice> devices;
        try {
            devices = options.instances == null ? busManagementDevices()
                    : devices(Files.readString(options.instances, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("cannot read the sensor instances: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<SimulatedDevice> started = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(SimulatedDevice::close), "simulator-stop"));
        for (SimulatedDevice device : devices) {
            device.setPeriodMillis(options.periodMillis);
            device.setFlood(options.flood);
            try {
                device.start();
            } catch (IOException e) {
                System.err.println(e.getMessage());
                started.forEach(SimulatedDevice::close);
                System.exit(1);
                return;
            }
            started.add(device);
            System.out.println(device.name() + ": listening on 127.0.0.1:" + device.port()
                    + (options.flood ? " (flood)" : " (a reading every " + options.periodMillis + " ms)"));
        }
        System.out.println(started.size() + " simulated devices running; Ctrl-C stops them");
        new CountDownLatch(1).await();
    }

    /** The five devices of the Bus_management sample, unstarted. */
    public static List<SimulatedDevice> busManagementDevices() {
        try (InputStream in = DeviceSimulator.class.getResourceAsStream("sensorInstance.json")) {
            if (in == null) {
                throw new IllegalStateException("sensorInstance.json missing from the simulator");
            }
            return devices(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The devices of a sensorInstance.json document (one object, an array, or {@code {"sensor_instance_list": [...]}}),
     * unstarted; every field but {@code sensor_type, ip, port, no_of_fields} is a tag.
     *
     * @throws IllegalArgumentException if it is not such a document
     */
    public static List<SimulatedDevice> devices(String sensorInstancesJson) {
        Object document = Json.parse(sensorInstancesJson);
        if (document instanceof Map<?, ?> map && map.get("sensor_instance_list") instanceof List<?> list) {
            document = list;
        }
        List<Map<String, Object>> instances = new ArrayList<>();
        for (Object item : document instanceof List<?> list ? list : List.of(document)) {
            if (!(item instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("a sensor instance must be a JSON object: " + Json.write(item));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> instance = (Map<String, Object>) map;
            instances.add(instance);
        }
        return SimulatedDevice.fromInstances(instances);
    }

    /** The command line. */
    static final class Options {
        Path instances;
        long periodMillis = 1000;
        boolean flood;
        boolean help;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "--instances" -> options.instances = Path.of(value != null ? value : next(args, ++i, arg));
                    case "--period-ms" -> {
                        String n = value != null ? value : next(args, ++i, arg);
                        try {
                            options.periodMillis = Long.parseLong(n);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--period-ms needs a number of milliseconds, not " + n);
                        }
                        if (options.periodMillis < 1) {
                            throw new IllegalArgumentException("--period-ms must be at least 1");
                        }
                    }
                    case "--flood" -> options.flood = true;
                    case "-h", "--help" -> options.help = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            return options;
        }

        private static String next(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
