package io.ionclock.core;

/**
 * The recent past of the clock for the status page: one point a second (the time served, the offset still being
 * slewed out, the bound and the status), in a ring of {@link #POINTS_MAX} points (one hour), oldest overwritten.
 * Single writer; readers take a consistent copy with {@link #copy}.
 */
public final class OffsetHistory {
    /** One hour at one point a second. */
    public static final int POINTS_MAX = 3600;

    /**
     * One point: {@code offsetNanos} is {@code local - reference} still being slewed out, {@code lastOffsetNanos} the
     * last sample's (positive: we are ahead).
     */
    public record Point(long epochNanos, long offsetNanos, long lastOffsetNanos, long boundNanos, ClockStatus status) {
    }

    private final Point[] ring;
    private int next;
    private int size;

    public OffsetHistory() {
        this(POINTS_MAX);
    }

    public OffsetHistory(int pointsMax) {
        if (pointsMax < 1 || pointsMax > POINTS_MAX) {
            throw new IllegalArgumentException("pointsMax must be in [1, " + POINTS_MAX + "]: " + pointsMax);
        }
        ring = new Point[pointsMax];
    }

    /** Records a snapshot; the oldest point goes when the ring is full. */
    public synchronized void record(ClockSnapshot s) {
        ring[next] = new Point(s.epochNanos(), s.offsetNanos(), s.lastOffsetNanos(), s.boundNanos(), s.status());
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The points, oldest first. */
    public synchronized Point[] copy() {
        Point[] out = new Point[size];
        int start = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }
}
