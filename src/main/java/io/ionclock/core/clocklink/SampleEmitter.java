package io.ionclock.core.clocklink;

import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.select.Verdict;
import java.util.function.Consumer;

/**
 * Hands the node's combinations to its discipline as {@link Sample}s, at most one a sample period: the configured
 * one, or automatically from the filter window and the discipline's needs ({@link #autoSamplePeriodNanos}). Between a
 * gateway's slow polls the last combination is carried on ({@link #extrapolate}) so the discipline still gets a
 * sample each period. A sample's reference bound is the best selected peer's own bound.
 */
final class SampleEmitter {
    /** Automatic sample period at most (under the appliance's default holdover-after of 5 s). */
    static final long SAMPLE_PERIOD_AUTO_MAX_NANOS = 4_000_000_000L;
    /** The automatic sample period is at least the filter window over this. */
    static final long SAMPLE_PERIOD_WINDOW_FRACTION = 256;
    /** The discipline's window, in samples (SampleWindow.SAMPLES_MAX): the automatic sample period spreads them. */
    static final int DISCIPLINE_WINDOW_SAMPLES = 64;

    private final ClocklinkConfig config;
    private final Consumer<Sample> sink;
    private final PeerLink[] links;
    private long lastSampleMono = Long.MIN_VALUE;
    private long samplesEmitted;

    SampleEmitter(ClocklinkConfig config, Consumer<Sample> sink, PeerLink[] links) {
        this.config = config;
        this.sink = sink;
        this.links = links;
    }

    /**
     * When a gateway polling slower than its sample period emits its next carried-on sample (Long.MAX_VALUE: not
     * before the next combination).
     *
     * @param combination the last one (its bound sets the period), null when there is none
     */
    long nextSampleMonoNanos(Combiner combination, long cyclePeriodNanos) {
        if (lastSampleMono == Long.MIN_VALUE || combination == null || !combination.resultValid()) {
            return Long.MAX_VALUE;
        }
        long period = samplePeriodNanos(combination.resultBound(), combination.windowNanosNow());
        return period < cyclePeriodNanos ? lastSampleMono + period : Long.MAX_VALUE;
    }

    /**
     * Between a gateway's polls: the last combination carried to now. Every link's value moves with the common slope,
     * so the combination does; the truth moves at most the oscillator tolerance, so the bound grows by that and the
     * slope's own excursion, and stays honest under the same assumption as the combination's.
     */
    void extrapolate(long now, Combiner combination) {
        long dt = Math.max(0, now - combination.resultMono());
        double slope = combination.slope();
        long x = combination.resultX() + Math.round(slope * dt);
        long grow = (long) Math.ceil(dt * (Math.abs(slope) + config.frequencyTolerancePpb() * 1e-9)) + 1;
        lastSampleMono = now; // due (nextSampleMonoNanos): emitted or not, the next one is a period on
        emit(now, x, combination.resultBound() + grow, true, combination.windowNanosNow());
    }

    /** A fresh combination ({@code valueX}, {@code boundNanos}), unless a sample went out less than a period ago. */
    void emit(long now, long valueX, long boundNanos, long windowNanosNow) {
        emit(now, valueX, boundNanos, false, windowNanosNow);
    }

    private void emit(long now, long valueX, long boundNanos, boolean due, long windowNanosNow) {
        if (boundNanos >= Sample.ERROR_NANOS_MAX) {
            return;
        }
        if (!due && lastSampleMono != Long.MIN_VALUE && now - lastSampleMono < samplePeriodNanos(boundNanos, windowNanosNow)) {
            return;
        }
        long refBound = Long.MAX_VALUE;
        int leap = 0;
        for (PeerLink link : links) {
            if (link.selIndex >= 0 && link.verdict == Verdict.SELECTED) {
                refBound = Math.min(refBound, link.peerBoundNanos);
                leap = link.peerLeap;
            }
        }
        if (refBound == Long.MAX_VALUE || refBound > boundNanos) {
            refBound = 0;
        }
        lastSampleMono = now;
        samplesEmitted++;
        sink.accept(new Sample(ClocklinkNode.SOURCE_NAME, now, now + valueX, refBound, boundNanos - refBound,
                LeapIndicator.values()[Math.min(leap, LeapIndicator.values().length - 1)]));
    }

    private long samplePeriodNanos(long errorNanos, long windowNanosNow) {
        return config.samplePeriodNanos() > 0 ? config.samplePeriodNanos() : autoSamplePeriodNanos(errorNanos, windowNanosNow);
    }

    /**
     * The automatic sample period: {@code filterWindow / 256} (the discipline then follows the filter closely: its
     * {@value #DISCIPLINE_WINDOW_SAMPLES} samples span a quarter of the filter window), but spread enough that the
     * discipline can use their slope (it does once the slope's worst-case noise, about 3 x error / span, is under its
     * frequencyPpbMax: span >= 6 x error / frequencyPpbMax); never faster than the round, never slower than 4 s.
     */
    long autoSamplePeriodNanos(long errorNanos, long windowNanosNow) {
        double gateSpanNanos = 6.0 * errorNanos / (config.disciplineFrequencyPpbMax() * 1e-9);
        long p = Math.max(windowNanosNow / SAMPLE_PERIOD_WINDOW_FRACTION,
                (long) (gateSpanNanos / DISCIPLINE_WINDOW_SAMPLES));
        return Math.min(SAMPLE_PERIOD_AUTO_MAX_NANOS, Math.max(config.roundPeriodNanos(), p));
    }

    long samplesEmitted() {
        return samplesEmitted;
    }
}
