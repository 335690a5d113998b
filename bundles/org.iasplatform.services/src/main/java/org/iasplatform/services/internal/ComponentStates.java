package org.iasplatform.services.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The state of a component description from its configurations' states: the worst of them. */
final class ComponentStates {
    static final String ACTIVE = "ACTIVE";
    static final String SATISFIED = "SATISFIED";
    static final String UNSATISFIED_REFERENCE = "UNSATISFIED_REFERENCE";
    static final String UNSATISFIED_CONFIGURATION = "UNSATISFIED_CONFIGURATION";
    static final String FAILED_ACTIVATION = "FAILED_ACTIVATION";
    static final String DISABLED = "DISABLED";

    /**
     * @param state          the worst state of the configurations (UNSATISFIED_CONFIGURATION when there is none)
     * @param healthy        whether every configuration is active or satisfied, and there is one
     * @param failure        the activation failure of a configuration in FAILED_ACTIVATION (null when none failed)
     * @param waitingFor     what an unsatisfied configuration waits for, in words (null when none waits)
     * @param ids            the configurations' ids (a new activation after a disable gets new ones)
     * @param propertyValues the text of every property value of the configurations
     */
    record Summary(String state, boolean healthy, String failure, String waitingFor, Set<Long> ids,
            Set<String> propertyValues) {
    }

    private ComponentStates() {
    }

    static Summary summarise(Collection<ComponentConfigurationDTO> configurations) {
        if (configurations == null || configurations.isEmpty()) {
            return new Summary(UNSATISFIED_CONFIGURATION, false, null, "its configuration", Set.of(), Set.of());
        }
        int worst = 0;
        String failure = null;
        String waiting = null;
        Set<Long> ids = new HashSet<>();
        Set<String> values = new HashSet<>();
        for (ComponentConfigurationDTO c : configurations) {
            ids.add(c.id);
            if (rank(c.state) > rank(worst)) {
                worst = c.state;
            }
            if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION && failure == null) {
                failure = c.failure == null || c.failure.isBlank() ? "(no reason given)" : c.failure;
            }
            if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE && waiting == null) {
                waiting = describeUnsatisfied(c.unsatisfiedReferences);
            }
            if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION && waiting == null) {
                waiting = "its configuration";
            }
            if (c.properties != null) {
                for (Map.Entry<String, Object> p : c.properties.entrySet()) {
                    if (p.getValue() instanceof String text) {
                        values.add(text);
                    }
                }
            }
        }
        boolean healthy = worst == ComponentConfigurationDTO.ACTIVE || worst == ComponentConfigurationDTO.SATISFIED;
        return new Summary(name(worst), healthy, failure, waiting, Set.copyOf(ids), Set.copyOf(values));
    }

    /** "references messaging (org.iasplatform.api.messaging.Messaging), ..." in words. */
    static String describeUnsatisfied(UnsatisfiedReferenceDTO[] references) {
        if (references == null || references.length == 0) {
            return "its references";
        }
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO r : references) {
            names.add(r.name + (r.target == null || r.target.isBlank() ? "" : " " + r.target));
        }
        return "references " + String.join(", ", names);
    }

    /** Worse states rank higher. */
    private static int rank(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> 5;
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> 4;
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> 3;
            case ComponentConfigurationDTO.SATISFIED -> 2;
            case ComponentConfigurationDTO.ACTIVE -> 1;
            default -> 0;
        };
    }

    static String name(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> FAILED_ACTIVATION;
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> UNSATISFIED_REFERENCE;
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> UNSATISFIED_CONFIGURATION;
            case ComponentConfigurationDTO.SATISFIED -> SATISFIED;
            case ComponentConfigurationDTO.ACTIVE -> ACTIVE;
            default -> "UNKNOWN(" + state + ")";
        };
    }
}
