package io.ionclock.adapter.serial;

/**
 * Receives the lines a {@link SerialLineReader} splits out of the serial byte stream.
 *
 * <p>Called on the reader's own thread, one line at a time, in arrival order. Keep it short: the reader does
 * not read while the sink runs. A sink that throws has the exception counted as an error; reading goes on.
 */
@FunctionalInterface
public interface LineSink {

    /**
     * One line, without its LF and without a CR directly before the LF. Empty lines are not delivered. The
     * bytes are untrusted and unparsed.
     *
     * @param buf         buffer owned by the reader and reused: valid only during this call, copy what you keep
     * @param off         offset of the first byte of the line in {@code buf}
     * @param len         line length in bytes, 1..{@link SerialLineReader#LINE_BYTES_MAX}
     * @param rxMonoNanos {@code System.nanoTime()} (CLOCK_MONOTONIC) taken when the read() that delivered the
     *                    line's first byte returned
     */
    void onLine(byte[] buf, int off, int len, long rxMonoNanos);
}
