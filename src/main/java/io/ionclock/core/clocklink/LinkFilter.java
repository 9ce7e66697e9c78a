package io.ionclock.core.clocklink;

/**
 * One link's measurements of a peer's clock against the local monotonic clock, filtered so that queueing
 * jitter does not become offset. Pure, allocation-free, single-threaded.
 *
 * <p>The quantity is {@code x(t) = peerEpoch(t) - mono(t)} (the peer's published time minus our timebase).
 * An exchange (t1 our send, t2 peer receive, t3 peer send, t4 our receive; t1, t4 on our mono clock, t2, t3
 * on the peer's clock) gives an upper point {@code U = t2 - t1 >= x(t1)} and a lower point
 * {@code L = t3 - t4 <= x(t4)}: one-way delays are never negative. Two estimates come out of it:
 * <ul>
 *   <li>the <b>value</b>: the envelopes of the window's points for a slope s (the node's common slope of x,
 *       found by maximising the summed gaps {@link #gap} of all its links): the tightest line of slope s below
 *       every U point and the tightest above every L point, averaged. Queueing delay only ever pushes U up and L
 *       down, so it falls out (the envelope of n exponential delays errs by about mean / n); an asymmetry of the
 *       fixed delays does not (it cannot be seen from one link). The window is {@link #BINS} time bins keeping
 *       each bin's extreme points (after removing the current slope); a young filter uses short bins, so its
 *       window is about its age.</li>
 *   <li>the <b>honest interval</b>: from the raw exchanges only, {@code [L - B - e, U + B + e]} where B is the
 *       peer's bound and e our timestamp error, moved to the asked instant with the oscillator tolerance. The
 *       truth lies in it whatever the asymmetry: it is half the round trip wide at least.</li>
 * </ul>
 * An exchange entirely outside both envelopes (beyond a slack) is a step of the peer's clock or the path: the
 * filter restarts from it.
 */
public final class LinkFilter {
    /** Time bins in the window. */
    public static final int BINS = 32;
    /** The shortest window {@link #setWindow} takes. */
    static final long WINDOW_NANOS_MIN = 1_000_000_000L;
    /** Raw exchanges kept for the honest interval. */
    static final int RECENT = 8;

    /**
     * The filter window that balances the envelope's error (about jitter x poll / window) against a wandering
     * oscillator's (about wander x window^1.5): {@code WINDOW_REF x (jitter x poll / (WINDOW_REF_JITTER_POLL x
     * wander))^0.4}. Calibrated on the simulator's links (docs/clocklink.md): 64 s for 50 us of exponential jitter
     * polled every 100 ms under 1 ppb/sqrt(s).
     */
    public static final long WINDOW_REF_NANOS = 64_000_000_000L;
    public static final double WINDOW_REF_JITTER_POLL_NANOS_SECONDS = 5_000;
    public static final double WINDOW_EXPONENT = 0.4;
    /** A window holds at least this many polls. */
    public static final int WINDOW_POLLS_MIN = 32;
    /** The longest window; the node sizes the current one within it ({@link #setWindow}). */
    private final long windowMaxNanos;
    private long windowNanos;
    private long binNanos;
    private long binNanosMin;
    private long firstMonoNanos;
    private final long frequencyTolerancePpb;
    private final long timestampErrorNanos;

    // Origin of the doubles (ns since 1970 do not fit a double's mantissa).
    private boolean hasOrigin;
    private long originMonoNanos;
    private long originX;

    // Bins, a ring: index (binHead + k) % BINS for k in 0..binCount-1, oldest first.
    private final long[] binStartMono = new long[BINS];
    private final int[] binExchanges = new int[BINS];
    private final double[] binUT = new double[BINS];
    private final double[] binU = new double[BINS];
    private final double[] binLT = new double[BINS];
    private final double[] binL = new double[BINS];
    private final long[] binMinDelay = new long[BINS];
    private int binHead;
    private int binCount;
    private long windowExchanges; // sum of binExchanges over the ring

    // Recent raw exchanges (honest intervals at their mid instant).
    private final long[] recentMidMono = new long[RECENT];
    private final long[] recentLow = new long[RECENT];
    private final long[] recentHigh = new long[RECENT];
    private int recentNext;
    private int recentCount;

