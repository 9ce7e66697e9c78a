package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceStatsTest {
    @Test
    void theAcceptedListenerSeesEveryAcceptedSampleAndNothingElse() {
        SourceStats stats = new SourceStats();
        List<Sample> seen = new ArrayList<>();
        stats.onAccepted((source, sample) -> {
            assertEquals(1, source.accepted.get() - seen.size(), "counted before the listener runs");
            seen.add(sample);
        });
        Sample a = new Sample("GNSS+PPS", 1_000, 2_000, 0, 100, LeapIndicator.NONE);
        Sample b = new Sample("GNSS+PPS", 2_000, 3_000, 0, 100, LeapIndicator.NONE);
        stats.record(a, DisciplinedClock.Verdict.ACCEPTED, 5);
        stats.record(b, DisciplinedClock.Verdict.REJECTED_SUSPECT, 5);
        stats.record(b, DisciplinedClock.Verdict.REJECTED_STALE, 5);
        stats.recordNotSelected(b);
        stats.recordDropped("GNSS+PPS");
        assertEquals(List.of(a), seen);
        SourceStats.Source s = stats.source("GNSS+PPS");
        assertEquals(1, s.accepted.get());
        assertEquals(3, s.rejected());
        assertSame(a, s.lastSample());
    }
}
