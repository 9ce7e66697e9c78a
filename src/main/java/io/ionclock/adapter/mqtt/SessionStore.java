package io.ionclock.adapter.mqtt;

import io.vertx.core.Context;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions: those connected, by client id, with the count that clients-max limits, and the persistent
 * ones kept after their client left (their subscriptions only), at most clients-max of them, until they
 * expire. Thread-safe: connections arrive and leave on every event loop.
 */
final class SessionStore {
    private record StoredSession(SubscriptionSet subscriptions, long expiresAtMonoNanos) {
    }

    private final int clientsMax;
    private final Map<String, BrokerSession> connected = new ConcurrentHashMap<>();
    private final Map<String, StoredSession> stored = new ConcurrentHashMap<>();
    private final AtomicInteger clientCount = new AtomicInteger();

    /** @param clientsMax connected clients, and separately stored sessions, at most */
    SessionStore(int clientsMax) {
        this.clientsMax = clientsMax;
    }

    /** The session connected with this client id, or null. */
    BrokerSession connected(String clientId) {
        return connected.get(clientId);
    }

    /**
     * Takes a place for a new connection; false when clients-max are connected and it takes none over. A place
     * is taken first: connections arrive on several event loops at once. (One that takes a session over holds
     * a place too until the old connection's close gives its own back.)
     */
    boolean reserve(boolean takingOver) {
        if (clientCount.incrementAndGet() > clientsMax && !takingOver) {
            clientCount.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Makes {@code s} the connected session of its client id and returns the subscriptions its client left
     * stored, or null when there are none to resume: a clean start, none stored, or expired. The stored ones
     * go either way.
     */
    SubscriptionSet attach(BrokerSession s, boolean cleanStart, long nowMonoNanos) {
        connected.put(s.clientId(), s);
        StoredSession old = stored.remove(s.clientId());
        if (old == null || cleanStart || old.expiresAtMonoNanos() <= nowMonoNanos) {
            return null;
        }
        return old.subscriptions();
    }

    /**
     * A connection has closed: its place is given back and, for a persistent session not taken over, its
     * subscriptions are kept until {@code expiresAtMonoNanos} while there is room.
     */
    void detach(BrokerSession s, SubscriptionSet subscriptions, boolean keep, long expiresAtMonoNanos) {
        clientCount.decrementAndGet();
        connected.remove(s.clientId(), s);
        if (keep && !subscriptions.isEmpty() && stored.size() < clientsMax) {
            stored.put(s.clientId(), new StoredSession(subscriptions, expiresAtMonoNanos));
        }
    }

    /** Drops the stored sessions expired by now. */
    void sweep(long nowMonoNanos) {
        stored.values().removeIf(s -> s.expiresAtMonoNanos() <= nowMonoNanos);
    }

    int clients() {
        return clientCount.get();
    }

    int storedSessions() {
        return stored.size();
    }

    /** The connected sessions grouped by their event loop's context. */
    Map<Context, List<BrokerSession>> connectedByContext() {
        return BrokerSession.byContext(connected.values());
    }
}
