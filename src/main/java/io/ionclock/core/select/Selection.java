package io.ionclock.core.select;

import io.ionclock.core.Sample;

/**
 * Fault-tolerant selection over sources that each claim where one quantity lies (an offset, or
 * {@code truth - mono} at one instant): Marzullo's intersection as in NTP / chrony, falsetickers dropped,
 * then a vote at the noise level, survivors combined by their precision. Used by a node to choose among
 * its own sources (GNSS, Clocklink, NTP) and by the Clocklink leader to combine the masters. Pure,
 * allocation-free after construction, single-threaded (one instance per caller).
 *
 * <p>Each source gives three things:
 * <ul>
 *   <li>{@code valueNanos} and {@code boundNanos}: the honest claim. If the source is correct the true
 *       quantity lies in {@code [value - bound, value + bound]} (worst case: a network source's bound includes
 *       half its round trip, because the link's asymmetry is unknown).</li>
 *   <li>{@code precisionNanos}: the half-width that noise explains (a few sigma of the filtered estimate).
 *       Correct sources agree within their precision; a source outside the others' agreement at this level is
 *       an OUTLIER even when its honest interval still overlaps (a liar shifting by less than the round trip).</li>
 *   <li>{@code weight}: the caller's trust (reputation, 0..1). 0 excludes the source.</li>
 * </ul>
 *
 * <p>The algorithm ({@link #select()}):
 * <ol>
 *   <li>Honest stage. n = sources with weight &gt; 0, {@code f = floor((n-1)/3)} (Byzantine tolerance).
 *       The region is the smallest interval holding every point covered by at least {@code n - f} honest
 *       intervals: if at most f sources are faulty, the truth lies in it. If no point is covered that often,
 *       f grows while {@code n - f > n/2} (more faults than designed for: {@link #degraded()}); past that,
 *       there is no result. Sources whose interval misses the region are FALSETICKERs.</li>
 *   <li>Precision stage. Among the rest, the point where the largest total weight of precision intervals
 *       agrees; if that weight is more than half of the remaining weight the vote is {@link #decisive()}:
 *       sources agreeing there are SELECTED, the others OUTLIERs. Otherwise all remaining are SELECTED and
 *       nobody is judged.</li>
 *   <li>Combination. The weighted mean of the SELECTED values (weight / precision^2), clamped into the
 *       honest region; the combined bound is the distance from it to the farther end of the region, so it is
 *       honest under the same assumption as the region.</li>
 * </ol>
 *
 * <p>Verdicts ({@link Verdict}): SELECTED, OUTLIER, FALSETICKER, EXCLUDED (weight 0) or NO_MAJORITY.
 */
public final class Selection {
    /** Most sources one selection takes. */
    public static final int SOURCES_MAX = 64;
    /** Precision below this is taken as this (a zero precision would be an infinite weight). */
    public static final long PRECISION_NANOS_MIN = 1;


    private final int sourcesMax;
    private final long[] valueNanos;
    private final long[] boundNanos;
    private final long[] precisionNanos;
    private final double[] weight;
    private final long[] voteNanos;
    private final long[] voteHalfWidthNanos;
    private final Verdict[] verdicts;
    private int count;

    // Sweep scratch: endpoints sorted by position.
    private final long[] endPos;
    private final int[] endSource;
    private final boolean[] endIsStart;

    private boolean valid;
    private boolean decisive;
    private boolean degraded;
    private int faultsAssumed;
    private long regionLowNanos;
    private long regionHighNanos;
    private long resultNanos;
    private long resultBoundNanos;
    private long resultPrecisionNanos;
    private int selectedCount;

    public Selection() {
        this(SOURCES_MAX);
    }

    public Selection(int sourcesMax) {
        if (sourcesMax < 1 || sourcesMax > SOURCES_MAX) {
            throw new IllegalArgumentException("sourcesMax must be 1.." + SOURCES_MAX + ": " + sourcesMax);
        }
        this.sourcesMax = sourcesMax;
        valueNanos = new long[sourcesMax];
        boundNanos = new long[sourcesMax];
        precisionNanos = new long[sourcesMax];
        weight = new double[sourcesMax];
        voteNanos = new long[sourcesMax];
        voteHalfWidthNanos = new long[sourcesMax];
        verdicts = new Verdict[sourcesMax];
        endPos = new long[2 * sourcesMax];
        endSource = new int[2 * sourcesMax];
        endIsStart = new boolean[2 * sourcesMax];
    }

    /** Forgets all sources and the last result. */
    public void clear() {
        count = 0;
        valid = false;
    }

    /**
     * Adds a source; returns its index (for {@link #verdict}).
     *
     * @param valueNanos     the source's estimate
     * @param boundNanos     honest half-width, &gt;= 0
     * @param precisionNanos half-width noise explains, &gt;= 0; taken as at most {@code boundNanos}
     * @param weight         trust, 0..1 (0: excluded)
     */
    public int add(long valueNanos, long boundNanos, long precisionNanos, double weight) {
        return add(valueNanos, boundNanos, precisionNanos, weight, valueNanos, precisionNanos);
    }

