package org.iasplatform.runtime.docker.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** Frames of any size become whole lines; long lines are cut, CRs dropped, a last unfinished line kept. */
public class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void linesSplitAcrossFramesAreJoinedAndOneFrameMayHoldSeveral() {
        LineSplitter splitter = new LineSplitter(64, lines::add);
        splitter.feed(bytes("hel"));
        splitter.feed(bytes("lo\r\nwor"));
        splitter.feed(bytes("ld\nsecond\nthird"));
        assertEquals(List.of("hello", "world", "second"), lines);
        splitter.finish();
        assertEquals(List.of("hello", "world", "second", "third"), lines);
    }

    @Test
    public void aMultiByteCharacterSplitBetweenFramesIsKept() {
        LineSplitter splitter = new LineSplitter(64, lines::add);
        byte[] lux = bytes("lux ≥ 40\n");
        int middle = "lux ".length() + 1; // inside the three bytes of '≥'
        splitter.feed(java.util.Arrays.copyOfRange(lux, 0, middle));
        splitter.feed(java.util.Arrays.copyOfRange(lux, middle, lux.length));
        assertEquals(List.of("lux ≥ 40"), lines);
    }

    @Test
    public void aLineLongerThanTheBoundIsCutAndTheNextLineIsWhole() {
        LineSplitter splitter = new LineSplitter(16, lines::add);
        splitter.feed(bytes("0123456789abcdef-and-much-more"));
        splitter.feed(bytes("-still-the-same-line\nnext\n"));
        assertEquals(List.of("0123456789abcdef" + LineSplitter.CUT_MARK, "next"), lines);
    }

    @Test
    public void aFailingSinkDoesNotStopTheSplitting() {
        List<String> seen = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(64, line -> {
            seen.add(line);
            throw new IllegalStateException("sink down");
        });
        splitter.feed(bytes("a\nb\n"));
        assertEquals(List.of("a", "b"), seen);
    }
}
