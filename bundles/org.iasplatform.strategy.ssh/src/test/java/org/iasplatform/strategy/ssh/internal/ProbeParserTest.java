package org.iasplatform.strategy.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.iasplatform.strategy.ssh.internal.ProbeParser.ProbeParseException;
import org.junit.Test;

/**
 * The parsing of {@code free} and {@code vmstat 1 2}. The files under src/test/resources/procps/ are real outputs, taken
 * on one Debian 12 machine (24 GiB, idle, then with one of two cores kept busy for the {@code -busy} ones) by three
 * builds of procps-ng: 3.3.17 (Debian 11's package), 4.0.2 (Debian 12's) and 4.0.4 (Debian 13's, whose {@code vmstat}
 * has the new {@code gu} column).
 */
public class ProbeParserTest {
    private static final double EPS = 1e-12;

    @Test
    public void memUsageIsUsedOverTotalOfTheMemLineOfEachProcpsVersion() throws Exception {
        // "Mem:        24684084     1855736    21549608        8872     1278740    22497676"
        assertEquals(1_855_736.0 / 24_684_084, ProbeParser.memUsage(Outputs.real("free-3.3.17.txt")), EPS);
        assertEquals(2_186_300.0 / 24_684_084, ProbeParser.memUsage(Outputs.real("free-4.0.2.txt")), EPS);
        assertEquals(2_186_208.0 / 24_684_084, ProbeParser.memUsage(Outputs.real("free-4.0.4.txt")), EPS);
    }

    @Test
    public void cpuUsageIsHundredLessIdleOfTheLastLineAsAFraction() throws Exception {
        // idle machine: the first line is the since-boot average (id 74), the last the one-second sample
        assertEquals(0.01, ProbeParser.cpuUsage(Outputs.real("vmstat-3.3.17.txt")), EPS); // id 99
        assertEquals(0.00, ProbeParser.cpuUsage(Outputs.real("vmstat-4.0.2.txt")), EPS); // id 100
        assertEquals(0.01, ProbeParser.cpuUsage(Outputs.real("vmstat-4.0.4.txt")), EPS); // id 99, then wa st gu
        // one core of two busy
        assertEquals(0.51, ProbeParser.cpuUsage(Outputs.real("vmstat-3.3.17-busy.txt")), EPS);
        assertEquals(0.51, ProbeParser.cpuUsage(Outputs.real("vmstat-4.0.2-busy.txt")), EPS);
        assertEquals(0.52, ProbeParser.cpuUsage(Outputs.real("vmstat-4.0.4-busy.txt")), EPS);
    }

    @Test
    public void theOldFreeFormatIsReadByItsBuffersCacheLine() throws Exception {
        // procps-ng <= 3.3.9 (e.g. CentOS 7, Debian 8): Mem: used still counts buffers and cache; the
        // "-/+ buffers/cache:" used is what later versions print as used
        String old = """
                             total       used       free     shared    buffers     cached
                Mem:       4048380    3858080     190300          0     183276    2730928
                -/+ buffers/cache:     944876    3103504
                Swap:      2096440      17260    2079180
                """;
        assertEquals(944_876.0 / 4_048_380, ProbeParser.memUsage(old), EPS);
    }

    @Test
    public void aLocalisedFreeIsReadByTheSeedsSecondLine() throws Exception {
        String german = """
                              gesamt      benutzt       frei     gemns.  Puffer/Cache  verfügbar
                Speicher:    16318248     4120316     9153176      565560     3044756    11287036
                Auslagerung:    2097148           0     2097148
                """;
        assertEquals(4_120_316.0 / 16_318_248, ProbeParser.memUsage(german), EPS);
    }

    @Test
    public void vmstatWithoutHeaderIsReadAtTheSeedsFifteenthColumn() throws Exception {
        String noHeader = " 1  0      0 21549640  23712 1255328    0    0   918  5412  647   13 23  3 74  0  0\n"
                + " 0  0      0 21549640  23712 1255336    0    0     0    16  332  678 60  5 35  0  0\n";
        assertEquals(0.65, ProbeParser.cpuUsage(noHeader), EPS);
    }

    @Test
    public void cannedOutputsOfTheTestsAreReadAsIntended() throws Exception {
        assertEquals(0.25, ProbeParser.memUsage(Outputs.free(8_000_000, 2_000_000)), EPS);
        assertEquals(0.70, ProbeParser.cpuUsage(Outputs.vmstat(30)), EPS);
        assertEquals(0.70, ProbeParser.cpuUsage(Outputs.vmstatWithGuest(30)), EPS);
        assertEquals(0.0, ProbeParser.cpuUsage(Outputs.vmstat(100)), EPS);
    }

    @Test
    public void whatIsNotFreeOrVmstatIsRefusedWithTheOutputQuoted() {
        ProbeParseException e = assertThrows(ProbeParseException.class, () -> ProbeParser.memUsage(""));
        assertTrue(e.getMessage(), e.getMessage().contains("(no output)"));
        e = assertThrows(ProbeParseException.class, () -> ProbeParser.memUsage("sh: 1: free: not found\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("no Mem: line") && e.getMessage().contains("not found"));
        e = assertThrows(ProbeParseException.class, () -> ProbeParser.memUsage(
                "               total        used\nMem:            15Gi       2.9Gi\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"15Gi\""));
        e = assertThrows(ProbeParseException.class, () -> ProbeParser.memUsage("  total used\nMem: 0 0\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("total of free is 0"));

        String headerOnly = "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n"
                + " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n";
        e = assertThrows(ProbeParseException.class, () -> ProbeParser.cpuUsage(headerOnly));
        assertTrue(e.getMessage(), e.getMessage().contains("no sample line"));
        e = assertThrows(ProbeParseException.class, () -> ProbeParser.cpuUsage(headerOnly + " 1 0 0 5 5 5 0 0 0 0 1 1 x\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("no column 15"));
        e = assertThrows(ProbeParseException.class,
                () -> ProbeParser.cpuUsage(headerOnly + " 1 0 0 5 5 5 0 0 0 0 1 1 2 3 9x 0 0\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"9x\""));
        e = assertThrows(ProbeParseException.class,
                () -> ProbeParser.cpuUsage(headerOnly + " 1 0 0 5 5 5 0 0 0 0 1 1 2 3 101 0 0\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("more than 100"));
        assertThrows(ProbeParseException.class, () -> ProbeParser.cpuUsage(null));
    }
}
