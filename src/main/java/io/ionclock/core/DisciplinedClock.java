package io.ionclock.core;

import io.ionclock.core.leap.LeapSchedule;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The disciplined clock: learns the local timebase's phase and frequency from {@link Sample}s and hands
 * out time with an honest bound and a status. Pure: every instant is passed in.
 *
 * <p>How it works (the whole design):
 * <ol>
 *   <li>Samples go into a {@link SampleWindow}; a weighted line through {@code ref - mono} gives the
 *       estimate {@code est(t)} of true time at local instant t, and a bound on its error that holds under
 *       the assumption stated in {@link DisciplineConfig}: the newest samples' residuals and declared errors
 *       (no assumption), grown at the slope's noise error plus the oscillator allowance in force: {@code maxDriftPpb},
 *       or wider once the samples prove the oscillator moved faster ({@link DriftMonitor}).</li>
 *   <li>The published clock is {@code est(t) + pending(t)}: {@code pending} is the gap between the old
 *       published clock and the new estimate at the update, slewed out at {@code slewRatePpbMax}. Before
 *       the first SYNCHRONIZED the gap is stepped instead (chrony's makestep).</li>
 *   <li>{@code bound(t) = fit bound(t) + |pending(t)|}, plus the disagreement of any suspect sample.</li>
 *   <li>Under the assumption no honest sample falls outside the prediction's bound, so one that does is a
 *       suspect: dropped, with its disagreement added to the bound meanwhile. After
 *       {@link #SUSPECTS_TO_RESET} suspects in a row the window restarts from the newest sample, forgets the
 *       frequency (back to the whole tolerance), and keeps the abandoned fit as the alternative: the bound
 *       covers both until the new window holds {@link #CONFIRM_SAMPLES}, and a sample that agrees with the
 *       alternative but not with the new fit brings the old window back (a burst of outliers, not a jump).</li>
 *   <li>A drift file's frequency is only a starting estimate: the bound allows the whole tolerance until
 *       the samples measure the frequency.</li>
 *   <li>Readers take a volatile snapshot of the immutable {@link Model} and push a shared floor up with
 *       a CAS, so no two reads anywhere ever see time go backwards.</li>
 *   <li>Leap seconds: the model runs on a continuous timescale (samples are carried into it by the
 *       {@link DisciplineLoop}); what readers get is carried back by the {@link LeapSchedule}'s monotonic map,
 *       the bound with it, so the floor and the bound hold across a leap under either policy.</li>
 * </ol>
 *
 * <p>Threads: one writer ({@link #onSample}), any number of readers ({@link #read}, {@link #snapshot}).
 */
public final class DisciplinedClock {
    /** Bound reported before any reference: 100 years, i.e. "unknown". */
    public static final long BOUND_NANOS_UNKNOWN = 100L * 365 * 86_400 * 1_000_000_000L;
    /** Consecutive suspect samples after which the window restarts from the newest sample. */
    public static final int SUSPECTS_TO_RESET = 3;
    /** After a reset, the new window must hold this many samples before the abandoned fit is forgotten. */
    public static final int CONFIRM_SAMPLES = 8;
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
    /** The window abandoned at the last reset, while {@link Model#alternative} is set. */
    private final SampleWindow abandoned = new SampleWindow();
    private final AtomicLong floorEpochNanos = new AtomicLong(Long.MIN_VALUE);
    /** Watches the oscillator allowance and widens it on evidence. */
    private final DriftMonitor driftMonitor;
    private volatile Model model;
    private volatile LeapSchedule leapSchedule = LeapSchedule.NONE;

    // Writer-only state.
    private final double slopeMax;
    private final double slopeDriftPerPpb;
    private double priorSlope;
    private double abandonedPriorSlope;
    private int suspectsInRow;
    private long monotonicViolations;
    private long steps;
    private long windowResets;
    private long windowRestores;

    /**
     * @param initialEpochNanos   a guess of the time at {@code initialMonoNanos} (the host clock); handed
     *                            out as UNSYNCHRONIZED with {@link #BOUND_NANOS_UNKNOWN} until the first sample
     * @param driftFrequencyPpb   the frequency saved by the last run (NaN if none)
     */
    public DisciplinedClock(DisciplineConfig config, long initialMonoNanos, long initialEpochNanos,
            double driftFrequencyPpb) {
        this.config = config;
        double maxPpb = config.frequencyPpbMax() * 1e-9;
        // |slope| = |f| / (1 + f) <= fMax / (1 - fMax); a frequency change of d moves the slope by at most
        // d / (1 - fMax)^2.
        this.slopeMax = maxPpb / (1 - maxPpb);
        this.slopeDriftPerPpb = 1e-9 / ((1 - maxPpb) * (1 - maxPpb));
        this.driftMonitor = new DriftMonitor(config);
        boolean drift = !Double.isNaN(driftFrequencyPpb) && Math.abs(driftFrequencyPpb) <= config.frequencyPpbMax();
        this.priorSlope = drift ? slopeOfFrequencyPpb(driftFrequencyPpb) : 0;
        SampleWindow.Fit guess = new SampleWindow.Fit(initialMonoNanos, initialEpochNanos - initialMonoNanos,
                priorSlope, BOUND_NANOS_UNKNOWN, 0, config.frequencyPpbMax(), false, 0, 0);
        this.model = new Model(guess, null, 0, initialMonoNanos, config, 0, ClockStatus.UNSYNCHRONIZED, drift, false,
                SOURCE_NONE, LeapIndicator.NONE, 0, driftMonitor.state());
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
        SampleWindow.Fit alternative = old.alternative;
        if (old.hasReference && !agrees(old.fit, sample)) {
            double excessRatePpb = excessRatePpb(old.fit, sample);
            if (alternative != null && agrees(alternative, sample)) {
                // The samples since the reset were the outliers: back to the abandoned window.
                window.copyFrom(abandoned);
                priorSlope = abandonedPriorSlope;
                alternative = null;
                windowRestores++;
                driftMonitor.onRestore();
            } else if (++suspectsInRow < SUSPECTS_TO_RESET) {
                driftMonitor.onSuspect(excessRatePpb, false, nowMonoNanos);
                // Until we know who is wrong, the disagreement is part of the published bound (a widened allowance
                // shows at once, and the fit takes it at the next accepted sample).
                model = old.withSuspect(residualNanos(old.fit, sample) + sample.errorNanos(), driftMonitor.state());
                return Verdict.REJECTED_SUSPECT;
            } else {
                // The reference moved, or the oscillator left the allowance: start again from this sample, with
                // the frequency unknown, and keep the abandoned fit as the alternative until this one is confirmed.
                abandoned.copyFrom(window);
                abandonedPriorSlope = priorSlope;
                alternative = old.fit;
                window.clear();
                windowResets++;
                driftMonitor.onSuspect(excessRatePpb, true, nowMonoNanos);
            }
        }
        suspectsInRow = 0;
        driftMonitor.onAccepted();
        window.add(sampleMonoNanos, sample.refEpochNanos(), sample.errorNanos());
        driftMonitor.observe(window, nowMonoNanos);
        SampleWindow.Fit fit = window.fit(priorSlope, slopeMax, driftMonitor.inForcePpb() * slopeDriftPerPpb);
        if (fit.slopeFromWindow()) {
            priorSlope = fit.slope();
        }
        if (window.count() >= CONFIRM_SAMPLES && alternative != null) {
            alternative = null;
            driftMonitor.onResetConfirmed(nowMonoNanos);
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
        Model next = new Model(fit, alternative, pendingNanos, nowMonoNanos, config, 0, ClockStatus.UNSYNCHRONIZED,
                frequencyKnown, synchronizedBefore, sample.sourceName(), sample.leap(), lastOffsetNanos,
                driftMonitor.state());
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
            boundNanos = Saturating.add(boundNanos, floor - epochNanos);
            epochNanos = floor;
        }
        LeapSchedule leap = leapSchedule;
        out.monoNanos = monoNanos;
        out.epochNanos = leap.serve(epochNanos);
        out.boundNanos = Math.min(leap.servedBoundNanos(epochNanos, boundNanos, leap.policy()), BOUND_NANOS_UNKNOWN);
        out.status = m.statusAt(monoNanos, out.boundNanos);
    }

    /**
     * The model's reading at {@code monoNanos}, which may be in the past (a packet's receive or transmit time): for
     * measurements, not for timestamps handed out. Unlike {@link #read}, it neither moves the readers' shared floor
     * nor is held at it (a later instant another reader asked would otherwise hold every past instant's reading).
     * Allocation-free; any thread.
     */
    public void readAt(long monoNanos, ClockReading out) {
        readAt(monoNanos, out, LeapSchedule.Policy.STEP);
    }

    /**
     * As {@link #readAt(long, ClockReading)}, on the served timescale: {@code policy} is the leap policy's for what is
     * handed to users (an NTP server's timestamps); {@link LeapSchedule.Policy#STEP} (UTC) on the wire between nodes.
     */
    public void readAt(long monoNanos, ClockReading out, LeapSchedule.Policy policy) {
        Model m = model;
        LeapSchedule leap = leapSchedule;
        long epochNanos = m.epochNanosAt(monoNanos);
        out.monoNanos = monoNanos;
        out.epochNanos = leap.serve(epochNanos, policy);
        out.boundNanos = Math.min(leap.servedBoundNanos(epochNanos, m.boundNanosAt(monoNanos), policy), BOUND_NANOS_UNKNOWN);
        out.status = m.statusAt(monoNanos, out.boundNanos);
    }

    /** The model's continuous-timescale time at {@code monoNanos} (no leap map, no floor): what samples are judged against. */
    public long continuousNanosAt(long monoNanos) {
        return model.epochNanosAt(monoNanos);
    }

    /** How leaps are carried now (set by the discipline loop). Any thread. */
    public LeapSchedule leapSchedule() {
        return leapSchedule;
    }

    /** Sets how leaps are carried; the writer (the discipline loop) only. */
    public void setLeapSchedule(LeapSchedule schedule) {
        leapSchedule = java.util.Objects.requireNonNull(schedule);
    }

    /** A full snapshot for publishers. Allocates; any thread. */
    public ClockSnapshot snapshot(long monoNanos) {
        Model m = model;
        ClockReading r = new ClockReading();
        read(monoNanos, r);
        long ageNanos = m.hasReference ? monoNanos - m.fit.newestMonoNanos() : -1;
        LeapIndicator leap = leapSchedule.announcedAt(m.epochNanosAt(monoNanos));
        return new ClockSnapshot(monoNanos, r.epochNanos, r.boundNanos, r.status, m.sourceName, leap,
                m.pendingNanosAt(monoNanos), m.lastOffsetNanos, frequencyPpbOfSlope(m.fit.slope()),
                m.fit.slopeErrorPpb(), m.fit.jitterNanos(),
                ageNanos, m.fit.sampleCount());
    }

    /**
     * The bound at {@code monoNanos} as the model gives it. A pure read of the model: unlike {@link #read}, it does not
     * move the readers' shared floor (nor add what holding at the floor would cost).
     */
    public long boundNanosAt(long monoNanos) {
        return Math.min(model.boundNanosAt(monoNanos), BOUND_NANOS_UNKNOWN);
    }

    /**
     * How fast the published clock may be drifting from true time now, ppb: the slope's error bound, plus the
     * oscillator allowance in force ({@link #driftAllowance}), plus the slew rate while a correction is being slewed
     * out. A pure read of the model: unlike {@link #read}, it does not move the readers' shared floor (the source
     * selection asks it for every sample).
     */
    public double rateErrorPpbMax(long monoNanos) {
        Model m = model;
        return m.fit.slopeErrorPpb() + m.drift.inForcePpb() + (m.pendingNanosAt(monoNanos) != 0 ? config.slewRatePpbMax() : 0);
    }

    /** The learned frequency for the drift file, or NaN when the window has not measured one (or is unconfirmed). */
    public double frequencyPpbForDriftFile() {
        Model m = model;
        return m.fit.slopeFromWindow() && m.alternative == null ? frequencyPpbOfSlope(m.fit.slope()) : Double.NaN;
    }

    /** The oscillator allowance the bound uses now, and what widened it. Any thread. */
    public DriftAllowance driftAllowance() {
        return model.drift;
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

    /** Resets undone: the samples after them disagreed with the new window and agreed with the abandoned one. */
    public long windowRestores() {
        return windowRestores;
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

    /**
     * How fast, at least, the truth left the line {@code f} at {@code sample} beyond what the line's bound allows for
     * its slope's noise (ppb): the sample's excess over its error and the line's anchor, per second since the fit's
     * newest sample, less the slope's noise error. NaN at the fit's own instant.
     */
    private static double excessRatePpb(SampleWindow.Fit f, Sample sample) {
        double ageSeconds = (sample.monoNanos() - f.newestMonoNanos()) / 1e9;
        if (!(ageSeconds > 0)) {
            return Double.NaN;
        }
        return (residualNanos(f, sample) - sample.errorNanos() - f.anchorBoundNanos()) / ageSeconds - f.slopeErrorPpb();
    }

    /** Whether {@code sample} agrees with {@code f}: within the line's bound and its own error. */
    private static boolean agrees(SampleWindow.Fit f, Sample sample) {
        return residualNanos(f, sample) <= f.boundNanosAt(sample.monoNanos()) + sample.errorNanos();
    }

    /**
     * How far {@code sample} lies from the line {@code f}. The difference is taken in longs: a double of an epoch
     * instant (about 1.8e18 ns) keeps only 256 ns.
     */
    private static double residualNanos(SampleWindow.Fit f, Sample sample) {
        return Math.abs((double) (sample.refEpochNanos() - f.refEpochNanosAt(sample.monoNanos())));
    }

    /** Everything a reader needs, immutable: replaced whole by the writer. */
    private static final class Model {
        final SampleWindow.Fit fit;
        /** The fit abandoned at a reset, until the new one is confirmed: true time may follow either. */
        final SampleWindow.Fit alternative;
        final long pendingAtUpdateNanos;
        final long updateMonoNanos;
        final long slewRatePpb;
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
        final DriftAllowance drift;

        Model(SampleWindow.Fit fit, SampleWindow.Fit alternative, long pendingAtUpdateNanos, long updateMonoNanos,
                DisciplineConfig config, double suspectNanos, ClockStatus statusAtUpdate, boolean frequencyKnown, boolean everSynchronized,
                String sourceName, LeapIndicator leap, long lastOffsetNanos, DriftAllowance drift) {
            this.fit = fit;
            this.alternative = alternative;
            this.pendingAtUpdateNanos = pendingAtUpdateNanos;
            this.updateMonoNanos = updateMonoNanos;
            this.slewRatePpb = config.slewRatePpbMax();
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
            this.drift = drift;
        }

        /** A copy of {@code m} with another suspect disagreement and status. */
        private Model(Model m, double suspectNanos, ClockStatus statusAtUpdate, DriftAllowance drift) {
            this.fit = m.fit;
            this.alternative = m.alternative;
            this.pendingAtUpdateNanos = m.pendingAtUpdateNanos;
            this.updateMonoNanos = m.updateMonoNanos;
            this.slewRatePpb = m.slewRatePpb;
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
            this.drift = drift;
        }

        Model withSuspect(double newSuspectNanos, DriftAllowance newDrift) {
            return new Model(this, Math.max(suspectNanos, newSuspectNanos), statusAtUpdate, newDrift);
        }

        Model withStatus(ClockStatus status) {
            return new Model(this, suspectNanos, status, drift);
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

        long boundNanosAt(long monoNanos) {
            if (!hasReference) {
                return BOUND_NANOS_UNKNOWN;
            }
            double b = fit.boundNanosAt(monoNanos) + Math.abs((double) pendingNanosAt(monoNanos));
            if (alternative != null) {
                double fromAlternativeNanos = Math.abs((double) (epochNanosAt(monoNanos) - alternative.refEpochNanosAt(monoNanos)));
                b = Math.max(b, fromAlternativeNanos + alternative.boundNanosAt(monoNanos));
            }
            b += suspectNanos;
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
