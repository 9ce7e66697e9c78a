package io.ionclock.adapter.net;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Clocklink node knows addresses only as {@code long} tokens; this table maps them to UDP addresses and back.
 * Three pools, each with a named limit, so a flood of datagrams from many addresses cannot push out the ones that
 * matter:
 * <ul>
 *   <li>configured peers ({@code ionclock.sync.peers}): tokens 1..n, never evicted;</li>
 *   <li>trusted addresses (a datagram from them passed the node's checks: joined clients, mostly): at most
 *       {@code trustedMax}, the least recently heard evicted first;</li>
 *   <li>strangers (everything else, e.g. garbage or a JOIN not yet accepted): at most {@link #STRANGERS_MAX}, the
 *       least recently heard evicted first. A stranger never evicts a trusted address.</li>
 * </ul>
 * A token is never reused: an evicted address that comes back gets a new one (the node then sees a stranger, and a
 * client joins again). Not thread-safe: one event loop.
 */
public final class AddressTable {
    /** Addresses that sent something the node did not accept, remembered at most (for replies such as a refused JOIN). */
    public static final int STRANGERS_MAX = 64;

    /** A UDP address as the transport reports it (an IP literal and a port). */
    public record Address(String host, int port) {
    }

    private static final class Entry {
        final long token;
        final Address address;
        final boolean configured;

        Entry(long token, Address address, boolean configured) {
            this.token = token;
            this.address = address;
            this.configured = configured;
        }
    }

    private final int trustedMax;
    private final Map<Address, Entry> byAddress = new HashMap<>();
    private final Map<Long, Entry> byToken = new HashMap<>();
    /** Access-ordered: the first is the least recently heard. */
    private final LinkedHashMap<Long, Entry> trusted = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<Long, Entry> strangers = new LinkedHashMap<>(16, 0.75f, true);
    private long nextToken;
    private long evictions;

    /**
     * @param configured the configured peers, in order: their tokens are 1..n
     * @param trustedMax trusted (non-configured) addresses kept at most: the node's clientsMax
     */
    public AddressTable(List<Address> configured, int trustedMax) {
        if (trustedMax < 0) {
            throw new IllegalArgumentException("trustedMax must be >= 0: " + trustedMax);
        }
        this.trustedMax = trustedMax;
        for (Address a : configured) {
            Entry e = new Entry(++nextToken, a, true);
            if (byAddress.putIfAbsent(a, e) != null) {
                throw new IllegalArgumentException("address configured twice: " + a);
            }
            byToken.put(e.token, e);
        }
    }

    /** The token of the address a datagram came from; a new address becomes a stranger (evicting the oldest one). */
    public long tokenOf(String host, int port) {
        Address a = new Address(host, port);
        Entry e = byAddress.get(a);
        if (e != null) {
            if (!e.configured) {
                touch(e);
            }
            return e.token;
        }
        if (strangers.size() >= STRANGERS_MAX) {
            evictOldest(strangers);
        }
        e = new Entry(++nextToken, a, false);
        byAddress.put(a, e);
        byToken.put(e.token, e);
        strangers.put(e.token, e);
        return e.token;
    }

    /** The node accepted a datagram from {@code token}: a stranger becomes trusted (evicting the oldest trusted one). */
    public void trust(long token) {
        Entry e = strangers.remove(token);
        if (e == null) {
            return; // configured, already trusted, or evicted meanwhile
        }
        if (trustedMax == 0) {
            strangers.put(token, e);
            return;
        }
        if (trusted.size() >= trustedMax) {
            evictOldest(trusted);
        }
        trusted.put(token, e);
    }

    /** The address of {@code token}, or null when it was evicted (or never existed). */
    public Address addressOf(long token) {
        Entry e = byToken.get(token);
        return e == null ? null : e.address;
    }

    private void touch(Entry e) {
        if (trusted.get(e.token) == null) {
            strangers.get(e.token);
        }
    }

    private void evictOldest(LinkedHashMap<Long, Entry> pool) {
        Iterator<Entry> it = pool.values().iterator();
        Entry oldest = it.next();
        it.remove();
        byAddress.remove(oldest.address);
        byToken.remove(oldest.token);
        evictions++;
    }

    /** Addresses held now (configured ones included). */
    public int size() {
        return byToken.size();
    }

    /** Addresses held at most: configured + trustedMax + {@link #STRANGERS_MAX}. */
    public int capacity() {
        return byToken.size() - trusted.size() - strangers.size() + trustedMax + STRANGERS_MAX;
    }

    public int trustedCount() {
        return trusted.size();
    }

    public int strangerCount() {
        return strangers.size();
    }

    public long evictions() {
        return evictions;
    }
}
