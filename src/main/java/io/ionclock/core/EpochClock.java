package io.ionclock.core;

/** A clock giving nanoseconds since the Unix epoch (UTC, no leap seconds). Named {@code ...EpochNanos}. */
@FunctionalInterface
public interface EpochClock {
    long epochNanos();
}
