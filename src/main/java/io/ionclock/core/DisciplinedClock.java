package io.ionclock.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The disciplined clock: learns the local timebase's phase and frequency from {@link Sample}s and hands
 * out time with an honest bound and a status. Pure: every instant is passed in.
 *
 * <p>How it works (the whole design):
 * <ol>
 *   <li>Samples go into a {@link SampleWindow}; a weighted line through {@code ref - mono} gives the
 *       estimate {@code est(t)} of true time at local instant t, and a worst-case bound on its error.</li>
 *   <li>The published clock is {@code est(t) + pending(t)}: {@code pending} is the gap between the old
 *       published clock and the new estimate at the update, slewed out at {@code slewRatePpbMax}. Before
 *       the first SYNCHRONIZED the gap is stepped instead (chrony's makestep).</li>
 *   <li>{@code bound(t) = fit error + |pending(t)| + (slope error + maxDriftPpb) * (t - newest sample)}
 *       (+ the disagreement of any suspect sample), as in ClockBound and fbclock.</li>
 *   <li>A sample outside the current prediction's bound is a suspect and dropped; after
 *       {@link #SUSPECTS_TO_RESET} suspects in a row the window restarts from the newest.</li>
 *   <li>Readers take a volatile snapshot of the immutable {@link Model} and push a shared floor up with
 *       a CAS, so no two reads anywhere ever see time go backwards.</li>
 * </ol>
 *
 * <p>Threads: one writer ({@link #onSample}), any number of readers ({@link #read}, {@link #snapshot}).
 */
public final class DisciplinedClock {
    /** Bound reported before any reference: 100 years, i.e. "unknown". */
    public static final long BOUND_NANOS_UNKNOWN = 100L * 365 * 86_400 * 1_000_000_000L;
    /** Consecutive suspect samples after which the window restarts from the newest sample. */
    public static final int SUSPECTS_TO_RESET = 3;
    /** Frequency error bound assumed for a drift file's frequency (a restart may be at another temperature). */
    public static final double DRIFT_FILE_FREQUENCY_ERROR_PPB = 10_000;
    /** The source name before any sample. */
    public static final String SOURCE_NONE = "NONE";

    /** What became of a sample. */
    public enum Verdict {
        ACCEPTED,
        /** Outside the prediction's bound: dropped as an outlier (may restart the window if repeated). */
        REJECTED_SUSPECT,
        /** From the future, older than the newest sample, or older than the holdover age. */
        REJECTED_STALE
    }

    private final DisciplineConfig config;
    private final SampleWindow window = new SampleWindow();
    private final AtomicLong floorEpochNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile Model model;

    // Writer-only state.
    private double priorSlope;
    private double priorSlopeErrorPpb;
    private int suspectsInRow;
    private long monotonicViolations;
    private long steps;
    private long windowResets;

    /**
     * @param initialEpochNanos   a guess of the time at {@code initialMonoNanos} (the host clock); handed
     *                            out as UNSYNCHRONIZED with {@link #BOUND_NANOS_UNKNOWN} until the first sample
     * @param driftFrequencyPpb   the frequency saved by the last run (NaN if none)
     */
    public DisciplinedClock(DisciplineConfig config, long initialMonoNanos, long initialEpochNanos,
            double driftFrequencyPpb) {
        this.config = config;
        boolean drift = !Double.isNaN(driftFrequencyPpb) && Math.abs(driftFrequencyPpb) <= config.frequencyPpbMax();
        this.priorSlope = drift ? slopeOfFrequencyPpb(driftFrequencyPpb) : 0;
        this.priorSlopeErrorPpb = drift ? DRIFT_FILE_FREQUENCY_ERROR_PPB : config.frequencyPpbMax();
        SampleWindow.Fit guess = new SampleWindow.Fit(initialMonoNanos, initialEpochNanos - initialMonoNanos,
                priorSlope, BOUND_NANOS_UNKNOWN, 0, false, 0, 0);
        this.model = new Model(guess, 0, initialMonoNanos, config, 0, ClockStatus.UNSYNCHRONIZED, drift, false,
                SOURCE_NONE, LeapIndicator.NONE, 0);
    }

    /** Feeds one sample, taken at or before {@code nowMonoNanos}. Single writer. */
    public Verdict onSample(Sample sample, long nowMonoNanos) {
        Model old = model;
        long sampleMonoNanos = sample.monoNanos();
        if (sampleMonoNanos > nowMonoNanos || nowMonoNanos - sampleMonoNanos > config.holdoverAfterNanos()
                || (window.count() > 0 && sampleMonoNanos < window.newestMonoNanos())) {
            return Verdict.REJECTED_STALE;
        }
        long lastOffsetNanos = old.epochNanosAt(sampleMonoNanos) - sample.refEpochNanos();
        double suspectNanos = 0;
        if (old.hasReference) {
            double residualNanos = Math.abs((double) sample.refEpochNanos() - old.fit.refEpochNanosAt(sampleMonoNanos));
            double allowedNanos = old.fitBoundNanosAt(sampleMonoNanos) + sample.errorNanos();
            if (residualNanos > allowedNanos) {
                suspectsInRow++;
                if (suspectsInRow < SUSPECTS_TO_RESET) {
                    // Until we know who is wrong, the disagreement is part of the published bound.
                    model = old.withSuspect(residualNanos);
                    return Verdict.REJECTED_SUSPECT;
                }
                window.clear();
                windowResets++;
            }
        }
        suspectsInRow = 0;
        window.add(sampleMonoNanos, sample.refEpochNanos(), sample.errorNanos());
        SampleWindow.Fit fit = window.fit(priorSlope, priorSlopeErrorPpb, config.frequencyPpbMax());
        if (fit.slopeFromWindow()) {
            priorSlope = fit.slope();
            priorSlopeErrorPpb = Math.min(config.frequencyPpbMax(), fit.slopeErrorPpb() + config.maxDriftPpb());
        }
        // Two samples (or a drift file) bound the frequency well enough to publish: the bound carries the rest.
        boolean frequencyKnown = old.frequencyKnown || fit.sampleCount() >= 2;

        // Continuity: the new published clock starts where the old one is now.
        long estimateNowNanos = fit.refEpochNanosAt(nowMonoNanos);
        long publishedNowNanos = old.epochNanosAt(nowMonoNanos);
        long pendingNanos = 0;
        boolean synchronizedBefore = old.everSynchronized;
        if (synchronizedBefore) {
            pendingNanos = publishedNowNanos - estimateNowNanos;
        } else if (publishedNowNanos != estimateNowNanos) {
            steps++; // allowed only before the first SYNCHRONIZED; the floor holds if it goes back
        }
        Model next = new Model(fit, pendingNanos, nowMonoNanos, config, 0, ClockStatus.UNSYNCHRONIZED,
                frequencyKnown, synchronizedBefore, sample.sourceName(), sample.leap(), lastOffsetNanos);
        ClockStatus status = old.statusAt(nowMonoNanos).next(frequencyKnown, nowMonoNanos - sampleMonoNanos,
                next.boundNanosAt(nowMonoNanos), config.holdoverAfterNanos(), config.boundNanosMax());
        next = next.withStatus(status);
        if (synchronizedBefore && next.epochNanosAt(nowMonoNanos) < publishedNowNanos) {
            monotonicViolations++; // by construction this cannot happen; counted so that it shows if it does
        }
        model = next;
        return Verdict.ACCEPTED;
    }

    /** {@code offsetNanos = local - reference} of a sample against the published clock as it is now. */
    public long offsetNanos(Sample sample) {
        return sample.offsetNanos(model.epochNanosAt(sample.monoNanos()));
    }

    /** Reads the clock at {@code monoNanos} into {@code out}. Allocation-free; any thread. */
    public void read(long monoNanos, ClockReading out) {
        Model m = model;
        long epochNanos = m.epochNanosAt(monoNanos);
        long boundNanos = m.boundNanosAt(monoNanos);
        long floor = floorEpochNanos.get();
        while (epochNanos > floor && !floorEpochNanos.compareAndSet(floor, epochNanos)) {
            floor = floorEpochNanos.get();
        }
        if (epochNanos < floor) {
            // Another reader handed out a later time (a later instant, or a step back before the first
            // synchronisation): hold there, and widen the bound by what holding costs.
            boundNanos = saturatedAdd(boundNanos, floor - epochNanos);
            epochNanos = floor;
        }
        out.monoNanos = monoNanos;
        out.epochNanos = epochNanos;
        out.boundNanos = Math.min(boundNanos, BOUND_NANOS_UNKNOWN);
        out.status = m.statusAt(monoNanos, out.boundNanos);
    }

    /** A full snapshot for publishers. Allocates; any thread. */
    public ClockSnapshot snapshot(long monoNanos) {
        Model m = model;
        ClockReading r = new ClockReading();
        read(monoNanos, r);
        long ageNanos = m.hasReference ? monoNanos - m.fit.newestMonoNanos() : -1;
        return new ClockSnapshot(monoNanos, r.epochNanos, r.boundNanos, r.status, m.sourceName, m.leap,
                m.pendingNanosAt(monoNanos), m.lastOffsetNanos, frequencyPpbOfSlope(m.fit.slope()),
                m.frequencyKnown ? m.fit.slopeErrorPpb() : config.frequencyPpbMax(), m.fit.jitterNanos(),
                ageNanos, m.fit.sampleCount());
    }

    /** The learned frequency for the drift file, or NaN when the window has not measured one. */
    public double frequencyPpbForDriftFile() {
        Model m = model;
        return m.fit.slopeFromWindow() ? frequencyPpbOfSlope(m.fit.slope()) : Double.NaN;
    }

    public long monotonicViolations() {
        return monotonicViolations;
    }

    public long steps() {
        return steps;
    }

    public long windowResets() {
        return windowResets;
    }

    public DisciplineConfig config() {
        return config;
    }

    /** Local timebase frequency error (ppb, positive: runs fast) from the slope of {@code ref - mono}. */
    static double frequencyPpbOfSlope(double slope) {
        return -slope / (1 + slope) * 1e9;
    }

    static double slopeOfFrequencyPpb(double frequencyPpb) {
        double f = frequencyPpb * 1e-9;
        return -f / (1 + f);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Everything a reader needs, immutable: replaced whole by the writer. */
    private static final class Model {
        final SampleWindow.Fit fit;
        final long pendingAtUpdateNanos;
        final long updateMonoNanos;
        final long slewRatePpb;
        final long maxDriftPpb;
        final long holdoverAfterNanos;
        final long boundNanosMax;
        final double suspectNanos;
        final ClockStatus statusAtUpdate;
        final boolean frequencyKnown;
        final boolean everSynchronized;
        final boolean hasReference;
        final String sourceName;
        final LeapIndicator leap;
        final long lastOffsetNanos;

        Model(SampleWindow.Fit fit, long pendingAtUpdateNanos, long updateMonoNanos, DisciplineConfig config,
                double suspectNanos, ClockStatus statusAtUpdate, boolean frequencyKnown, boolean everSynchronized,
                String sourceName, LeapIndicator leap, long lastOffsetNanos) {
            this.fit = fit;
            this.pendingAtUpdateNanos = pendingAtUpdateNanos;
            this.updateMonoNanos = updateMonoNanos;
            this.slewRatePpb = config.slewRatePpbMax();
            this.maxDriftPpb = config.maxDriftPpb();
            this.holdoverAfterNanos = config.holdoverAfterNanos();
            this.boundNanosMax = config.boundNanosMax();
            this.suspectNanos = suspectNanos;
            this.statusAtUpdate = statusAtUpdate;
            this.frequencyKnown = frequencyKnown;
            this.everSynchronized = everSynchronized || statusAtUpdate == ClockStatus.SYNCHRONIZED;
            this.hasReference = fit.sampleCount() > 0;
            this.sourceName = sourceName;
            this.leap = leap;
            this.lastOffsetNanos = lastOffsetNanos;
        }

        /** A copy of {@code m} with another suspect disagreement and status. */
        private Model(Model m, double suspectNanos, ClockStatus statusAtUpdate) {
            this.fit = m.fit;
            this.pendingAtUpdateNanos = m.pendingAtUpdateNanos;
            this.updateMonoNanos = m.updateMonoNanos;
            this.slewRatePpb = m.slewRatePpb;
            this.maxDriftPpb = m.maxDriftPpb;
            this.holdoverAfterNanos = m.holdoverAfterNanos;
            this.boundNanosMax = m.boundNanosMax;
            this.suspectNanos = suspectNanos;
            this.statusAtUpdate = statusAtUpdate;
            this.frequencyKnown = m.frequencyKnown;
            this.everSynchronized = m.everSynchronized || statusAtUpdate == ClockStatus.SYNCHRONIZED;
            this.hasReference = m.hasReference;
            this.sourceName = m.sourceName;
            this.leap = m.leap;
            this.lastOffsetNanos = m.lastOffsetNanos;
        }

        Model withSuspect(double newSuspectNanos) {
            return new Model(this, Math.max(suspectNanos, newSuspectNanos), statusAtUpdate);
        }

        Model withStatus(ClockStatus status) {
            return new Model(this, suspectNanos, status);
        }

        /** The correction still to slew out at {@code monoNanos}: published minus estimate. */
        long pendingNanosAt(long monoNanos) {
            if (pendingAtUpdateNanos == 0) {
                return 0;
            }
            double slewedNanos = (double) slewRatePpb * 1e-9 * (monoNanos - updateMonoNanos);
            double remainingNanos = Math.max(0, Math.abs((double) pendingAtUpdateNanos) - slewedNanos);
            return pendingAtUpdateNanos > 0 ? Math.round(remainingNanos) : -Math.round(remainingNanos);
        }

        long epochNanosAt(long monoNanos) {
            return fit.refEpochNanosAt(monoNanos) + pendingNanosAt(monoNanos);
        }

        /** Bound on the estimate's error (fit error and drift allowance), without the pending correction. */
        double fitBoundNanosAt(long monoNanos) {
            double sinceNewestNanos = Math.abs((double) (monoNanos - fit.newestMonoNanos()));
            return fit.boundNanosAt(monoNanos) + maxDriftPpb * 1e-9 * sinceNewestNanos;
        }

        long boundNanosAt(long monoNanos) {
            if (!hasReference) {
                return BOUND_NANOS_UNKNOWN;
            }
            double b = fitBoundNanosAt(monoNanos) + Math.abs((double) pendingNanosAt(monoNanos)) + suspectNanos;
            // Round up: the bound must never be smaller than the error it covers.
            return b >= BOUND_NANOS_UNKNOWN ? BOUND_NANOS_UNKNOWN : (long) Math.ceil(b);
        }

        ClockStatus statusAt(long monoNanos) {
            return statusAt(monoNanos, boundNanosAt(monoNanos));
        }

        ClockStatus statusAt(long monoNanos, long boundNanos) {
            long ageNanos = hasReference ? monoNanos - fit.newestMonoNanos() : Long.MAX_VALUE;
            return statusAtUpdate.next(frequencyKnown, ageNanos, boundNanos, holdoverAfterNanos, boundNanosMax);
        }
    }
}