    private double slope; // d x / d mono used to pick bin extremes
    private long exchanges;
    private long resets;
    private double meanExcessNanos = -1; // mean of (delay - min delay)/2: the queueing jitter's scale


    public LinkFilter(long windowNanos, long frequencyTolerancePpb, long timestampErrorNanos) {
        if (windowNanos < BINS || frequencyTolerancePpb <= 0 || timestampErrorNanos < 0) {
            throw new IllegalArgumentException("bad filter parameters");
        }
        this.windowMaxNanos = windowNanos;
        setWindow(windowNanos);
        this.frequencyTolerancePpb = frequencyTolerancePpb;
        this.timestampErrorNanos = timestampErrorNanos;
    }

    public void reset() {
        binCount = 0;
        binHead = 0;
        windowExchanges = 0;
        recentCount = 0;
        recentNext = 0;
        hasOrigin = false;
        meanExcessNanos = -1;
        hullsDirty = true;
        resets++;
    }

    /**
     * Sets the window (clamped to 1 s .. the longest): bins opened from now on are a {@link #BINS}th of it and bins
     * older than it expire, so a longer window fills as time passes and a shorter one takes effect at once.
     */
    public void setWindow(long nanos) {
        windowNanos = Math.max(Math.min(WINDOW_NANOS_MIN, windowMaxNanos), Math.min(windowMaxNanos, nanos));
        binNanos = windowNanos / BINS;
        binNanosMin = Math.max(1, binNanos / 64);
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** The queueing jitter's scale: the mean of (delay - the window's least delay) / 2, ns; -1 before any exchange. */
    public double meanExcessNanos() {
        return meanExcessNanos;
    }

    /** Sets the slope (d x / d mono, e.g. the node's common estimate) used to pick each bin's extremes. */
    public void setSlope(double slope) {
        this.slope = slope;
    }

    /**
     * Adds one exchange.
     *
     * @param peerBoundNanos the peer's bound at t2/t3, including its timestamping error
     */
    public void add(long t1MonoNanos, long t2EpochNanos, long t3EpochNanos, long t4MonoNanos, long peerBoundNanos) {
        long u = t2EpochNanos - t1MonoNanos;
        long l = t3EpochNanos - t4MonoNanos;
        long delayNanos = u - l;
        // Honest interval at the mid instant.
        long allowanceNanos = toleranceNanos((t4MonoNanos - t1MonoNanos + 1) / 2) + 1;
        long e = peerBoundNanos + timestampErrorNanos + allowanceNanos;
        long midMono = t1MonoNanos + (t4MonoNanos - t1MonoNanos) / 2;

        if (inconsistent(t1MonoNanos, u, t4MonoNanos, l)) {
            reset(); // the peer's clock (or the path) stepped: start over from this exchange
        }
        if (!hasOrigin) {
            hasOrigin = true;
            originMonoNanos = t1MonoNanos;
            originX = u;
            firstMonoNanos = t1MonoNanos;
        }
        recentMidMono[recentNext] = midMono;
        recentLow[recentNext] = l - e;
        recentHigh[recentNext] = u + e;
        recentNext = (recentNext + 1) % RECENT;
        recentCount = Math.min(RECENT, recentCount + 1);

        double tu = t1MonoNanos - originMonoNanos;
        double tl = t4MonoNanos - originMonoNanos;
        double du = u - originX;
        double dl = l - originX;
        // Expire bins that left the window; open a bin when the newest is full (in time).
        while (binCount > 0 && t4MonoNanos - binStartMono[binHead] > windowNanos + binNanos) {
            windowExchanges -= binExchanges[binHead];
            binHead = (binHead + 1) % BINS;
            binCount--;
        }
        int newest = (binHead + binCount - 1 + BINS) % BINS;
        // A young filter uses short bins (its window is then about its age), so the slope is known early.
        long binNow = Math.max(binNanosMin, Math.min(binNanos, (t1MonoNanos - firstMonoNanos) / BINS));
        if (binCount == 0 || t1MonoNanos - binStartMono[newest] >= binNow) {
            if (binCount == BINS) {
                windowExchanges -= binExchanges[binHead];
                binHead = (binHead + 1) % BINS;
                binCount--;
            }
            newest = (binHead + binCount) % BINS;
            binCount++;
            binStartMono[newest] = t1MonoNanos;
            binExchanges[newest] = 0;
            binUT[newest] = tu;
            binU[newest] = du;
            binLT[newest] = tl;
            binL[newest] = dl;
            binMinDelay[newest] = delayNanos;
        } else {
            if (du - slope * tu < binU[newest] - slope * binUT[newest]) {
                binUT[newest] = tu;
                binU[newest] = du;
            }
            if (dl - slope * tl > binL[newest] - slope * binLT[newest]) {
                binLT[newest] = tl;
                binL[newest] = dl;
            }
            binMinDelay[newest] = Math.min(binMinDelay[newest], delayNanos);
        }
        binExchanges[newest]++;
        windowExchanges++;
        exchanges++;
        hullsDirty = true;
        long minDelay = minDelayNanos();
        double excess = Math.max(0, (delayNanos - minDelay) / 2.0);
        // Until the window shows its floor, the scale is taken as the whole half round trip (conservative).
        meanExcessNanos = meanExcessNanos < 0 ? delayNanos / 2.0 : meanExcessNanos + (excess - meanExcessNanos) / 64;
    }

