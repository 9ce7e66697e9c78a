package io.ionclock.app;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.Sample;
import io.ionclock.core.SourceStats;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/status}: the clock state, the reference in use and each source's statistics. */
@RegisterForReflection
public record StatusResponse(
        String profile,
        TimeResponse time,
        ClockState clock,
        Reference reference,
        List<SourceState> sources) {

    /** The discipline's state; offsets are {@code local - reference} (positive: we are ahead). */
    @RegisterForReflection
    public record ClockState(long offsetNanos, long lastOffsetNanos, double frequencyPpb, double frequencyErrorPpb,
            double jitterNanos, long lastSampleAgeNanos, int sampleCount, long monotonicViolations, long steps,
            long windowResets, long windowRestores, int queuedSamples) {
    }

    @RegisterForReflection
    public record Reference(String kind, boolean alive, Map<String, Object> details) {
    }

    @RegisterForReflection
    public record SourceState(String name, long accepted, long rejectedSuspect, long rejectedStale,
            long droppedQueueFull, LastSample lastSample) {
    }

    /** The last accepted sample: {@code offsetNanos} against the clock before it was applied. */
    @RegisterForReflection
    public record LastSample(long monoNanos, long refEpochNanos, long refBoundNanos, long measurementErrorNanos,
            long offsetNanos, long ageNanos) {
    }

    static StatusResponse of(ClockService service, String profile) {
        ClockSnapshot s = service.snapshot();
        var c = service.clock();
        ClockState clock = new ClockState(s.offsetNanos(), s.lastOffsetNanos(), s.frequencyPpb(), s.frequencyErrorPpb(),
                s.jitterNanos(), s.lastSampleAgeNanos(), s.sampleCount(), c.monotonicViolations(), c.steps(),
                c.windowResets(), c.windowRestores(), service.queuedSamples());
        Reference reference = service.source()
                .map(r -> new Reference(r.kind(), service.sourceAlive(), r.details()))
                .orElse(new Reference("none", true, Map.of()));
        List<SourceState> sources = service.sources().stream().map(src -> sourceState(src, s.monoNanos())).toList();
        return new StatusResponse(profile, TimeResponse.of(s), clock, reference, sources);
    }

    private static SourceState sourceState(SourceStats.Source src, long nowMonoNanos) {
        Sample last = src.lastSample();
        LastSample lastSample = last == null ? null
                : new LastSample(last.monoNanos(), last.refEpochNanos(), last.refBoundNanos(),
                        last.measurementErrorNanos(), src.lastOffsetNanos(), nowMonoNanos - last.monoNanos());
        return new SourceState(src.name, src.accepted.get(), src.rejectedSuspect.get(), src.rejectedStale.get(),
                src.droppedQueueFull.get(), lastSample);
    }
}
