package io.ionclock.core;

/**
 * The drift rate (SLI M2): how fast the measured frequency changes, from periodic readings of it. Readings
 * closer than {@link #READING_INTERVAL_NANOS_MIN} to the previous one are ignored; the trend is the least-squares
 * slope of the readings within the last {@link #WINDOW_NANOS}, in ppb per hour, and {@code NaN} until the
 * readings span at least {@link #SPAN_NANOS_MIN}. Not thread-safe: the caller synchronises.
 */
public final class FrequencyTrend {
    /** The window the slope is fitted over. */
    public static final long WINDOW_NANOS = 3_600_000_000_000L;
    /** At most one reading a minute. */
    public static final long READING_INTERVAL_NANOS_MIN = 60_000_000_000L;
    /** Readings kept: a window's worth at the minimum interval, and one more. */
    public static final int READINGS_MAX = (int) (WINDOW_NANOS / READING_INTERVAL_NANOS_MIN) + 1;
    /** No trend from readings spanning less than ten minutes. */
    public static final long SPAN_NANOS_MIN = 600_000_000_000L;
    static final double NANOS_PER_HOUR = 3_600e9;

    private final long[] monoNanos = new long[READINGS_MAX];
    private final double[] frequencyPpb = new double[READINGS_MAX];
    private int newest = -1;
    private int count;

    /** One reading of the frequency at {@code nowMonoNanos}; returns whether it was kept. */
    public boolean offer(long nowMonoNanos, double frequencyPpbNow) {
        if (Double.isNaN(frequencyPpbNow) || Double.isInfinite(frequencyPpbNow)) {
            return false;
        }
        if (count > 0 && nowMonoNanos - monoNanos[newest] < READING_INTERVAL_NANOS_MIN) {
            return false;
        }
        newest = (newest + 1) % READINGS_MAX;
        monoNanos[newest] = nowMonoNanos;
        frequencyPpb[newest] = frequencyPpbNow;
        count = Math.min(count + 1, READINGS_MAX);
        return true;
    }

    /** The slope of the frequency over the window ending at {@code nowMonoNanos}, ppb per hour, or NaN. */
    public double ppbPerHour(long nowMonoNanos) {
        int n = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        double sumX = 0;
        double sumY = 0;
        for (int i = 0; i < count; i++) {
            int k = Math.floorMod(newest - i, READINGS_MAX);
            long age = nowMonoNanos - monoNanos[k];
            if (age > WINDOW_NANOS || age < 0) {
                continue;
            }
            double x = (monoNanos[k] - nowMonoNanos) / NANOS_PER_HOUR;
            sumX += x;
            sumY += frequencyPpb[k];
            first = Math.min(first, monoNanos[k]);
            last = Math.max(last, monoNanos[k]);
            n++;
        }
        if (n < 2 || last - first < SPAN_NANOS_MIN) {
            return Double.NaN;
        }
        double meanX = sumX / n;
        double meanY = sumY / n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < count; i++) {
            int k = Math.floorMod(newest - i, READINGS_MAX);
            long age = nowMonoNanos - monoNanos[k];
            if (age > WINDOW_NANOS || age < 0) {
                continue;
            }
            double dx = (monoNanos[k] - nowMonoNanos) / NANOS_PER_HOUR - meanX;
            sxy += dx * (frequencyPpb[k] - meanY);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
