package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.Saturating;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The server side of a node: it answers SYNC_REQUESTs (from its configured peers and its clients) with its published
 * time, and keeps the clients that joined: a slot for a JOIN that carries a current cookie (other JOINs get a
 * CHALLENGE and leave no state), at most {@code clientsMax}, the same node moving to a new address (NAT rebinding),
 * idle slots reused, and the poll interval it asks of its clients from their number.
 */
final class Server {
    /**
     * A server's JOIN cookie is good for this time slot and the one before (16..32 s): a JOIN that does not carry a
     * current one is answered with a CHALLENGE (no state kept), so a recorded JOIN replayed later, after the server
     * restarted or the client's slot expired, takes no client slot.
     */
    static final long JOIN_COOKIE_SLOT_NANOS = 16_000_000_000L;
    /** A client that sent nothing for this long may lose its slot to a new one. */
    static final long CLIENT_IDLE_NANOS = 600_000_000_000L;
    /**
     * A loaded server keeps 1/this of its capacity ({@code clientRequestsPerRound}) for clients that just joined:
     * each of them may poll every round for {@link #JOIN_FAST_NANOS} (so one gateway joining a busy fleet converges
     * in seconds), and the others share the rest.
     */
    static final int JOIN_FAST_SHARE_DIVISOR = 4;
    static final long JOIN_FAST_NANOS = 10_000_000_000L;

    /** Whom a response goes to: a configured peer (no pace), a client, a client in a join fast slot (every round). */
    static final int TO_PEER = 0;
    static final int TO_CLIENT = 1;
    static final int FAST = 2;

    /** A client that joined. */
    static final class Client {
        boolean used;
        int nodeNumber;
        long token;
        final ReplayWindow replay = new ReplayWindow();
        long lastHeardMono;
        final byte[] name = new byte[Wire.NAME_BYTES_MAX];
        int nameLength;
        int role;
        long requests;
        final long[] drops = new long[DropReason.VALUES.length];
        long fastUntilMono; // holds a join fast slot until then (0: none)
    }

    private final ClocklinkConfig config;
    private final ClocklinkNode.LocalClock clock;
    private final ClocklinkAuth auth;
    private final Transmitter transmitter;
    private final int nodeNumber;
    private final boolean master;
    private final byte[] nameBytes;
    private final Client[] clients;
    private final LongIntMap clientByToken;
    private final int counterBase;
    private final Election election;
    private final IntSupplier tier;
    private final ClockReading reading = new ClockReading();
    private int clientsUsed;
    private int clientPollCode; // what this server asks of its clients
    private final int fastSlotsMax; // clients that may poll every round just after joining
    private int fastSlotsUsed;
    private long joinsRefused;
    private long joinChallenges;
    // Interleaved mode: per destination counter (links, then client slots), the last response sent there.
    private boolean interleaving; // the transport reports transmit times: answer INTERLEAVED requests in version 2
    private final long[] lastResponseSeq;
    private final long[] lastResponseEcho; // the request sequence it echoed
    private final long[] lastResponseMono; // when the node sent it (before the transport took it)
    private final long[] lastResponseT3; // the t3 it carried
    private final long[] lastResponseTxDelay; // its true transmit time minus that t3, once reported
    private final boolean[] lastResponseTxKnown;
    private long interleavedResponses;

