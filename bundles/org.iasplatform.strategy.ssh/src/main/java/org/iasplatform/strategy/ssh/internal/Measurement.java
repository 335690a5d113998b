package org.iasplatform.strategy.ssh.internal;

/**
 * A host's figures as measured over SSH.
 *
 * @param mem memory usage 0..1: {@code used / total} of {@code free}'s {@code Mem:} line
 * @param cpu cpu usage 0..1: {@code (100 - idle) / 100} of the last line of {@code vmstat 1 2}
 */
record Measurement(double mem, double cpu) {

    /** The seed's formula: {@code load = 0.5 * mem_usage + 0.5 * cpu_usage}. */
    double load() {
        return 0.5 * mem + 0.5 * cpu;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "load %.3f (mem %.3f, cpu %.3f)", load(), mem, cpu);
    }
}
