package io.ionclock.adapter.pps;

import java.io.IOException;

/**
 * A device that timestamps PPS assert edges on CLOCK_REALTIME, such as {@link LinuxPpsDevice}. Used by one
 * thread at a time.
 */
public interface PpsSource extends AutoCloseable {

    /**
     * Waits up to {@code timeoutNanos} for the next assert edge.
     *
     * @return true with {@code out} filled, false if no edge came within the timeout
     * @throws IOException the device failed or went away; the caller closes it and opens a new one
     */
    boolean fetch(long timeoutNanos, PpsEdge out) throws IOException;

    /** Releases the device. Idempotent. */
    @Override
    void close();

    /** Opens a source; called again after a failure. */
    @FunctionalInterface
    interface Opener {
        PpsSource open() throws IOException;
    }
}
