package io.ionclock.testing;

import io.ionclock.adapter.pps.PpsEdge;
import io.ionclock.adapter.pps.PpsSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GNSS receiver in real time against the host clock: at each host second boundary it "pulses" (the
 * edge's CLOCK_REALTIME goes into {@link #edges()}), and {@code nmeaDelayMillis} (+ seeded wobble) later
 * writes RMC and GGA for that second to the serial feed. Paced by a scheduler; nothing sleeps.
 */
public final class SimulatedReceiver implements AutoCloseable {
    static final long SECOND_NANOS = 1_000_000_000L;

    private final OutputStream feed;
    private final long nmeaDelayMillis;
    private final long wobbleMillis;
    private final SplittableRandom random;
    private final BlockingQueue<Long> edges = new LinkedBlockingQueue<>(64);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-receiver");
        t.setDaemon(true);
        return t;
    });

    public SimulatedReceiver(OutputStream feed, long nmeaDelayMillis, long wobbleMillis, long seed) {
        this.feed = feed;
        this.nmeaDelayMillis = nmeaDelayMillis;
        this.wobbleMillis = wobbleMillis;
        this.random = new SplittableRandom(seed);
    }

    /** Edge times (CLOCK_REALTIME ns) for a fake PPS device; only filled if {@code pps} was started. */
    public BlockingQueue<Long> edges() {
        return edges;
    }

    /** A fake {@code /dev/ppsN}: hands over this receiver's edges (CLOCK_REALTIME) as PPS_FETCH would. */
    public PpsSource.Opener ppsDevice() {
        AtomicLong sequence = new AtomicLong();
        return () -> new PpsSource() {
            @Override
            public boolean fetch(long timeoutNanos, PpsEdge out) throws InterruptedIOException {
                try {
                    Long realtime = edges.poll(timeoutNanos, TimeUnit.NANOSECONDS);
                    if (realtime == null) {
                        return false;
                    }
                    out.set(realtime, sequence.incrementAndGet());
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }

            @Override
            public void close() {
            }
        };
    }

    public SimulatedReceiver start(boolean pps) {
        long nowNanos = hostEpochNanos();
        long toBoundaryNanos = SECOND_NANOS - Math.floorMod(nowNanos, SECOND_NANOS);
        if (pps) {
            scheduler.scheduleAtFixedRate(this::pulse, toBoundaryNanos + 2_000_000, SECOND_NANOS, TimeUnit.NANOSECONDS);
        }
        scheduler.scheduleAtFixedRate(this::second, toBoundaryNanos, SECOND_NANOS, TimeUnit.NANOSECONDS);
        return this;
    }

    private void pulse() {
        long nowNanos = hostEpochNanos();
        edges.offer(nowNanos - Math.floorMod(nowNanos, SECOND_NANOS));
    }

    private void second() {
        long boundaryNanos = hostEpochNanos();
        long second = Math.floorDiv(boundaryNanos, SECOND_NANOS);
        long delayNanos = (nmeaDelayMillis + (wobbleMillis == 0 ? 0 : random.nextLong(0, wobbleMillis + 1))) * 1_000_000;
        scheduler.schedule(() -> write(second), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void write(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        String hms = String.format("%02d%02d%02d.00", t.getHour(), t.getMinute(), t.getSecond());
        String dmy = String.format("%02d%02d%02d", t.getDayOfMonth(), t.getMonthValue(), t.getYear() % 100);
        String text = sentence("GPRMC," + hms + ",A,4807.038,N,01131.000,E,0.0,0.0," + dmy + ",,,A")
                + sentence("GPGGA," + hms + ",4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
        try {
            feed.write(text.getBytes(StandardCharsets.US_ASCII));
            feed.flush();
            long lateNanos = hostEpochNanos() - epochSecond * SECOND_NANOS;
            writeDelayNanosMax.accumulateAndGet(lateNanos, Math::max);
        } catch (IOException e) {
            // the pty went away (a test unplugging the receiver): the next second tries again
        }
    }

    /** {@code $BODY*CS\r\n} with the NMEA checksum. */
    public static String sentence(String body) {
        int cs = 0;
        for (int i = 0; i < body.length(); i++) {
            cs ^= body.charAt(i);
        }
        return "$" + body + String.format("*%02X\r\n", cs);
    }

    private final java.util.concurrent.atomic.AtomicLong writeDelayNanosMax = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The longest a second's NMEA actually took to be written after the second began: the scheduled delay and wobble,
     * plus whatever a loaded machine added (a test's upper expectation).
     */
    public long writeDelayNanosMax() {
        return writeDelayNanosMax.get();
    }

    public static long hostEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * SECOND_NANOS + now.getNano();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
