package io.ionclock.adapter.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static final int LINE_BYTES_MAX = 16;

    record Line(String text, long rxMonoNanos) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final List<RuntimeException> sinkFailures = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(LINE_BYTES_MAX,
            (buf, off, len, rxMonoNanos) -> lines.add(
                    new Line(new String(buf, off, len, StandardCharsets.ISO_8859_1), rxMonoNanos)),
            sinkFailures::add);

    @Test
    void splitsOnLfAndStripsOneCrBeforeIt() {
        feed("$A*00\r\n$B*01\n\r\n\n$C\r\r\n", 10);

        assertEquals(List.of(new Line("$A*00", 10), new Line("$B*01", 10), new Line("$C\r", 10)), lines);
        assertEquals(3, splitter.lines());
    }

    @Test
    void keepsCrAndOtherBytesInsideALine() {
        feed("a\rb\u0000\u00ff\n", 1);

        assertEquals(List.of(new Line("a\rb\u0000\u00ff", 1)), lines);
    }

    @Test
    void rxTimeIsThatOfTheReadDeliveringTheFirstByte() {
        feed("$GPZ", 100);
        feed("DA,1", 200);
        feed("\r", 300);
        feed("\n$X", 400);
        feed("Y\n", 500);

        assertEquals(List.of(new Line("$GPZDA,1", 100), new Line("$XY", 400)), lines);
    }

    @Test
    void lineOfExactlyTheLimitIsDeliveredWithOrWithoutCr() {
        String max = "M".repeat(LINE_BYTES_MAX);
        feed(max + "\r\n" + max + "\n", 7);

        assertEquals(List.of(new Line(max, 7), new Line(max, 7)), lines);
        assertEquals(0, splitter.overlongDropped());
    }

    @Test
    void lineOneByteOverTheLimitIsDroppedWithOrWithoutCr() {
        String over = "O".repeat(LINE_BYTES_MAX + 1);
        feed(over + "\n" + over + "\r\n" + over + "\r\r\n", 7);
        feed("ok\n", 8);

        assertEquals(List.of(new Line("ok", 8)), lines);
        assertEquals(3, splitter.overlongDropped());
    }

    @Test
    void veryLongLineIsCountedOnceAndSplittingResyncsAtTheNextLf() {
        feed("X".repeat(10 * LINE_BYTES_MAX), 1);
        feed("Y".repeat(10 * LINE_BYTES_MAX), 2);
        feed("still the same line\r\n$next", 3);
        feed("\n", 4);

        assertEquals(List.of(new Line("$next", 3)), lines);
        assertEquals(1, splitter.overlongDropped());
    }

    @Test
    void sinkExceptionIsReportedAndSplittingGoesOn() {
        LineSplitter failing = new LineSplitter(LINE_BYTES_MAX, (buf, off, len, rx) -> {
            if (buf[off] == 'x') {
                throw new IllegalStateException("boom");
            }
            lines.add(new Line(new String(buf, off, len, StandardCharsets.ISO_8859_1), rx));
        }, sinkFailures::add);
        byte[] bytes = "x1\ny2\n".getBytes(StandardCharsets.ISO_8859_1);
        failing.accept(bytes, 0, bytes.length, 5);

        assertEquals(List.of(new Line("y2", 5)), lines);
        assertEquals(1, sinkFailures.size());
        assertEquals("boom", sinkFailures.get(0).getMessage());
    }

    @Test
    void resetForgetsAPartialLine() {
        feed("$HALF", 1);
        splitter.reset();
        feed("$NEW\n", 2);
        feed("X".repeat(LINE_BYTES_MAX + 5), 3);
        splitter.reset();
        feed("$AFTER\n", 4);

        assertEquals(List.of(new Line("$NEW", 2), new Line("$AFTER", 4)), lines);
    }

    @Test
    void honoursOffsetAndLength() {
        byte[] bytes = "garbage$IN\nRANGE\nafter".getBytes(StandardCharsets.ISO_8859_1);
        splitter.accept(bytes, 7, 10, 9);

        assertEquals(List.of(new Line("$IN", 9), new Line("RANGE", 9)), lines);
        assertTrue(sinkFailures.isEmpty());
    }

    private void feed(String text, long rxMonoNanos) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        splitter.accept(bytes, 0, bytes.length, rxMonoNanos);
    }
}
