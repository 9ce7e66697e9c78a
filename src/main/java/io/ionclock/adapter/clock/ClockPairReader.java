package io.ionclock.adapter.clock;

/** Reads CLOCK_REALTIME bracketed by CLOCK_MONOTONIC; injected so conversions are testable. */
@FunctionalInterface
public interface ClockPairReader {

    /** Fills {@code out} with a fresh reading. */
    void read(ClockPair out);
}
