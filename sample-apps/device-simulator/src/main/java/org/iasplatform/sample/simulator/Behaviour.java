package org.iasplatform.sample.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/** What a simulated device of one sensor type reports and how it reacts to control commands. Not thread-safe. */
abstract class Behaviour {
    protected final Random random;

    Behaviour(Random random) {
        this.random = random;
    }

    /** Advances the simulated world by one period and returns the reading. */
    abstract Map<String, Object> next();

    /** The current reading, without advancing. */
    abstract Map<String, Object> current();

    /** Applies a control command; returns what it did, or null for a command this device does not know. */
    String control(String function, Map<String, Object> params) {
        return null;
    }

    static Behaviour forType(String sensorType, Map<String, String> tags, Random random, LongSupplier clock) {
        String type = sensorType.toLowerCase();
        if (type.contains("gps")) {
            return new Gps(random, tags.getOrDefault("placeholder", "bus"));
        } else if (type.contains("biometric")) {
            return new Biometric(random);
        } else if (type.contains("light")) {
            return new Light(random);
        } else if (type.contains("temp")) {
            return new Temperature(random, clock);
        }
        return new Generic(random);
    }

    /** An int parameter, or null if missing or not integral. */
    static Long intParam(Map<String, Object> params, String name) {
        Object value = params.get(name);
        return value instanceof Long l ? l : null;
    }

    static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** {placeholder, x, y}: a bus driving round its route; the admin stays near the depot. */
    static final class Gps extends Behaviour {
        private static final double[][] ROUTE = {{0, 0}, {120, 0}, {120, 60}, {60, 90}, {0, 60}};
        private static final double STEP = 4.0;
        private final String placeholder;
        private final boolean moving;
        private int leg;
        private double x;
        private double y;

        Gps(Random random, String placeholder) {
            super(random);
            this.placeholder = placeholder;
            this.moving = !"admin".equalsIgnoreCase(placeholder);
            this.x = moving ? ROUTE[0][0] : 2.5;
            this.y = moving ? ROUTE[0][1] : 1.5;
        }

        @Override
        Map<String, Object> next() {
            if (moving) {
                double remaining = STEP;
                while (remaining > 0) {
                    double[] to = ROUTE[(leg + 1) % ROUTE.length];
                    double dx = to[0] - x;
                    double dy = to[1] - y;
                    double distance = Math.hypot(dx, dy);
                    if (distance <= remaining) {
                        x = to[0];
                        y = to[1];
                        leg = (leg + 1) % ROUTE.length;
                        remaining -= distance;
                    } else {
                        x += dx / distance * remaining;
                        y += dy / distance * remaining;
                        remaining = 0;
                    }
                }
            } else {
                x = 2.5 + (random.nextDouble() - 0.5);
                y = 1.5 + (random.nextDouble() - 0.5);
            }
            return current();
        }

        @Override
        Map<String, Object> current() {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("placeholder", placeholder);
            reading.put("x", round2(x));
            reading.put("y", round2(y));
            return reading;
        }
    }

    /** {person_id, event}: passengers boarding and alighting. */
    static final class Biometric extends Behaviour {
        private static final int PEOPLE = 20;
        private final Set<String> onboard = new LinkedHashSet<>();
        private String personId = "P000";
        private String event = "none";

        Biometric(Random random) {
            super(random);
        }

        @Override
        Map<String, Object> next() {
            boolean board = onboard.isEmpty() || (onboard.size() < PEOPLE && random.nextDouble() < 0.6);
            if (board) {
                String person;
                do {
                    person = String.format("P%03d", 1 + random.nextInt(PEOPLE));
                } while (onboard.contains(person));
                onboard.add(person);
                personId = person;
                event = "board";
            } else {
                List<String> people = new ArrayList<>(onboard);
                personId = people.get(random.nextInt(people.size()));
                onboard.remove(personId);
                event = "alight";
            }
            return current();
        }

        @Override
        Map<String, Object> current() {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("person_id", personId);
            reading.put("event", event);
            return reading;
        }
    }

    /** {lux}: daylight fading like dusk, until the light is switched on. */
    static final class Light extends Behaviour {
        static final int FULL_LIGHT = 40;
        private double ambient = 150;
        private int artificial;

        Light(Random random) {
            super(random);
        }

        @Override
        Map<String, Object> next() {
            ambient = Math.max(5, ambient - 1 - random.nextDouble() * 3);
            return current();
        }

        @Override
        Map<String, Object> current() {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("lux", lux());
            return reading;
        }

        private int lux() {
            return (int) Math.round(ambient) + artificial;
        }

        @Override
        String control(String function, Map<String, Object> params) {
            if (!"switchOnLight".equals(function)) {
                return null;
            }
            Long level = intParam(params, "level");
            if (level == null) {
                return "switchOnLight without an int level: ignored";
            }
            artificial = FULL_LIGHT + 10 * (int) Math.max(0, Math.min(100, level));
            return "switchOnLight level=" + level + " -> lux=" + lux();
        }
    }

    /** {temperature}: a hot bus, cooled while the AC runs. */
    static final class Temperature extends Behaviour {
        private static final int AMBIENT = 32;
        private static final int COOLED = 22;
        private final LongSupplier clock;
        private int temperature = AMBIENT;
        private long acUntil;

        Temperature(Random random, LongSupplier clock) {
            super(random);
            this.clock = clock;
        }

        @Override
        Map<String, Object> next() {
            if (clock.getAsLong() < acUntil) {
                temperature = Math.max(COOLED, temperature - 1);
            } else if (temperature < AMBIENT) {
                temperature++;
            } else {
                temperature = AMBIENT + random.nextInt(3) - 1;
            }
            return current();
        }

        @Override
        Map<String, Object> current() {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("temperature", temperature);
            return reading;
        }

        @Override
        String control(String function, Map<String, Object> params) {
            if (!"switchOnAC".equals(function)) {
                return null;
            }
            Long minutes = intParam(params, "time");
            if (minutes == null || minutes <= 0) {
                return "switchOnAC without a positive int time: ignored";
            }
            acUntil = clock.getAsLong() + minutes * 60_000;
            temperature = Math.max(COOLED, temperature - 2);
            return "switchOnAC time=" + minutes + " -> temperature=" + temperature + " (AC on for " + minutes + " min)";
        }
    }

    /** {value}: a random walk, for types the simulator does not know. */
    static final class Generic extends Behaviour {
        private long value = 50;

        Generic(Random random) {
            super(random);
        }

        @Override
        Map<String, Object> next() {
            value = Math.max(0, value + random.nextInt(5) - 2);
            return current();
        }

        @Override
        Map<String, Object> current() {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("value", value);
            return reading;
        }
    }
}
