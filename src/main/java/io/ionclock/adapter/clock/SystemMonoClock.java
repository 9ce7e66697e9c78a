package io.ionclock.adapter.clock;

import io.ionclock.core.EpochClock;
import io.ionclock.core.MonoClock;

/** The host's clocks: the only place outside tests that reads them. */
public final class SystemMonoClock implements MonoClock {
    public static final SystemMonoClock INSTANCE = new SystemMonoClock();
    /** CLOCK_REALTIME with the JVM's full resolution. */
    public static final EpochClock HOST_EPOCH = () -> {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };

    private SystemMonoClock() {
    }

    @Override
    public long monoNanos() {
        return System.nanoTime();
    }
}
