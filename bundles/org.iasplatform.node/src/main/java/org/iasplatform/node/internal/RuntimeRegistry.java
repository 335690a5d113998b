package org.iasplatform.node.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.iasplatform.api.node.AppRuntime;

/**
 * The {@link AppRuntime} services present on this node (the whiteboard), by kind. Among several services of one kind the
 * highest {@code service.ranking} wins, then the oldest (lowest service id). Thread-safe.
 */
final class RuntimeRegistry {

    /**
     * One runtime service.
     *
     * @param kinds     its {@link AppRuntime#PROPERTY_KIND} value(s)
     * @param runtime   the service
     * @param serviceId its service id
     * @param ranking   its service ranking
     */
    record Entry(List<String> kinds, AppRuntime runtime, long serviceId, int ranking) {
        Entry {
            kinds = List.copyOf(kinds);
        }

        String kind() {
            return String.join(",", kinds);
        }
    }

    private static final Comparator<Entry> PREFERENCE = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private final Object lock = new Object();
    private final List<Entry> entries = new ArrayList<>(); // guarded by lock

    /** Adds a runtime (or replaces the one with the same service id, e.g. when its properties changed). */
    void add(Entry entry) {
        synchronized (lock) {
            entries.removeIf(e -> e.serviceId() == entry.serviceId());
            entries.add(entry);
            lock.notifyAll();
        }
    }

    /** Removes the runtime with this service id; returns it if it was there. */
    Optional<Entry> remove(long serviceId) {
        synchronized (lock) {
            Optional<Entry> found = entries.stream().filter(e -> e.serviceId() == serviceId).findFirst();
            found.ifPresent(entries::remove);
            return found;
        }
    }

    /** The runtime that serves {@code kind} now. */
    Optional<Entry> pick(String kind) {
        synchronized (lock) {
            return entries.stream().filter(e -> e.kinds().contains(kind)).min(PREFERENCE);
        }
    }

    /** As {@link #pick}, waiting up to {@code wait} for a runtime of that kind to appear. */
    Optional<Entry> await(String kind, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (true) {
                Optional<Entry> found = pick(kind);
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0) {
                    return found;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The kinds offered, sorted. */
    List<String> kinds() {
        synchronized (lock) {
            TreeSet<String> kinds = new TreeSet<>();
            entries.forEach(e -> kinds.addAll(e.kinds()));
            return List.copyOf(kinds);
        }
    }

    /** The kinds named by a service property value: a String, a String[] or a Collection. */
    static List<String> kindsOf(Object property) {
        List<String> kinds = new ArrayList<>();
        if (property instanceof String s) {
            kinds.add(s);
        } else if (property instanceof String[] array) {
            kinds.addAll(List.of(array));
        } else if (property instanceof Collection<?> collection) {
            collection.forEach(o -> kinds.add(String.valueOf(o)));
        }
        kinds.removeIf(k -> k == null || k.isBlank());
        return kinds.stream().map(String::trim).distinct().toList();
    }
}
