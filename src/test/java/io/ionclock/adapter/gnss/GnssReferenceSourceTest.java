package io.ionclock.adapter.gnss;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.testing.Peers;
import io.ionclock.testing.SimulatedReceiver;
import io.ionclock.testing.SocatPtyPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver on a real pseudo-terminal (socat) and a fake kernel PPS device, both driven in real time by
 * {@link SimulatedReceiver} against the host clock, through the real parser, pairing and discipline.
 */
class GnssReferenceSourceTest {
    static final long NOT_BEFORE_EPOCH_MILLIS = 1_767_225_600_000L; // 2026-01-01
    static final Duration SYNC_DEADLINE = Duration.ofSeconds(30);
    static final long NMEA_DELAY_MILLIS = 300;
    static final long WOBBLE_MILLIS = 40;

    @TempDir
    Path dir;

    @BeforeEach
    void needsSocat() {
        Peers.require(Peers.SOCAT);
    }


    /** Runs the source into a clock until {@code done}, checking every read against the host clock. */
    static ClockSnapshot runUntilSynchronized(GnssReferenceSource source, String expectedSourcePrefix, long readsAfterSync) {
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), System.nanoTime(),
                SimulatedReceiver.hostEpochNanos(), Double.NaN);
        source.start(sample -> clock.onSample(sample, System.nanoTime()));
        try {
            await().atMost(SYNC_DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
                ClockSnapshot s = clock.snapshot(System.nanoTime());
                return s.status() == ClockStatus.SYNCHRONIZED && s.source().startsWith(expectedSourcePrefix)
                        && s.sampleCount() >= 3;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not synchronized on " + expectedSourcePrefix + ": "
                    + clock.snapshot(System.nanoTime()) + "\n" + source.details(), e);
        }
        ClockReading r = new ClockReading();
        long last = Long.MIN_VALUE;
        for (long i = 0; i < readsAfterSync; i++) {
            long before = SimulatedReceiver.hostEpochNanos();
            clock.read(SystemMonoClock.INSTANCE.monoNanos(), r);
            long after = SimulatedReceiver.hostEpochNanos();
            assertTrue(r.earliestNanos() <= after && r.latestNanos() >= before,
                    "host clock outside the bound: " + r.epochNanos + " +- " + r.boundNanos + ", host " + before);
            assertTrue(r.epochNanos >= last);
            last = r.epochNanos;
        }
        return clock.snapshot(System.nanoTime());
    }

    @Test
    void gnssWithKernelPpsSynchronizesOnThePulseAndMeasuresTheNmeaDelay() throws Exception {
        try (SocatPtyPair pty = SocatPtyPair.start(dir);
                SimulatedReceiver receiver = new SimulatedReceiver(pty.openFeed(), NMEA_DELAY_MILLIS, WOBBLE_MILLIS, 5)) {
            GnssReferenceSource source = new GnssReferenceSource(new SerialPortConfig(pty.gnss().toString(), 9600),
                    GnssReferenceSource.kernelPps(receiver.ppsDevice()), NOT_BEFORE_EPOCH_MILLIS);
            receiver.start(true);
            try {
                ClockSnapshot s = runUntilSynchronized(source, "GNSS+PPS", 200_000);
                assertEquals("GNSS+PPS", s.source());
                assertTrue(s.boundNanos() < 1_000_000, "PPS-grade bound: " + s.boundNanos());
                await().atMost(SYNC_DEADLINE).until(() -> (Boolean) source.details().get("nmeaDelayCalibrated"));
                Map<String, Object> d = source.details();
                long meanNanos = (Long) d.get("nmeaDelayMeanNanos");
                // Between the scheduled delay and the latest the receiver really wrote (a loaded machine writes late;
                // the pty adds little), plus 30 ms for the pty.
                assertTrue(meanNanos > NMEA_DELAY_MILLIS * 1_000_000
                        && meanNanos < Math.max((NMEA_DELAY_MILLIS + WOBBLE_MILLIS) * 1_000_000, receiver.writeDelayNanosMax())
                                + 30_000_000L,
                        "measured NMEA delay " + meanNanos + ", the receiver's latest write " + receiver.writeDelayNanosMax());
                assertEquals(0L, d.get("ambiguousDropped"));
                assertEquals(0L, d.get("labelConflicts"));
            } finally {
                source.close();
            }
        }
    }

    @Test
    void nmeaAloneSynchronizesWithAnHonestHalfSecondBound() throws Exception {
        try (SocatPtyPair pty = SocatPtyPair.start(dir);
                SimulatedReceiver receiver = new SimulatedReceiver(pty.openFeed(), 700, 150, 9)) {
            GnssReferenceSource source = new GnssReferenceSource(new SerialPortConfig(pty.gnss().toString(), 9600),
                    null, NOT_BEFORE_EPOCH_MILLIS);
            receiver.start(false);
            try {
                ClockSnapshot s = runUntilSynchronized(source, "GNSS", 200_000);
                assertEquals("GNSS", s.source());
                assertTrue(s.boundNanos() >= 500_000_000 && s.boundNanos() < 1_000_000_000, "bound " + s.boundNanos());
                assertTrue((Long) source.details().get("nmeaOnlySamples") >= 3);
            } finally {
                source.close();
            }
        }
    }
}
