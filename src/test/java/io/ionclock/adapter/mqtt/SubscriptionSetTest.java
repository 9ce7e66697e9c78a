package io.ionclock.adapter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.mqtt.SubscriptionSet.Subscription;
import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.GatewayTopics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionSetTest {
    static final GatewayTopics TOPICS = new GatewayTopics("gw1");

    static SubscriptionSet of(Object... filterQosRap) {
        Map<String, Subscription> m = new LinkedHashMap<>();
        for (int i = 0; i < filterQosRap.length; i += 3) {
            m.put((String) filterQosRap[i], new Subscription((Integer) filterQosRap[i + 1], (Boolean) filterQosRap[i + 2]));
        }
        return SubscriptionSet.of(m, TOPICS);
    }

    @Test
    void theHighestQosOfOverlappingFiltersWins() {
        SubscriptionSet s = of("sensors/+/time", 0, false, "sensors/#", 1, false, "sensors/a/time", 0, false);
        assertEquals(1, s.matchQos("sensors/a/time"));
        assertEquals(1, s.matchQos("sensors"), "a/# matches its parent level");
        assertEquals(-1, s.matchQos("other/a"));
        assertEquals(0, of("sensors/a/time", 0, false).matchQos("sensors/a/time"));
        assertEquals(-1, of("#", 1, false).matchQos("$SYS/x"), "a leading wildcard never matches $ topics");
    }

    @Test
    void theAppliancesTopicsAreWorkedOutOnce() {
        SubscriptionSet s = of("ionclock/+/time/tick", 0, false, "ionclock/gw1/#", 1, true);
        assertEquals(1, s.applianceQos(ApplianceTopic.TICK));
        assertEquals(1, s.applianceQos(ApplianceTopic.TICK_BINARY));
        assertEquals(1, s.applianceQos(ApplianceTopic.STATUS));
        assertTrue(s.applianceRetainAsPublished(ApplianceTopic.STATUS));
        SubscriptionSet tickOnly = of("ionclock/gw1/time/tick", 0, false);
        assertEquals(0, tickOnly.applianceQos(ApplianceTopic.TICK));
        assertEquals(-1, tickOnly.applianceQos(ApplianceTopic.STATUS));
        assertFalse(tickOnly.applianceRetainAsPublished(ApplianceTopic.TICK));
    }

    @Test
    void exactFiltersAndRepliesWildcardsAreSetApart() {
        SubscriptionSet s = of("sensors/a/time", 0, false, "ionclock/+/time/tick", 0, false);
        assertEquals(List.of("sensors/a/time"), s.exactFilters());
        assertFalse(s.wildcardMayMatchReplies(), "a tick filter never matches a reply topic");
        assertTrue(of("sensors/+/time", 0, false).wildcardMayMatchReplies());
        assertTrue(of("ionclock/gw1/time/reply/+", 0, false).wildcardMayMatchReplies());
    }

    @Test
    void aSetIsACopyThatCannotBeChanged() {
        Map<String, Subscription> m = new LinkedHashMap<>();
        m.put("a/b", new Subscription(1, false));
        SubscriptionSet s = SubscriptionSet.of(m, TOPICS);
        m.put("a/c", new Subscription(1, false));
        assertEquals(1, s.size());
        assertEquals(-1, s.matchQos("a/c"));
        assertThrows(UnsupportedOperationException.class, () -> s.filters().put("x", new Subscription(0, false)));
        assertThrows(UnsupportedOperationException.class, () -> s.exactFilters().add("x"));
        assertSame(SubscriptionSet.EMPTY, SubscriptionSet.of(Map.of(), TOPICS));
        assertEquals(-1, SubscriptionSet.EMPTY.applianceQos(ApplianceTopic.TICK));
        assertTrue(SubscriptionSet.EMPTY.isEmpty());
    }
}
