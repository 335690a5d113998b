package org.iasplatform.strategy.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Outputs of {@code free} and {@code vmstat 1 2} for tests: the real ones kept under {@code procps/} (see
 * {@link ProbeParserTest}), and canned ones with chosen figures in the same layouts.
 */
final class Outputs {
    private Outputs() {
    }

    /** A real output kept under src/test/resources/procps/. */
    static String real(String name) {
        try (InputStream in = Outputs.class.getResourceAsStream("/procps/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource procps/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code free} of procps-ng 3.3.10 and later (KiB). */
    static String free(long total, long used) {
        long buffCache = Math.min(total - used, 1_279_040);
        long free = total - used - buffCache;
        return "               total        used        free      shared  buff/cache   available\n"
                + String.format(Locale.ROOT, "Mem:%16d%12d%12d%12d%12d%12d%n", total, used, free, 8872, buffCache,
                        free + buffCache)
                + "Swap:              0           0           0\n";
    }

    /** {@code vmstat 1 2} of procps-ng 3.3 and 4.0.2 (columns up to {@code st}), the sample's idle percentage given. */
    static String vmstat(int idle) {
        return "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n"
                + " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n"
                + " 0  0      0 21549608  23712 1255028    0    0   462  2721  325 1359 23  3 74  0  0\n"
                + String.format(Locale.ROOT, " 1  0      0 21549560  23712 1255184    0    0     0    24  340  669 %2d %2d %2d  0  0%n",
                        100 - idle, 0, idle);
    }

    /** {@code vmstat 1 2} of procps-ng 4.0.4 (a {@code gu} column after {@code st}). */
    static String vmstatWithGuest(int idle) {
        return "procs -----------memory---------- ---swap-- -----io---- -system-- -------cpu-------\n"
                + " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st gu\n"
                + " 1  0      0 21549640  23712 1255328    0    0   918  5412  647   13 23  3 74  0  0  0\n"
                + String.format(Locale.ROOT, " 0  0      0 21549640  23712 1255336    0    0     0    16  332  678 %2d %2d %2d  0  0  0%n",
                        100 - idle, 0, idle);
    }
}