    /**
     * Adds a source whose vote is cast elsewhere than its value: in the precision stage it counts at
     * {@code voteNanos +- voteHalfWidthNanos}, while the combination uses its value and precision. A caller that has
     * learned a source's fixed bias (a path's asymmetry) votes with the bias removed, so only a change is judged,
     * and still combines the raw value.
     */
    public int add(long valueNanos, long boundNanos, long precisionNanos, double weight, long voteNanos,
            long voteHalfWidthNanos) {
        if (count == sourcesMax) {
            throw new IllegalStateException("more than " + sourcesMax + " sources");
        }
        if (boundNanos < 0 || precisionNanos < 0 || boundNanos > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("bound and precision must be >= 0 and sane: " + boundNanos + ", " + precisionNanos);
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be 0..1: " + weight);
        }
        if (voteHalfWidthNanos < 0 || voteHalfWidthNanos > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("vote half-width must be >= 0: " + voteHalfWidthNanos);
        }
        int i = count++;
        this.voteNanos[i] = voteNanos;
        this.voteHalfWidthNanos[i] = Math.max(PRECISION_NANOS_MIN, voteHalfWidthNanos);
        this.valueNanos[i] = valueNanos;
        this.boundNanos[i] = boundNanos;
        this.precisionNanos[i] = Math.max(PRECISION_NANOS_MIN, Math.min(precisionNanos, Math.max(boundNanos, PRECISION_NANOS_MIN)));
        this.weight[i] = weight;
        this.verdicts[i] = Verdict.EXCLUDED;
        valid = false;
        return i;
    }

    /**
     * Adds a {@link Sample} as an offset source: value {@code local - reference} (chrony's sign, positive: we are
     * ahead) for a local clock that read {@code localEpochNanosAtSample} at the sample's instant; bound the
     * sample's error plus {@code ageAllowanceNanos} (what the local clock may have drifted since the sample).
     */
    public int addSample(Sample sample, long localEpochNanosAtSample, long ageAllowanceNanos, long precisionNanos,
            double weight) {
        return add(sample.offsetNanos(localEpochNanosAtSample), sample.errorNanos() + Math.max(0, ageAllowanceNanos),
                precisionNanos, weight);
    }

    public int count() {
        return count;
    }

