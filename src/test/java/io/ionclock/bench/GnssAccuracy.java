package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.gnss.GnssReferenceSource;
import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.testing.SimulatedReceiver;
import io.ionclock.testing.SocatPtyPair;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A GNSS receiver on a real pseudo-terminal (socat), emitting NMEA 250..350 ms after each host second,
 * with or without a (fake) kernel PPS device pulsing on the host second; the real serial adapter,
 * parser, pairing and discipline. Run: {@code ./ionclock bench-gnss nmea|pps [SECONDS]}.
 */
public final class GnssAccuracy {
    static final long NOT_BEFORE_EPOCH_MILLIS = 1_767_225_600_000L; // 2026-01-01

    public static void main(String[] args) throws Exception {
        boolean pps = args.length > 0 && args[0].equals("pps");
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        Path dir = Files.createTempDirectory("ionclock-bench-gnss");
        try (SocatPtyPair pty = SocatPtyPair.start(dir);
                SimulatedReceiver receiver = new SimulatedReceiver(pty.openFeed(), 250, 100, 1)) {
            GnssReferenceSource source = new GnssReferenceSource(new SerialPortConfig(pty.gnss().toString(), 9600),
                    pps ? GnssReferenceSource.kernelPps(receiver.ppsDevice()) : null, NOT_BEFORE_EPOCH_MILLIS);
            DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), System.nanoTime(),
                    SystemMonoClock.HOST_EPOCH.epochNanos(), Double.NaN);
            receiver.start(pps);
            source.start(sample -> clock.onSample(sample, System.nanoTime()));
            String report = AccuracyRun.measure(clock, SystemMonoClock.INSTANCE, seconds, pps ? 1_000_000 : 1_000_000_000);
            System.out.printf("gnss accuracy (%s), %d s, NMEA delay 250..350 ms%n%s%s%n", pps ? "NMEA + kernel PPS" : "NMEA only",
                    seconds, report, source.details());
            source.close();
        }
    }
}
