package io.ionclock.core.mqtt;

/**
 * MQTT topic names and filters (MQTT 3.1.1 section 4.7, MQTT 5 section 4.7): {@code +} matches one
 * level, {@code #} the rest (including the parent level), and a wildcard in the first level does not
 * match a topic starting with {@code $}.
 */
public final class TopicFilter {
    /** Longest topic name or filter accepted, in UTF-16 chars (the protocol allows 65535 bytes). */
    public static final int TOPIC_CHARS_MAX = 1024;

    private TopicFilter() {
    }

    /** A topic name a message may be published to: not empty, no wildcards, no NUL, not too long. */
    public static boolean isValidTopicName(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > TOPIC_CHARS_MAX) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0 || Character.isSurrogate(c) && !validSurrogate(topic, i)) {
                return false;
            }
        }
        return true;
    }

    /** A subscription filter: {@code +} alone in its level, {@code #} alone and last. */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > TOPIC_CHARS_MAX) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == 0 || Character.isSurrogate(c) && !validSurrogate(filter, i)) {
                return false;
            }
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == n - 1 || filter.charAt(i + 1) == '/';
            if (c == '+' && !(levelStart && levelEnd)) {
                return false;
            }
            if (c == '#' && !(levelStart && i == n - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a filter has a wildcard (so it cannot be looked up by name). */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /** Whether {@code filter} (valid) matches {@code topic} (a valid topic name). */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fn = filter.length();
        int tn = topic.length();
        while (f < fn) {
            char c = filter.charAt(f);
            if (c == '#') {
                return true; // matches this level and everything below, including the parent
            }
            if (c == '+') {
                while (t < tn && topic.charAt(t) != '/') {
                    t++;
                }
                f++;
            } else {
                if (t >= tn || topic.charAt(t) != c) {
                    // "a/#" matches "a": the filter's "/#" may stand for nothing
                    return t == tn && c == '/' && f + 2 == fn && filter.charAt(f + 1) == '#';
                }
                f++;
                t++;
                continue;
            }
            // after '+': both must be at a level end together
            if (f < fn && t < tn) {
                continue; // next chars are '/' in both (checked by the literal branch)
            }
            if (f == fn) {
                return t == tn;
            }
            // topic ended, filter goes on: only "/#" may follow
            return filter.startsWith("/#", f) && f + 2 == fn;
        }
        return t == tn;
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
