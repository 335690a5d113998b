package org.iasplatform.lifecycle.internal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.iasplatform.api.node.LoadBalancingStrategy;

/**
 * The load balancing strategies server-lifecycle knows: the one in force (bound through the {@code strategy} reference,
 * whose target the configuration sets) and every registered one (for {@code Nodes.strategies()}). Thread-safe; SCR's
 * bind/unbind calls land here.
 */
final class Strategies {
    /** A strategy with its {@link LoadBalancingStrategy#PROPERTY_NAME name}. */
    record Named(LoadBalancingStrategy strategy, String name) {
    }

    private final AtomicReference<Named> current = new AtomicReference<>();
    private final Map<LoadBalancingStrategy, String> all = new IdentityHashMap<>(); // guarded by itself

    /** The strategy in force is now {@code strategy} (SCR binds a replacement before unbinding the one it replaces). */
    void bind(LoadBalancingStrategy strategy, Map<String, ?> properties) {
        current.set(new Named(strategy, name(properties)));
    }

    /** {@code strategy} is no longer in force, unless another one was bound meanwhile. */
    void unbind(LoadBalancingStrategy strategy) {
        current.updateAndGet(n -> n != null && n.strategy() == strategy ? null : n);
    }

    void add(LoadBalancingStrategy strategy, Map<String, ?> properties) {
        synchronized (all) {
            all.put(strategy, name(properties));
        }
    }

    void remove(LoadBalancingStrategy strategy) {
        synchronized (all) {
            all.remove(strategy);
        }
    }

    Optional<Named> current() {
        return Optional.ofNullable(current.get());
    }

    /** The names of every registered strategy, sorted, without duplicates. */
    List<String> names() {
        synchronized (all) {
            return all.values().stream().distinct().sorted().toList();
        }
    }

    private static String name(Map<String, ?> properties) {
        Object name = properties == null ? null : properties.get(LoadBalancingStrategy.PROPERTY_NAME);
        return name == null ? "(unnamed)" : String.valueOf(name);
    }
}
