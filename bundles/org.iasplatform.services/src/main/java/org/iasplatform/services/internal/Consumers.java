package org.iasplatform.services.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.messaging.SubscriptionInfo;

/**
 * Which component made which consumer. A consumer belongs to a component of the bundle that made it: the one whose
 * implementation class was on the stack when it subscribed (the innermost, if several were), else the bundle's only
 * component, else the one whose configuration names the consumer's group. Consumers of other bundles, or that fit no
 * component, belong to none.
 */
final class Consumers {
    private Consumers() {
    }

    /** The components, each with the consumers that belong to it. */
    static List<Watchdog.Observed> attribute(List<Watchdog.Observed> components, List<SubscriptionInfo> consumers) {
        Map<String, List<Watchdog.Observed>> byBundle = new HashMap<>();
        for (Watchdog.Observed o : components) {
            byBundle.computeIfAbsent(o.bundle(), b -> new ArrayList<>()).add(o);
        }
        Map<Watchdog.Key, List<SubscriptionInfo>> owned = new HashMap<>();
        for (SubscriptionInfo c : consumers) {
            List<Watchdog.Observed> candidates = c.owner() == null ? null : byBundle.get(c.owner());
            Watchdog.Observed owner = candidates == null ? null : ownerOf(c, candidates);
            if (owner != null) {
                owned.computeIfAbsent(owner.key(), k -> new ArrayList<>()).add(c);
            }
        }
        List<Watchdog.Observed> result = new ArrayList<>(components.size());
        for (Watchdog.Observed o : components) {
            List<SubscriptionInfo> own = owned.get(o.key());
            result.add(own == null ? o : new Watchdog.Observed(o.description(), o.key(), o.bundle(), o.state(),
                    o.healthy(), o.activationFailure(), o.waitingFor(), o.configurationIds(), o.propertyValues(),
                    List.copyOf(own)));
        }
        return result;
    }

    private static Watchdog.Observed ownerOf(SubscriptionInfo c, List<Watchdog.Observed> candidates) {
        for (String caller : c.callers()) {
            for (Watchdog.Observed o : candidates) {
                if (caller.equals(o.description().implementationClass)) {
                    return o;
                }
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (c.group() != null) {
            List<Watchdog.Observed> naming = candidates.stream().filter(o -> o.propertyValues().contains(c.group()))
                    .toList();
            if (naming.size() == 1) {
                return naming.get(0);
            }
        }
        return null;
    }
}
