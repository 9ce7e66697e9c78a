package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which sessions a message may be for: by appliance topic, by exact topic name, and the sessions with a
 * wildcard that could match a reply or a will. Whether a listed session wants a topic is asked of its
 * {@link SubscriptionSet}, read whole from any thread.
 *
 * <p>Threads: a session changes its own entries, on its event loop, by difference from its previous set:
 * adds first, then removals, so it is never missing for a topic it subscribes to before and after. Routers
 * read from any thread (the tick thread, other event loops). The sets are concurrent and weakly consistent:
 * a reader may meet a session that left and came back twice, so readers de-duplicate.
 *
 * <p>Size: at most clients-max sessions, each in at most subscriptions-per-client-max exact entries.
 */
final class SubscriptionIndex {
    @SuppressWarnings("unchecked")
    private final Set<BrokerSession>[] applianceSubscribers = new Set[ApplianceTopic.values().length];
    private final Map<String, Set<BrokerSession>> exactSubscribers = new ConcurrentHashMap<>();
    private final Set<BrokerSession> wildcardSessions = ConcurrentHashMap.newKeySet();

    SubscriptionIndex() {
        for (int i = 0; i < applianceSubscribers.length; i++) {
            applianceSubscribers[i] = ConcurrentHashMap.newKeySet();
        }
    }

    /** Brings {@code s}'s entries from {@code before} to {@code after}; on {@code s}'s event loop only. */
    void update(BrokerSession s, SubscriptionSet before, SubscriptionSet after) {
        add(s, after, before);
        remove(s, before, after);
    }

    /** The sessions subscribed to one of the appliance's topics: a live, weakly consistent view. */
    Set<BrokerSession> applianceSubscribers(ApplianceTopic topic) {
        return applianceSubscribers[topic.ordinal()];
    }

    /**
     * Adds to {@code into} every session whose subscriptions now match {@code topic} (a reply or will topic,
     * not one of the appliance's). {@code into} should be an identity set: a session may be met twice.
     */
    void collect(String topic, Set<BrokerSession> into) {
        Set<BrokerSession> exact = exactSubscribers.get(topic);
        if (exact != null) {
            for (BrokerSession s : exact) {
                if (s.subscriptions().matchQos(topic) >= 0) {
                    into.add(s);
                }
            }
        }
        for (BrokerSession s : wildcardSessions) {
            if (s.subscriptions().matchQos(topic) >= 0) {
                into.add(s);
            }
        }
    }

    /** Adds {@code s} where {@code now} has what {@code before} had not. */
    private void add(BrokerSession s, SubscriptionSet now, SubscriptionSet before) {
        for (ApplianceTopic t : ApplianceTopic.values()) {
            if (now.applianceQos(t) >= 0 && before.applianceQos(t) < 0) {
                applianceSubscribers[t.ordinal()].add(s);
            }
        }
        for (String filter : now.exactFilters()) {
            if (!before.filters().containsKey(filter)) {
                // in one step with another session's removal of the last subscriber, which drops the set
                exactSubscribers.compute(filter, (k, set) -> {
                    Set<BrokerSession> to = set == null ? ConcurrentHashMap.newKeySet() : set;
                    to.add(s);
                    return to;
                });
            }
        }
        if (now.wildcardMayMatchReplies() && !before.wildcardMayMatchReplies()) {
            wildcardSessions.add(s);
        }
    }

    /** Removes {@code s} where {@code before} had what {@code now} has not. */
    private void remove(BrokerSession s, SubscriptionSet before, SubscriptionSet now) {
        for (ApplianceTopic t : ApplianceTopic.values()) {
            if (before.applianceQos(t) >= 0 && now.applianceQos(t) < 0) {
                applianceSubscribers[t.ordinal()].remove(s);
            }
        }
        for (String filter : before.exactFilters()) {
            if (!now.filters().containsKey(filter)) {
                exactSubscribers.computeIfPresent(filter, (k, set) -> {
                    set.remove(s);
                    return set.isEmpty() ? null : set;
                });
            }
        }
        if (before.wildcardMayMatchReplies() && !now.wildcardMayMatchReplies()) {
            wildcardSessions.remove(s);
        }
    }
}