    /** Runs the selection over the sources added since {@link #clear()}. Returns {@link #valid()}. */
    public boolean select() {
        valid = false;
        decisive = false;
        degraded = false;
        selectedCount = 0;
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (weight[i] > 0) {
                n++;
                verdicts[i] = Verdict.NO_MAJORITY;
            } else {
                verdicts[i] = Verdict.EXCLUDED;
            }
        }
        if (n == 0) {
            return false;
        }
        // 1. Honest stage: the region covered by at least n - f intervals.
        int f = (n - 1) / 3;
        boolean found = false;
        while (n - f > n / 2.0) {
            if (region(n - f)) {
                found = true;
                break;
            }
            f++;
        }
        if (!found) {
            return false;
        }
        faultsAssumed = f;
        degraded = f > (n - 1) / 3;
        double remainingWeight = 0;
        for (int i = 0; i < count; i++) {
            if (weight[i] <= 0) {
                continue;
            }
            boolean overlaps = valueNanos[i] - boundNanos[i] <= regionHighNanos && valueNanos[i] + boundNanos[i] >= regionLowNanos;
            verdicts[i] = overlaps ? Verdict.SELECTED : Verdict.FALSETICKER;
            if (overlaps) {
                remainingWeight += weight[i];
            }
        }
        // 2. Precision stage: the largest weight agreeing at the noise level.
        long agreeLow = 0;
        long agreeHigh = 0;
        double agreeWeight = sweepMaxWeight();
        agreeLow = sweepLow;
        agreeHigh = sweepHigh;
        decisive = agreeWeight > remainingWeight / 2;
        if (decisive) {
            for (int i = 0; i < count; i++) {
                if (verdicts[i] == Verdict.SELECTED) {
                    boolean agrees = voteNanos[i] - voteHalfWidthNanos[i] <= agreeLow && voteNanos[i] + voteHalfWidthNanos[i] >= agreeHigh;
                    if (!agrees) {
                        verdicts[i] = Verdict.OUTLIER;
                    }
                }
            }
        }
        // 3. Combination, relative to the first selected value (ns since 1970 do not fit a double's mantissa).
        long origin = 0;
        boolean haveOrigin = false;
        double sumW = 0;
        double sumWx = 0;
        for (int i = 0; i < count; i++) {
            if (verdicts[i] != Verdict.SELECTED) {
                continue;
            }
            if (!haveOrigin) {
                origin = valueNanos[i];
                haveOrigin = true;
            }
            double p = precisionNanos[i];
            double w = weight[i] / (p * p);
            sumW += w;
            sumWx += w * (double) (valueNanos[i] - origin);
            selectedCount++;
        }
        if (selectedCount == 0) {
            return false;
        }
        long mean = origin + Math.round(sumWx / sumW);
        resultNanos = Math.max(regionLowNanos, Math.min(regionHighNanos, mean));
        resultBoundNanos = Math.max(resultNanos - regionLowNanos, regionHighNanos - resultNanos);
        double sumInvP2 = 0;
        for (int i = 0; i < count; i++) {
            if (verdicts[i] == Verdict.SELECTED) {
                double p = precisionNanos[i];
                sumInvP2 += 1 / (p * p);
            }
        }
        resultPrecisionNanos = Math.min(resultBoundNanos, Math.max(PRECISION_NANOS_MIN, (long) Math.ceil(1 / Math.sqrt(sumInvP2))));
        valid = true;
        return true;
    }

    private long sweepLow;
    private long sweepHigh;

    /** Finds the region of largest total weight of vote intervals among SELECTED sources. */
    private double sweepMaxWeight() {
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (verdicts[i] == Verdict.SELECTED) {
                m = addEndpoints(m, i, voteNanos[i] - voteHalfWidthNanos[i], voteNanos[i] + voteHalfWidthNanos[i]);
            }
        }
        sortEndpoints(m);
        double w = 0;
        double best = -1;
        sweepLow = 0;
        sweepHigh = 0;
        boolean inBest = false;
        for (int k = 0; k < m; k++) {
            int s = endSource[k];
            if (endIsStart[k]) {
                w += weight[s];
                if (w > best) {
                    best = w;
                    sweepLow = endPos[k];
                    inBest = true;
                }
            } else {
                if (inBest) {
                    sweepHigh = endPos[k];
                    inBest = false;
                }
                w -= weight[s];
            }
        }
        return best;
    }

    /** Sets the region covered by at least {@code need} honest intervals; false when there is none. */
    private boolean region(int need) {
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (weight[i] > 0) {
                m = addEndpoints(m, i, valueNanos[i] - boundNanos[i], valueNanos[i] + boundNanos[i]);
            }
        }
        sortEndpoints(m);
        int c = 0;
        boolean any = false;
        for (int k = 0; k < m; k++) {
            if (endIsStart[k]) {
                c++;
                if (c >= need && !any) {
                    regionLowNanos = endPos[k];
                    any = true;
                }
            } else {
                if (c >= need) {
                    regionHighNanos = endPos[k];
                }
                c--;
            }
        }
        return any;
    }

    private int addEndpoints(int m, int source, long low, long high) {
        endPos[m] = low;
        endSource[m] = source;
        endIsStart[m] = true;
        endPos[m + 1] = high;
        endSource[m + 1] = source;
        endIsStart[m + 1] = false;
        return m + 2;
    }

    /** Insertion sort by position; at one position starts come first (closed intervals touch). */
    private void sortEndpoints(int m) {
        for (int a = 1; a < m; a++) {
            long p = endPos[a];
            int s = endSource[a];
            boolean st = endIsStart[a];
            int b = a - 1;
            while (b >= 0 && (endPos[b] > p || (endPos[b] == p && !endIsStart[b] && st))) {
                endPos[b + 1] = endPos[b];
                endSource[b + 1] = endSource[b];
                endIsStart[b + 1] = endIsStart[b];
                b--;
            }
            endPos[b + 1] = p;
            endSource[b + 1] = s;
            endIsStart[b + 1] = st;
        }
    }

    /** A result exists: enough sources agreed. */
    public boolean valid() {
        return valid;
    }

    /** The precision vote had a majority of weight, so OUTLIER verdicts mean something (use them for reputation). */
    public boolean decisive() {
        return valid && decisive;
    }

    /** More faults had to be assumed than {@code floor((n-1)/3)}: the result holds only if that many are faulty at most. */
    public boolean degraded() {
        return valid && degraded;
    }

    /** The number of faulty sources the region allows for. */
    public int faultsAssumed() {
        return faultsAssumed;
    }

    public Verdict verdict(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(index);
        }
        return verdicts[index];
    }

    /** The combined estimate (valid only when {@link #valid()}). */
    public long valueNanos() {
        checkValid();
        return resultNanos;
    }

    /** The honest half-width of the combined estimate. */
    public long boundNanos() {
        checkValid();
        return resultBoundNanos;
    }

    /** The combined precision: what noise explains of the combined estimate. */
    public long precisionNanos() {
        checkValid();
        return resultPrecisionNanos;
    }

    /** Low end of the region where the truth must lie. */
    public long regionLowNanos() {
        checkValid();
        return regionLowNanos;
    }

    public long regionHighNanos() {
        checkValid();
        return regionHighNanos;
    }

    public int selectedCount() {
        return valid ? selectedCount : 0;
    }

    private void checkValid() {
        if (!valid) {
            throw new IllegalStateException("no valid selection");
        }
    }
}