    /**
     * @param counterBase the transmitter's counter of client slot 0 (slot i: counterBase + i)
     * @param election    the term and leader every response carries
     * @param tier        the node's tier, which every response carries
     */
    Server(ClocklinkConfig config, ClocklinkNode.LocalClock clock, ClocklinkAuth auth, Transmitter transmitter,
            int counterBase, Election election, IntSupplier tier) {
        this.config = config;
        this.clock = clock;
        this.auth = auth;
        this.transmitter = transmitter;
        this.nodeNumber = config.nodeNumber();
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
        this.nameBytes = config.nodeId().getBytes(StandardCharsets.UTF_8);
        this.counterBase = counterBase;
        this.election = election;
        this.tier = tier;
        this.clients = new Client[config.clientsMax()];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Client();
        }
        this.clientByToken = new LongIntMap(Math.max(1, config.clientsMax()));
        this.fastSlotsMax = config.clientRequestsPerRound() / JOIN_FAST_SHARE_DIVISOR;
        int destinations = counterBase + config.clientsMax();
        this.lastResponseSeq = new long[destinations];
        this.lastResponseEcho = new long[destinations];
        this.lastResponseMono = new long[destinations];
        this.lastResponseT3 = new long[destinations];
        this.lastResponseTxDelay = new long[destinations];
        this.lastResponseTxKnown = new boolean[destinations];
        Arrays.fill(lastResponseSeq, Long.MIN_VALUE);
    }

    void setInterleaving(boolean on) {
        interleaving = on;
    }

    long interleavedResponses() {
        return interleavedResponses;
    }

    /**
     * The transport's transmit time of a datagram to destination counter {@code k}: true when it is the last response
     * sent there (kept for the next INTERLEAVED request from there), false otherwise (nothing changed).
     */
    boolean transmitted(int k, long sequence, long txMonoNanos) {
        if (k >= lastResponseSeq.length || lastResponseSeq[k] != sequence || sequence == Long.MIN_VALUE
                || txMonoNanos < lastResponseMono[k] - config.timestampErrorNanos()
                || txMonoNanos - lastResponseMono[k] > PeerLink.TRANSMIT_LATE_NANOS_MAX) {
            return false;
        }
        clock.read(txMonoNanos, reading);
        long delayNanos = reading.epochNanos - lastResponseT3[k];
        lastResponseTxKnown[k] = delayNanos >= Wire.XLEAVE_TX_DELAY_NANOS_MIN && delayNanos <= Wire.XLEAVE_TX_DELAY_NANOS_MAX;
        lastResponseTxDelay[k] = delayNanos;
        return true;
    }

    /** The client slot at this address, or -1. */
    int clientAt(long token) {
        return clientByToken.get(token);
    }

    Client client(int index) {
        return clients[index];
    }

    /** A message from joined client {@code index} (checked: authentic, fresh, decoded). */
    void onClientMessage(int index, long token, ClocklinkMessage rx, long now, long rxMono) {
        Client c = clients[index];
        switch (rx.type) {
            case Wire.TYPE_SYNC_REQUEST -> {
                c.lastHeardMono = now;
                c.requests++;
                if (c.fastUntilMono != 0 && now >= c.fastUntilMono) {
                    releaseFastSlot(c);
                }
                respond(token, rx.sequence, rxMono, now, c.fastUntilMono != 0 ? FAST : TO_CLIENT, rx.interleavedFlag());
            }
            case Wire.TYPE_JOIN -> {
                if (c.nodeNumber != rx.sender) {
                    // A different node at this address: it takes the slot over only through a fresh join.
                    if (!cookieGood(token, rx, now)) {
                        return; // the client keeps its slot until the newcomer proves it is live
                    }
                    clientByToken.remove(token);
                    c.used = false;
                    releaseFastSlot(c);
                    clientsChanged(-1);
                    onJoin(token, rx, now);
                    return;
                }
                c.lastHeardMono = now;
                System.arraycopy(rx.name, 0, c.name, 0, rx.nameLength);
                c.nameLength = rx.nameLength;
                sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
            }
            default -> transmitter.dropped(DropReason.UNEXPECTED, c.drops);
        }
    }

    /** A JOIN from an address that is neither a peer nor a client: take it as a client if there is room. */
    void onJoin(long token, ClocklinkMessage rx, long now) {
        if (!master && !config.serveClients()) {
            sendJoinAck(token, Wire.JOIN_REFUSED_ROLE, rx.sequence);
            joinsRefused++;
            return;
        }
        if (!cookieGood(token, rx, now)) {
            return;
        }
        // The same node at a new address (NAT rebinding): move its slot, if the join is fresh.
        for (int i = 0; i < clients.length; i++) {
            Client c = clients[i];
            if (c.used && c.nodeNumber == rx.sender) {
                if (!c.replay.accept(rx.sequence)) {
                    transmitter.dropped(DropReason.REPLAYED, c.drops);
                    return;
                }
                clientByToken.remove(c.token);
                c.token = token;
                clientByToken.put(token, i);
                c.lastHeardMono = now;
                sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
                return;
            }
        }
        int free = freeSlot(now);
        if (free < 0) {
            joinsRefused++;
            sendJoinAck(token, Wire.JOIN_REFUSED_FULL, rx.sequence);
            return;
        }
        Client c = clients[free];
        c.used = true;
        clientsChanged(1);
        c.nodeNumber = rx.sender;
        c.token = token;
        c.role = rx.role;
        c.replay.reset();
        c.replay.accept(rx.sequence);
        c.lastHeardMono = now;
        c.requests = 0;
        if (fastSlotsUsed < fastSlotsMax) {
            fastSlotsUsed++;
            c.fastUntilMono = Saturating.add(now, JOIN_FAST_NANOS);
        }
        transmitter.startClientCounter(counterBase + free);
        lastResponseSeq[counterBase + free] = Long.MIN_VALUE; // nothing of the slot's last client carries over
        Arrays.fill(c.drops, 0);
        System.arraycopy(rx.name, 0, c.name, 0, rx.nameLength);
        c.nameLength = rx.nameLength;
        clientByToken.put(token, free);
        sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
    }

    /** A free slot, else one idle past {@link #CLIENT_IDLE_NANOS} (freed), else -1. */
    private int freeSlot(long now) {
        for (int i = 0; i < clients.length; i++) {
            if (!clients[i].used) {
                return i;
            }
        }
        for (int i = 0; i < clients.length; i++) {
            if (now - clients[i].lastHeardMono > CLIENT_IDLE_NANOS) {
                clientByToken.remove(clients[i].token);
                clients[i].used = false;
                releaseFastSlot(clients[i]);
                clientsChanged(-1);
                return i;
            }
        }
        return -1;
    }

    /**
     * Keeps what this server asks of its clients current: every round while it has at most {@code
     * clientRequestsPerRound} of them, else {@code round x clients / (clientRequestsPerRound x 3/4)}: the other quarter
     * is for clients that just joined ({@link #JOIN_FAST_SHARE_DIVISOR}), so that it answers about
     * {@code clientRequestsPerRound} requests per round however many clients it has.
     */
    private void clientsChanged(int delta) {
        clientsUsed += delta;
        int shared = config.clientRequestsPerRound() - fastSlotsMax;
        long interval = clientsUsed <= config.clientRequestsPerRound() ? 0
                : config.roundPeriodNanos() * clientsUsed / Math.max(1, shared);
        clientPollCode = Wire.pollCode(interval);
    }

    private void releaseFastSlot(Client c) {
        if (c.fastUntilMono != 0) {
            c.fastUntilMono = 0;
            fastSlotsUsed--;
        }
    }

    /** Whether this server is loaded: it asks its clients to poll slower than every round. */
    boolean loaded() {
        return clientPollCode != 0;
    }

    /**
     * Answers a SYNC_REQUEST received at {@code rxMono}: t2 then, t3 now, and the node's bound, status and leap; to a
     * client ({@link #TO_CLIENT}) with the pace this server asks, to a peer or a client in a fast slot with none. To a
     * request that asks for interleaving, when the transport reports transmit times, in version 2: with the true
     * transmit time of the previous response to that client.
     */
    void respond(long token, long requestSequence, long rxMono, long now, int to, boolean askedInterleaved) {
        int k = transmitter.counterIndex(token);
        boolean interleave = k >= 0 && interleaving && askedInterleaved;
        // A client that does not interleave takes user-space timestamps: so do we (t2 at handling, as version 1 did).
        clock.read(interleave || !interleaving ? rxMono : now, reading);
        long t2 = reading.epochNanos;
        long b2 = reading.boundNanos;
        ClockStatus status = reading.status;
        clock.read(now, reading);
        long t3 = reading.epochNanos;
        long b3 = reading.boundNanos;
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_SYNC_RESPONSE);
        tx.echoSequence = requestSequence;
        tx.rxEpochNanos = t2;
        tx.txEpochNanos = t3;
        tx.boundNanos = status == ClockStatus.UNSYNCHRONIZED ? Wire.U32_MAX
                : Wire.saturateU32(Math.max(b2, b3) + config.timestampErrorNanos());
        tx.status = reading.status.ordinal();
        tx.leap = clock.leap().ordinal();
        tx.tier = tier.getAsInt();
        tx.pollCode = to == TO_CLIENT ? clientPollCode : 0;
        tx.term = election.term();
        tx.leader = election.leaderNumber();
        if (interleave) {
            // Version 2: the true transmit time of our previous response there, if the transport reported it.
            tx.version = 2;
            if (lastResponseSeq[k] != Long.MIN_VALUE && lastResponseTxKnown[k] && (int) lastResponseEcho[k] != (int) requestSequence) {
                tx.flags = Wire.FLAG_INTERLEAVED;
                tx.xleaveEcho = (int) lastResponseEcho[k];
                tx.xleaveTxDelayNanos = lastResponseTxDelay[k];
            }
            interleavedResponses++;
        }
        long seq = transmitter.send(token);
        if (k >= 0) {
            lastResponseSeq[k] = seq;
            lastResponseEcho[k] = requestSequence;
            lastResponseMono[k] = now;
            lastResponseT3[k] = t3;
            lastResponseTxKnown[k] = false;
        }
    }

    /** The JOIN {@code rx} carries a current cookie; if not, it is answered with a CHALLENGE and a fresh one. */
    private boolean cookieGood(long token, ClocklinkMessage rx, long now) {
        long slot = Math.floorDiv(now, JOIN_COOKIE_SLOT_NANOS);
        long current = cookieFor(rx.sender, slot);
        if (rx.cookie == current || rx.cookie == cookieFor(rx.sender, slot - 1)) {
            return true;
        }
        joinChallenges++;
        sendJoinAck(token, Wire.JOIN_CHALLENGE, rx.sequence, current);
        return false;
    }

    /** The cookie for a joiner's node number in a time slot: bound to this server's incarnation and key. */
    private long cookieFor(int joiner, long slot) {
        return auth.cookie(Integer.toUnsignedLong(transmitter.incarnation()),
                ((long) nodeNumber << 32) | Integer.toUnsignedLong(joiner), slot);
    }

    void sendJoinAck(long token, int result, long echo) {
        sendJoinAck(token, result, echo, 0);
    }

    private void sendJoinAck(long token, int result, long echo, long cookie) {
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_JOIN_ACK);
        tx.joinResult = result;
        tx.echoSequence = echo;
        tx.cookie = cookie;
        System.arraycopy(nameBytes, 0, tx.name, 0, nameBytes.length);
        tx.nameLength = nameBytes.length;
        transmitter.send(token);
    }

    /** Every joined client, for status (allocates). */
    void addStatus(long nowMonoNanos, List<PeerStatus> out) {
        for (Client c : clients) {
            if (!c.used) {
                continue;
            }
            String name = new String(c.name, 0, c.nameLength, StandardCharsets.UTF_8);
            out.add(new PeerStatus(name, name, Integer.toUnsignedLong(c.nodeNumber), PeerStatus.roleName(c.role), false,
                    "ACTIVE", "NONE", 0, -1, -1, -1, 0, c.requests, nowMonoNanos - c.lastHeardMono,
                    Transmitter.nonZero(c.drops)));
        }
    }

    int clientCount() {
        return clientsUsed;
    }

    /** The poll interval this server asks of its clients now, ns (0: every round is fine). */
    long clientPollNanos() {
        return Wire.pollNanos(clientPollCode);
    }

    long joinsRefused() {
        return joinsRefused;
    }

    long joinChallenges() {
        return joinChallenges;
    }
}
