package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.TopicFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's topic filters, immutable, with what the broker asks of them worked out once: the QoS and
 * retain-as-published for each of the appliance's topics, the filters without wildcards (looked up by name)
 * and whether any wildcard could match a reply or a will. A change makes a new set; the session publishes it
 * through a volatile field, so another event loop routing a reply reads a whole set, never one being changed.
 */
final class SubscriptionSet {
    /** A granted subscription: QoS 0 or 1, and MQTT 5's retain-as-published. */
    record Subscription(int qos, boolean retainAsPublished) {
    }

    static final SubscriptionSet EMPTY = new SubscriptionSet(Map.of(), null);

    private final Map<String, Subscription> filters;
    private final int[] applianceQos = {-1, -1, -1};
    private final boolean[] applianceRetainAsPublished = new boolean[ApplianceTopic.values().length];
    private final List<String> exactFilters;
    private final String[] wildcardFilters;
    private final int[] wildcardQos;
    private final boolean mayMatchReplies;

    private SubscriptionSet(Map<String, Subscription> filters, GatewayTopics topics) {
        this.filters = filters;
        List<String> exact = new ArrayList<>();
        List<String> wildcards = new ArrayList<>();
        boolean replies = false;
        for (String filter : filters.keySet()) {
            if (TopicFilter.hasWildcard(filter)) {
                wildcards.add(filter);
                // only wildcards that could match a reply or will topic are looked at when routing those
                replies |= topics.filterMayMatchReplies(filter);
            } else {
                exact.add(filter);
            }
        }
        exactFilters = List.copyOf(exact);
        mayMatchReplies = replies;
        wildcardFilters = wildcards.toArray(String[]::new);
        wildcardQos = new int[wildcardFilters.length];
        for (int i = 0; i < wildcardFilters.length; i++) {
            wildcardQos[i] = filters.get(wildcardFilters[i]).qos();
        }
        if (topics != null) {
            String[] names = {topics.status, topics.tick, topics.tickBinary};
            for (int t = 0; t < names.length; t++) {
                for (Map.Entry<String, Subscription> e : filters.entrySet()) {
                    if (TopicFilter.matches(e.getKey(), names[t])) {
                        applianceQos[t] = Math.max(applianceQos[t], e.getValue().qos());
                        applianceRetainAsPublished[t] |= e.getValue().retainAsPublished();
                    }
                }
            }
        }
    }

    /** A set of these filters (in their order), each already valid. */
    static SubscriptionSet of(Map<String, Subscription> filters, GatewayTopics topics) {
        return filters.isEmpty() ? EMPTY
                : new SubscriptionSet(Collections.unmodifiableMap(new LinkedHashMap<>(filters)), topics);
    }

    /** The filters, unmodifiable, to copy and change. */
    Map<String, Subscription> filters() {
        return filters;
    }

    int size() {
        return filters.size();
    }

    boolean isEmpty() {
        return filters.isEmpty();
    }

    /** The highest QoS of the filters matching {@code topic} (a topic name), or -1 when none does. */
    int matchQos(String topic) {
        Subscription exact = filters.get(topic);
        int best = exact == null ? -1 : exact.qos();
        for (int i = 0; i < wildcardFilters.length; i++) {
            if (wildcardQos[i] > best && TopicFilter.matches(wildcardFilters[i], topic)) {
                best = wildcardQos[i];
            }
        }
        return best;
    }

    /** The QoS granted for one of the appliance's topics, or -1 when no filter matches it. */
    int applianceQos(ApplianceTopic topic) {
        return applianceQos[topic.ordinal()];
    }

    /** Whether a filter matching this appliance topic asked for retain-as-published (MQTT 5). */
    boolean applianceRetainAsPublished(ApplianceTopic topic) {
        return applianceRetainAsPublished[topic.ordinal()];
    }

    /** The filters without wildcards: a message to one of these names is for this session. */
    List<String> exactFilters() {
        return exactFilters;
    }

    /** Whether a wildcard filter could match a reply or a will topic. */
    boolean wildcardMayMatchReplies() {
        return mayMatchReplies;
    }
}
