package io.ionclock.adapter.serial;

import java.util.function.Consumer;

/**
 * Splits a byte stream into lines on LF, strips a CR directly before the LF, and hands each non-empty line to
 * a {@link LineSink} with the receive time of its first byte. A line longer than {@code lineBytesMax} is
 * dropped and counted once; splitting resyncs at the next LF. Not thread-safe: one reader thread feeds it;
 * counters may be read from any thread.
 */
final class LineSplitter {

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final LineSink sink;
    private final Consumer<RuntimeException> onSinkFailure;
    private final int lineBytesMax;
    /** One byte more than lineBytesMax: room for the CR of a CRLF line of maximum length. */
    private final byte[] line;
    private int lineLen;
    private boolean discarding;
    private long lineRxMonoNanos;

    private volatile long lines;
    private volatile long overlongDropped;

    LineSplitter(int lineBytesMax, LineSink sink, Consumer<RuntimeException> onSinkFailure) {
        if (lineBytesMax < 1) {
            throw new IllegalArgumentException("lineBytesMax must be >= 1: " + lineBytesMax);
        }
        this.lineBytesMax = lineBytesMax;
        this.line = new byte[lineBytesMax + 1];
        this.sink = sink;
        this.onSinkFailure = onSinkFailure;
    }

    /**
     * Feeds bytes that one read returned.
     *
     * @param rxMonoNanos System.nanoTime() when that read returned
     */
    void accept(byte[] buf, int off, int len, long rxMonoNanos) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte b = buf[i];
            if (b == LF) {
                endLine();
            } else if (discarding) {
                continue;
            } else if (lineLen == line.length) {
                discarding = true;
                lineLen = 0;
                overlongDropped++;
            } else {
                if (lineLen == 0) {
                    lineRxMonoNanos = rxMonoNanos;
                }
                line[lineLen++] = b;
            }
        }
    }

    /** Forgets a partial line (the device went away mid-line). */
    void reset() {
        lineLen = 0;
        discarding = false;
    }

    long lines() {
        return lines;
    }

    long overlongDropped() {
        return overlongDropped;
    }

    private void endLine() {
        if (discarding) {
            discarding = false;
            lineLen = 0;
            return;
        }
        int len = lineLen;
        lineLen = 0;
        if (len > 0 && line[len - 1] == CR) {
            len--;
        }
        if (len > lineBytesMax) {
            overlongDropped++;
            return;
        }
        if (len == 0) {
            return;
        }
        lines++;
        try {
            sink.onLine(line, 0, len, lineRxMonoNanos);
        } catch (RuntimeException e) {
            onSinkFailure.accept(e);
        }
    }
}
