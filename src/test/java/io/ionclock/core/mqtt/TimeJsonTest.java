package io.ionclock.core.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Rfc3339;
import org.junit.jupiter.api.Test;

class TimeJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tickCarriesTheSnapshot() throws Exception {
        ClockSnapshot s = TickBinaryTest.snapshot(1_795_295_454_000_012_345L, 10_123, ClockStatus.HOLDOVER, "GNSS+PPS",
                LeapIndicator.INSERT);
        AsciiWriter w = new AsciiWriter(8);
        TimeJson.tick(w, 7, s);
        JsonNode n = JSON.readTree(w.toByteArray());
        assertEquals(7, n.get("seq").asLong());
        assertEquals(s.epochNanos(), n.get("epochNanos").asLong());
        assertEquals(s.earliestNanos(), n.get("earliestNanos").asLong());
        assertEquals(s.latestNanos(), n.get("latestNanos").asLong());
        assertEquals(10_123, n.get("boundNanos").asLong());
        assertEquals(Rfc3339.ofEpochNanos(s.epochNanos()), n.get("time").asText());
        assertEquals("HOLDOVER", n.get("status").asText());
        assertEquals("GNSS+PPS", n.get("source").asText());
        assertEquals("INSERT", n.get("leap").asText());
    }

    @Test
    void replyStatusAndErrorsAreJson() throws Exception {
        AsciiWriter w = new AsciiWriter(8);
        TimeJson.replyStart(w, Long.MIN_VALUE, 5, "\"q\\\"\"", "SIM", "NONE");
        TimeJson.replyEnd(w, ClockStatus.SYNCHRONIZED, 99, 6);
        JsonNode n = JSON.readTree(w.toByteArray());
        assertEquals(Long.MIN_VALUE, n.get("t1Nanos").asLong());
        assertEquals(5, n.get("t2Nanos").asLong());
        assertEquals(6, n.get("t3Nanos").asLong());
        assertEquals("q\"", n.get("id").asText());
        assertEquals(99, n.get("boundNanos").asLong());
        TimeJson.error(w.reset(), RequestError.MISSING_T1, null);
        assertEquals("MISSING_T1", JSON.readTree(w.toByteArray()).get("error").asText());
        TimeJson.offline(w.reset(), "gw-1");
        assertFalse(JSON.readTree(w.toByteArray()).get("online").asBoolean());
        TimeJson.status(w.reset(), "gw-1", TickBinaryTest.snapshot(1, 2, ClockStatus.SYNCHRONIZED, "SIM", LeapIndicator.NONE));
        assertTrue(JSON.readTree(w.toByteArray()).get("online").asBoolean());
        w.reset().string("\u00e9\u0001\\");
        assertEquals("\u00e9\u0001\\", JSON.readTree(w.toByteArray()).asText());
        w.reset().number(0).raw(",").number(-1).raw(",").number(Long.MIN_VALUE).raw(",").number(Long.MAX_VALUE);
        assertEquals("0,-1,-9223372036854775808,9223372036854775807", w.toString());
    }

    @Test
    void repliesMayNotLandOnTheAppliancesTopics() {
        GatewayTopics t = new GatewayTopics("gw-1");
        assertTrue(t.isAllowedReplyTopic("sensors/s1/time"));
        assertTrue(t.isAllowedReplyTopic("ionclock/gw-1/time/reply/s1"));
        assertFalse(t.isAllowedReplyTopic("ionclock/gw-1/time/reply/"));
        assertFalse(t.isAllowedReplyTopic("ionclock/gw-1/time/tick"));
        assertFalse(t.isAllowedReplyTopic("ionclock/gw-1/status"));
        assertFalse(t.isAllowedReplyTopic("ionclock/gw-2/time/reply/x"));
        assertFalse(t.isAllowedReplyTopic("$SYS/x"));
        assertFalse(t.isAllowedReplyTopic("a/+"));
        assertEquals("my-host-local", GatewayTopics.gatewayIdOf("my host/local"));
        for (String may : new String[] {"#", "+/x", "sensors/#", "ionclock/#", "ionclock/+/#", "ionclock/gw-1/time/reply/+",
                "ionclock/+/+/+/x", "ionclock/gw-1/time/#"}) {
            assertTrue(t.filterMayMatchReplies(may), may);
        }
        for (String never : new String[] {"ionclock/+/time/tick", "ionclock/gw-1/status", "ionclock/+/time/tick/+",
                "ionclock/gw-2/#", "ionclock/+/time/reply", "ionclock/+"}) {
            assertFalse(t.filterMayMatchReplies(never), never);
        }
        // agrees with matching: a filter that matches some reply topic is never called "never"
        java.util.Random r = new java.util.Random(23);
        String[] level = {"ionclock", "gw-1", "gw-2", "time", "reply", "tick", "x", "+"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder f = new StringBuilder();
            int n = 1 + r.nextInt(6);
            for (int k = 0; k < n; k++) {
                f.append(k == 0 ? "" : "/").append(k == n - 1 && r.nextInt(4) == 0 ? "#" : level[r.nextInt(level.length)]);
            }
            String filter = f.toString();
            if (!TopicFilter.isValidFilter(filter) || t.filterMayMatchReplies(filter)) {
                continue;
            }
            for (String topic : new String[] {"ionclock/gw-1/time/reply/x", "ionclock/gw-1/time/reply/x/y", "x", "x/y/z",
                    "time/reply/x", "gw-1/time/reply/x"}) {
                assertFalse(TopicFilter.matches(filter, topic), filter + " matches " + topic);
            }
        }
        assertFalse(GatewayTopics.isValidGatewayId("a/b"));
        assertFalse(GatewayTopics.isValidGatewayId("+"));
    }

    @Test
    void theTickIsDueAtTheNextSecond() {
        assertEquals(2_000_000_000L, TickSchedule.nextSecondEpochNanos(1_000_000_000L));
        assertEquals(2_000_000_000L, TickSchedule.nextSecondEpochNanos(1_999_999_999L));
        assertEquals(0, TickSchedule.nextSecondEpochNanos(-1));
        assertEquals(999_000_000L, TickSchedule.waitMonoNanos(1_000_000_000L, 1_000_000));
        assertEquals(0, TickSchedule.waitMonoNanos(-5, 1_000_000));
    }
}
