package org.iasplatform.sensor.manager.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.sensor.SensorDriver;

/**
 * One registered {@link SensorDriver} service, as the manager ranks it.
 *
 * @param driver    the service object
 * @param serviceId its {@code service.id}
 * @param ranking   its {@code service.ranking} (0 if none)
 * @param types     the sensor type names of its {@code ias.sensor.types} property ({@code *} for any type)
 * @param name      the providing bundle's symbolic name and version, as shown in statuses
 */
record DriverEntry(SensorDriver driver, long serviceId, int ranking, Set<String> types, String name) {

    DriverEntry {
        types = Set.copyOf(types);
    }

    /** 2 if this driver names {@code sensorType}, 1 if it serves any type, 0 if it does not serve it. */
    int specificity(String sensorType) {
        if (types.contains(sensorType)) {
            return 2;
        }
        return types.contains(SensorDriver.ANY_TYPE) ? 1 : 0;
    }

    /**
     * The driver for an instance of {@code sensorType}: one naming the type wins over a {@code *} driver; among equals the
     * highest ranking, then the lowest service id.
     */
    static Optional<DriverEntry> choose(Collection<DriverEntry> drivers, String sensorType) {
        return drivers.stream()
                .filter(d -> d.specificity(sensorType) > 0)
                .min(Comparator.comparingInt((DriverEntry d) -> -d.specificity(sensorType))
                        .thenComparing(Comparator.comparingInt(DriverEntry::ranking).reversed())
                        .thenComparingLong(DriverEntry::serviceId));
    }

    /** The type names of an {@code ias.sensor.types} property value: a String, a String[] or a collection of them. */
    static Set<String> typesOf(Object property) {
        Set<String> types = new LinkedHashSet<>();
        if (property instanceof String s) {
            addSplit(types, s);
        } else if (property instanceof String[] array) {
            for (String s : array) {
                addSplit(types, s);
            }
        } else if (property instanceof Collection<?> collection) {
            for (Object o : collection) {
                if (o != null) {
                    addSplit(types, o.toString());
                }
            }
        }
        return types;
    }

    private static void addSplit(Set<String> types, String value) {
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                types.add(part.trim());
            }
        }
    }
}