    /**
     * A later, tighter lower point for an exchange already added (interleaved mode: {@code t3} is the peer's true
     * transmit time, which came with its next answer): {@code L = t3 - t4} joins the extremes of the bin holding
     * {@code t4}. False (nothing changed) when that bin has left the window, or the point lies above the upper envelope
     * beyond the slack {@link #inconsistent} allows (not an exchange of this path).
     */
    public boolean addLower(long t3EpochNanos, long t4MonoNanos) {
        if (binCount == 0 || !hasOrigin || t4MonoNanos < binStartMono[binHead]) {
            return false;
        }
        long l = t3EpochNanos - t4MonoNanos;
        double tl = t4MonoNanos - originMonoNanos;
        double dl = l - originX;
        envelopes(slope);
        double slackNanos = 4.0 * timestampErrorNanos + 2_000;
        if (dl > envUpper + slope * tl + slackNanos) {
            return false;
        }
        int bin = binHead;
        for (int k = 1; k < binCount; k++) {
            int b = (binHead + k) % BINS;
            if (binStartMono[b] <= t4MonoNanos) {
                bin = b;
            }
        }
        if (dl - slope * tl > binL[bin] - slope * binLT[bin]) {
            binLT[bin] = tl;
            binL[bin] = dl;
            hullsDirty = true;
        }
        return true;
    }

    /**
     * How far an exchange lies inside the envelopes on its worse side: the queueing it shows on the slower of its two
     * paths (its U above the upper envelope, or its L below the lower one), ns; 0 before any exchange. A clock that
     * shifts by more than this cannot be seen in the exchange.
     */
    double queueingExcessNanos(long t1MonoNanos, long t2EpochNanos, long t3EpochNanos, long t4MonoNanos) {
        if (binCount == 0) {
            return 0;
        }
        envelopes(slope);
        double up = (t2EpochNanos - t1MonoNanos - originX) - (envUpper + slope * (t1MonoNanos - originMonoNanos));
        double down = (envLower + slope * (t4MonoNanos - originMonoNanos)) - (t3EpochNanos - t4MonoNanos - originX);
        return Math.max(up, down);
    }

    /** The new exchange lies entirely outside the envelopes: a step, not jitter. */
    private boolean inconsistent(long t1MonoNanos, long u, long t4MonoNanos, long l) {
        if (binCount == 0) {
            return false;
        }
        envelopes(slope);
        double t1 = t1MonoNanos - originMonoNanos;
        double t4 = t4MonoNanos - originMonoNanos;
        double slackNanos = 4.0 * timestampErrorNanos + 2_000 + 1e-6 * Math.abs(t4 - meanTime());
        double upperAtT1 = envUpper + slope * t1;
        double lowerAtT4 = envLower + slope * t4;
        return (u - originX) < lowerAtT4 - slackNanos || (l - originX) > upperAtT1 + slackNanos;
    }

