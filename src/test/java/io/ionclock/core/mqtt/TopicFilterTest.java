package io.ionclock.core.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopicFilterTest {
    @Test
    void theSpecsExamples() {
        assertTrue(TopicFilter.matches("sport/tennis/player1/#", "sport/tennis/player1"));
        assertTrue(TopicFilter.matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
        assertTrue(TopicFilter.matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
        assertTrue(TopicFilter.matches("sport/#", "sport"));
        assertTrue(TopicFilter.matches("#", "sport/tennis"));
        assertTrue(TopicFilter.matches("sport/tennis/+", "sport/tennis/player1"));
        assertFalse(TopicFilter.matches("sport/tennis/+", "sport/tennis/player1/ranking"));
        assertFalse(TopicFilter.matches("sport/+", "sport"));
        assertTrue(TopicFilter.matches("sport/+", "sport/"));
        assertTrue(TopicFilter.matches("+/+", "/finance"));
        assertTrue(TopicFilter.matches("/+", "/finance"));
        assertFalse(TopicFilter.matches("+", "/finance"));
        assertFalse(TopicFilter.matches("#", "$SYS/uptime"));
        assertFalse(TopicFilter.matches("+/monitor/Clients", "$SYS/monitor/Clients"));
        assertTrue(TopicFilter.matches("$SYS/#", "$SYS/uptime"));
        assertTrue(TopicFilter.matches("ionclock/+/time/tick", "ionclock/gw1/time/tick"));
        assertFalse(TopicFilter.matches("ionclock/+/time/tick", "ionclock/gw1/time/tick/bin"));
        assertTrue(TopicFilter.matches("ionclock/gw1/time/tick/#", "ionclock/gw1/time/tick/bin"));
        assertTrue(TopicFilter.matches("ionclock/gw1/time/tick/#", "ionclock/gw1/time/tick"));
        assertFalse(TopicFilter.matches("a/b", "a/bc"));
        assertFalse(TopicFilter.matches("a/bc", "a/b"));
        assertTrue(TopicFilter.matches("+/+/+", "a//c"));
        assertFalse(TopicFilter.matches("+/+/+", "a/c"));
    }

    @Test
    void validity() {
        for (String ok : new String[] {"#", "+", "a/+/b", "a/#", "/", "+/+", "a//b", "$SYS/#"}) {
            assertTrue(TopicFilter.isValidFilter(ok), ok);
        }
        for (String bad : new String[] {"", "a/#/b", "a#", "a+", "+a/b", "a/b#", "##", "a\u0000b", "x".repeat(1025)}) {
            assertFalse(TopicFilter.isValidFilter(bad), bad);
        }
        assertTrue(TopicFilter.isValidTopicName("ionclock/gw/time/tick"));
        for (String bad : new String[] {"", "a/+", "#", "a\u0000", "\ud800"}) {
            assertFalse(TopicFilter.isValidTopicName(bad), bad);
        }
    }

    /** Seeded random filters and topics against a reference matcher built from level lists. */
    @Test
    void agreesWithAReferenceMatcherOnRandomInput() {
        long seed = 9;
        Random r = new Random(seed);
        String[] words = {"a", "b", "", "$x"};
        for (int i = 0; i < 200_000; i++) {
            String topic = join(r, words, false);
            String filter = join(r, words, true);
            if (!TopicFilter.isValidTopicName(topic) || !TopicFilter.isValidFilter(filter)) {
                continue;
            }
            assertEquals(reference(filter, topic), TopicFilter.matches(filter, topic),
                    () -> "seed " + seed + ": filter '" + filter + "' topic '" + topic + "'");
        }
    }

    private static String join(Random r, String[] words, boolean wildcards) {
        int n = 1 + r.nextInt(4);
        List<String> levels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(wildcards ? 6 : 4);
            levels.add(k < 4 ? words[k] : k == 4 ? "+" : (i == n - 1 ? "#" : "+"));
        }
        return String.join("/", levels);
    }

    static boolean reference(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
