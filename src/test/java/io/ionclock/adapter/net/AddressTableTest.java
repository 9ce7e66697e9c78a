package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressTableTest {
    static final List<AddressTable.Address> PEERS = List.of(new AddressTable.Address("10.0.0.1", 7372),
            new AddressTable.Address("10.0.0.2", 7372));

    @Test
    void configuredPeersHaveTokensOneToNAndAreNeverEvicted() {
        AddressTable t = new AddressTable(PEERS, 4);
        assertEquals(1, t.tokenOf("10.0.0.1", 7372));
        assertEquals(2, t.tokenOf("10.0.0.2", 7372));
        for (int port = 1; port <= 10_000; port++) {
            t.tokenOf("192.0.2.7", port); // a flood from many source ports
        }
        assertEquals(1, t.tokenOf("10.0.0.1", 7372));
        assertEquals(PEERS.get(1), t.addressOf(2));
        assertEquals(PEERS.size() + AddressTable.STRANGERS_MAX, t.size(), "strangers are bounded");
        assertTrue(t.size() <= t.capacity());
        assertEquals(10_000 - AddressTable.STRANGERS_MAX, t.evictions());
        assertThrows(IllegalArgumentException.class, () -> new AddressTable(List.of(PEERS.get(0), PEERS.get(0)), 1));
    }

    @Test
    void strangersNeverEvictTrustedAddressesAndTheOldestGoesFirst() {
        AddressTable t = new AddressTable(PEERS, 2);
        long a = t.tokenOf("10.1.0.1", 1);
        long b = t.tokenOf("10.1.0.2", 1);
        t.trust(a);
        t.trust(b);
        for (int port = 1; port <= 1_000; port++) {
            t.tokenOf("203.0.113.9", port);
        }
        assertEquals(a, t.tokenOf("10.1.0.1", 1), "a trusted client keeps its token through a flood");
        assertEquals(b, t.tokenOf("10.1.0.2", 1));
        assertEquals(2, t.trustedCount());
        assertEquals(AddressTable.STRANGERS_MAX, t.strangerCount());
        assertEquals(PEERS.size() + 2 + AddressTable.STRANGERS_MAX, t.capacity());
        // a is heard again, so b is the least recently heard: a third trusted address (a new client) evicts b.
        t.tokenOf("10.1.0.1", 1);
        long c = t.tokenOf("10.1.0.3", 1);
        t.trust(c);
        assertNull(t.addressOf(b), "the least recently heard trusted address went");
        assertNotNull(t.addressOf(a));
        long bAgain = t.tokenOf("10.1.0.2", 1);
        assertNotEquals(b, bAgain, "a token is never reused: the node sees a new address, which must join again");
    }

    @Test
    void withoutRoomForClientsEverythingElseStaysAStranger() {
        AddressTable t = new AddressTable(PEERS, 0);
        long s = t.tokenOf("10.9.9.9", 9);
        t.trust(s);
        assertEquals(0, t.trustedCount());
        assertEquals(1, t.strangerCount());
        t.trust(1); // a configured peer: nothing to do
        assertEquals(PEERS.get(0), t.addressOf(1));
    }
}