    // envelopes(s) results: the intercepts (at the origin) of the tightest lines of slope s above L and below U.
    private double envUpper;
    private double envLower;

    /**
     * The envelopes of slope {@code s}: {@code min(U - s t)} and {@code max(L - s t)} over the bins' extremes. Only
     * the vertices of the U points' lower convex hull (and the L points' upper hull) can be extreme for any slope, so
     * the hulls are kept (rebuilt when an exchange arrives) and scanned instead of every bin.
     */
    private void envelopes(double s) {
        if (hullsDirty) {
            buildHulls();
        } else if (envValid && s == envSlope) {
            return; // the same slope over the same hulls (between polls every estimate asks this)
        }
        double up = Double.POSITIVE_INFINITY;
        double lo = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < hullUCount; k++) {
            up = Math.min(up, hullUV[k] - s * hullUT[k]);
        }
        for (int k = 0; k < hullLCount; k++) {
            lo = Math.max(lo, hullLV[k] - s * hullLT[k]);
        }
        envUpper = up;
        envLower = lo;
        envSlope = s;
        envValid = true;
    }

    private double envSlope;
    private boolean envValid; // envUpper and envLower hold the envelopes of envSlope over the current hulls

    private boolean hullsDirty = true;
    private final double[] hullUT = new double[BINS];
    private final double[] hullUV = new double[BINS];
    private final double[] hullLT = new double[BINS];
    private final double[] hullLV = new double[BINS];
    private int hullUCount;
    private int hullLCount;

    /** Monotone-chain hulls over the bins' points, which are in time order. */
    private void buildHulls() {
        hullsDirty = false;
        envValid = false;
        hullUCount = 0;
        hullLCount = 0;
        double sum = 0;
        for (int k = 0; k < binCount; k++) {
            int i = (binHead + k) % BINS;
            sum += binUT[i] + binLT[i];
            hullUCount = push(hullUT, hullUV, hullUCount, binUT[i], binU[i], true);
            hullLCount = push(hullLT, hullLV, hullLCount, binLT[i], binL[i], false);
        }
        meanTimeNanos = binCount == 0 ? 0 : sum / (2 * binCount);
    }

    private static int push(double[] ht, double[] hv, int h, double t, double v, boolean lower) {
        if (h > 0 && t <= ht[h - 1]) {
            // Points at one instant (or out of order by rounding): keep the more extreme.
            if (lower ? v < hv[h - 1] : v > hv[h - 1]) {
                hv[h - 1] = v;
            }
            return h;
        }
        while (h >= 2) {
            double cross = (ht[h - 1] - ht[h - 2]) * (v - hv[h - 2]) - (hv[h - 1] - hv[h - 2]) * (t - ht[h - 2]);
            if (lower ? cross <= 0 : cross >= 0) {
                h--;
            } else {
                break;
            }
        }
        ht[h] = t;
        hv[h] = v;
        return h + 1;
    }

    /**
     * The gap between the envelopes of slope {@code s}: the round trip's floor seen with that slope. It is concave in
     * s and largest near the true slope (a wrong slope tilts the points against both envelopes), so the node finds
     * its common slope by maximising the sum of its links' gaps.
     */
    public double gap(double s) {
        envelopes(s);
        return envUpper - envLower;
    }

    /** Bins in the window: a link with fewer than 2 cannot tell a slope. */
    public int bins() {
        return binCount;
    }

    /** Mean instant of the bins' points (relative to the origin); cached with the hulls. */
    private double meanTime() {
        if (hullsDirty) {
            buildHulls();
        }
        return meanTimeNanos;
    }

    private double meanTimeNanos;

    public boolean hasData() {
        return binCount > 0;
    }

    /** The filtered {@code x} at {@code monoNanos}: the middle of the two envelopes of slope {@code slopeNow}. */
    public long valueAt(long monoNanos, double slopeNow) {
        envelopes(slopeNow);
        double t = monoNanos - originMonoNanos;
        return originX + Math.round((envUpper + envLower) / 2 + slopeNow * t);
    }

    /**
     * The filter's own error scale at {@code monoNanos}: the queueing jitter's mean over the exchanges in the
     * window (the envelope of n exponential delays errs by about mean/n), grown with the distance from the
     * window's centre, plus the timestamping error.
     */
    public long uncertaintyNanos(long monoNanos, boolean slopeKnown) {
        long n = exchangesInWindow();
        double spanNanos = Math.max(binNanosMin, spanNanos());
        double base = Math.max(0, meanExcessNanos) * 2.0 / Math.max(1, n);
        double distance = Math.abs(monoNanos - originMonoNanos - meanTime());
        double u = base * (1 + 2 * distance / spanNanos) + timestampErrorNanos;
        if (!slopeKnown) {
            u += distance * frequencyTolerancePpb * 1e-9; // extrapolated with a guessed slope
        }
        return (long) Math.ceil(u);
    }

    /** Time the bins cover, first to last. */
    public double spanNanos() {
        if (binCount == 0) {
            return 0;
        }
        int oldest = binHead;
        int newest = (binHead + binCount - 1) % BINS;
        return Math.max(binLT[newest], binUT[newest]) - Math.min(binLT[oldest], binUT[oldest]);
    }

    public long exchangesInWindow() {
        return windowExchanges;
    }

    /** Lowest round trip (less the peer's turnaround) in the window: ns. */
    public long minDelayNanos() {
        long d = Long.MAX_VALUE;
        for (int k = 0; k < binCount; k++) {
            d = Math.min(d, binMinDelay[(binHead + k) % BINS]);
        }
        return d == Long.MAX_VALUE ? -1 : d;
    }

    /** Scratch result of {@link #honestInterval}. */
    public long honestLow;
    public long honestHigh;

    /**
     * The narrowest honest interval for {@code x} at {@code monoNanos} from the recent exchanges, each widened by
     * what the oscillator may do between its instant and {@code monoNanos}. Sets {@link #honestLow} and
     * {@link #honestHigh}; false when there is no exchange.
     */
    public boolean honestInterval(long monoNanos) {
        long bestWidth = Long.MAX_VALUE;
        for (int k = 0; k < recentCount; k++) {
            long age = Math.abs(monoNanos - recentMidMono[k]);
            long a = toleranceNanos(age) + 1;
            long lo = recentLow[k] - a;
            long hi = recentHigh[k] + a;
            if (hi - lo < bestWidth) {
                bestWidth = hi - lo;
                honestLow = lo;
                honestHigh = hi;
            }
        }
        return bestWidth != Long.MAX_VALUE;
    }

    /** Instant of the newest exchange (its mid instant), or Long.MIN_VALUE. */
    public long newestMidMonoNanos() {
        if (recentCount == 0) {
            return Long.MIN_VALUE;
        }
        return recentMidMono[(recentNext - 1 + RECENT) % RECENT];
    }

    private long toleranceNanos(long durationNanos) {
        return (long) Math.ceil(durationNanos * (frequencyTolerancePpb * 1e-9));
    }

    public long exchanges() {
        return exchanges;
    }

    public long resets() {
        return resets;
    }

    /**
     * The window for a link with this queueing jitter (mean excess delay one way) polled every {@code periodNanos}:
     * the envelope errs by about jitter / exchanges in the window, a wandering oscillator bends the fitted line by
     * about wander x window^1.5; their sum is least near {@code WINDOW_REF x (jitter x poll / (5 us s x wander))^0.4}.
     * At least {@value #WINDOW_POLLS_MIN} polls, at most {@code filterWindowNanos}. The envelope benchmark sizes its
     * filters with this too.
     */
    public static long windowNanosFor(double jitterNanos, long periodNanos, double wanderPpbPerSqrtSecond,
            long filterWindowNanos) {
        double jitterPoll = Math.max(1, jitterNanos) * (periodNanos / 1e9);
        double w = WINDOW_REF_NANOS * Math.pow(jitterPoll / (WINDOW_REF_JITTER_POLL_NANOS_SECONDS
                * wanderPpbPerSqrtSecond), WINDOW_EXPONENT);
        w = Math.max(w, (double) WINDOW_POLLS_MIN * periodNanos);
        return (long) Math.min(filterWindowNanos, w);
    }
}
