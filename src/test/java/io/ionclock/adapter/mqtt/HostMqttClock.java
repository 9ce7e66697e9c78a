package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;

/** A stand-in disciplined clock for adapter tests: the host clock, read once, advanced by the monotonic clock. */
public final class HostMqttClock implements MqttClock {
    public static final long BOUND_NANOS = 1_000;
    public static final String SOURCE = "SIM";
    private final long baseMonoNanos = System.nanoTime();
    private final long baseEpochNanos = SystemMonoClock.HOST_EPOCH.epochNanos();

    @Override
    public void read(ClockReading out) {
        long mono = System.nanoTime();
        out.monoNanos = mono;
        out.epochNanos = baseEpochNanos + (mono - baseMonoNanos);
        out.boundNanos = BOUND_NANOS;
        out.status = ClockStatus.SYNCHRONIZED;
    }

    @Override
    public ClockSnapshot snapshot() {
        long mono = System.nanoTime();
        return new ClockSnapshot(mono, baseEpochNanos + (mono - baseMonoNanos), BOUND_NANOS, ClockStatus.SYNCHRONIZED,
                SOURCE, LeapIndicator.NONE, 0, 0, 0, 0, 0, 0, 2);
    }

    @Override
    public long monoNanos() {
        return System.nanoTime();
    }
}
