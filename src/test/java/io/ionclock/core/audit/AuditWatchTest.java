package io.ionclock.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditWatchTest {
    static AuditWatch.Observation look(String status, String source, boolean reachable, String leap, String leader,
            long term, Set<String> isolated, long steps, long resets, double ppb, long drops) {
        return new AuditWatch.Observation(status, source, Map.of("GNSS", reachable), leap, leader, term, isolated, steps,
                resets, ppb, drops);
    }

    static List<String> types(List<AuditEvent> events) {
        return events.stream().map(AuditEvent::type).toList();
    }

    @Test
    void eachTransitionIsOneEvent() {
        AuditWatch w = new AuditWatch(10, 100);
        assertEquals(List.of("status"), types(w.look(look("UNSYNCHRONIZED", "", false, "NONE", "", 0, Set.of(), 0, 0,
                Double.NaN, 0))));
        assertEquals(List.of(), types(w.look(look("UNSYNCHRONIZED", "", false, "NONE", "", 0, Set.of(), 0, 0,
                Double.NaN, 0))));
        List<AuditEvent> e = w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "m1", 1, Set.of(), 1, 0, 12, 0));
        assertEquals(List.of("status", "source_selected", "clocklink_leader", "clock_step"), types(e));
        assertEquals("SYNCHRONIZED", e.get(0).fields().get("to"));
        assertEquals("UNSYNCHRONIZED", e.get(0).fields().get("from"));
        assertEquals(List.of("leap_announced", "isolated", "frequency_step", "window_reset"), types(w.look(look(
                "SYNCHRONIZED", "GNSS", true, "INSERT", "m1", 1, Set.of("liar"), 1, 1, 500, 0))));
        assertEquals(List.of("status", "source_selected", "source_lost", "clocklink_leader", "returned"), types(w.look(
                look("HOLDOVER", "", false, "INSERT", "m2", 2, Set.of(), 1, 1, 500, 0))));
    }

    @Test
    void dropsOverTheThresholdAreOneEventAnEpisodeAndItsEnd() {
        AuditWatch w = new AuditWatch(10, 100);
        w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "", 0, Set.of(), 0, 0, 0, 0));
        assertEquals(List.of(), types(w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "", 0, Set.of(), 0, 0, 0, 10))));
        assertEquals(List.of("drops_over_threshold"), types(w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "", 0,
                Set.of(), 0, 0, 0, 21))));
        assertEquals(List.of(), types(w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "", 0, Set.of(), 0, 0, 0, 50))));
        List<AuditEvent> end = w.look(look("SYNCHRONIZED", "GNSS", true, "NONE", "", 0, Set.of(), 0, 0, 0, 50));
        assertEquals(List.of("drops_over_threshold"), types(end));
        assertEquals(false, end.get(0).fields().get("over"));
        assertEquals(40L, end.get(0).fields().get("drops"));
    }
}
