package io.ionclock.app;

import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ionclock.sync.*}: checked at start (with the rest, in {@link ConfigCheck}) and turned into the Clocklink
 * node's {@link ClocklinkConfig}. The core record validates its own fields; its messages name the field, and
 * {@link #keyOf} maps them to the configuration key.
 */
public final class SyncSettings {
    public static final String ROLE_OFF = "off";
    public static final String ROLE_MASTER = "master";
    public static final String ROLE_GATEWAY = "gateway";
    static final Set<String> ROLES = Set.of(ROLE_OFF, ROLE_MASTER, ROLE_GATEWAY);
    public static final String TIMESTAMPING_KERNEL = "kernel";
    public static final String TIMESTAMPING_USER = "user";
    static final Set<String> TIMESTAMPING = Set.of(TIMESTAMPING_KERNEL, TIMESTAMPING_USER);
    /** Linux's IFNAMSIZ less the terminating zero. */
    static final int IFACE_CHARS_MAX = 15;
    /** The keyfile's name in the data directory when {@code ionclock.sync.key-file} is not set. */
    public static final String KEY_FILE_DEFAULT_NAME = "clocklink.keys";
    /** A keyfile is read whole, up to this (16 keys of 512-character lines, with room for comments). */
    public static final int KEY_FILE_BYTES_MAX = 64 * 1024;
    /** Entries {@code ionclock.sync.peers} may list before the core's own limits (28 masters, 16 upstreams) apply. */
    static final int PEER_ENTRIES_MAX = 64;
    static final int HOST_CHARS_MAX = 253;
    /** Incarnations count seconds from here (docs/clocklink.md): larger at every start. */
    static final long INCARNATION_EPOCH_SECONDS = 1_600_000_000L;
    /** Valid keys for checking the configuration without reading the keyfile. */
    private static final ClocklinkKeys CHECK_KEYS = ClocklinkKeys.of(1, new long[] {1}, new byte[][] {new byte[32]});

    /** The core record's field names (the start of its messages) and the keys they come from. */
    private static final Map<String, String> FIELD_KEYS = new LinkedHashMap<>();

    static {
        FIELD_KEYS.put("nodeId", "ionclock.sync.node-id");
        FIELD_KEYS.put("roundPeriodNanos", "ionclock.sync.round");
        FIELD_KEYS.put("pollPeriodNanos", "ionclock.sync.poll");
        FIELD_KEYS.put("clientsMax", "ionclock.sync.clients-max");
        FIELD_KEYS.put("timestampErrorNanos", "ionclock.sync.timestamp-error-nanos");
        FIELD_KEYS.put("frequencyTolerancePpb", "ionclock.frequency-tolerance-ppb");
        FIELD_KEYS.put("disciplineFrequencyPpbMax", "ionclock.frequency-tolerance-ppb");
        FIELD_KEYS.put("filterWindowNanos", "ionclock.sync.filter-window");
        FIELD_KEYS.put("budgetBytesPerSecond", "ionclock.sync.budget-bytes-per-second");
        FIELD_KEYS.put("a gateway needs", "ionclock.sync.peers");
        FIELD_KEYS.put("at most", "ionclock.sync.peers");
        FIELD_KEYS.put("peer", "ionclock.sync.peers");
        FIELD_KEYS.put("send key id", "ionclock.sync.send-key-id");
    }

    /** One {@code host:port} of {@code ionclock.sync.peers}; {@link #label()} is how status and metrics name it. */
    public record HostPort(String host, int port, String label) {
    }

    private SyncSettings() {
    }

    /** The configuration key a core message is about ({@code ionclock.sync} when it names no known field). */
    static String keyOf(String message) {
        for (Map.Entry<String, String> e : FIELD_KEYS.entrySet()) {
            if (message != null && message.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "ionclock.sync";
    }

    /** Adds every bad {@code ionclock.sync.*} value to {@code errors}, each naming its key. */
    static void check(IonclockConfig c, List<String> errors) {
        IonclockConfig.Sync s = c.sync();
        String role = s.role();
        if (!ROLES.contains(role)) {
            errors.add("ionclock.sync.role: '" + role + "' is not one of " + ROLES);
        }
        if (s.port() < 0 || s.port() > 65_535) {
            errors.add("ionclock.sync.port: " + s.port() + " is outside [0, 65535]");
        }
        if (s.host().isBlank()) {
            errors.add("ionclock.sync.host: must not be empty");
        }
        if (!TIMESTAMPING.contains(s.timestamping())) {
            errors.add("ionclock.sync.timestamping: '" + s.timestamping() + "' is not one of " + TIMESTAMPING);
        }
        s.hwTimestamps().ifPresent(iface -> {
            if (iface.isBlank() || iface.length() > IFACE_CHARS_MAX || !iface.matches("[A-Za-z0-9._:@-]+")) {
                errors.add("ionclock.sync.hw-timestamps: '" + iface + "' is not a network interface name (1.."
                        + IFACE_CHARS_MAX + " of letters, digits, . _ : @ -)");
            }
        });
        List<HostPort> peers = List.of();
        if (s.peers().isPresent()) {
            try {
                peers = parsePeers(s.peers().get());
            } catch (IllegalArgumentException e) {
                errors.add("ionclock.sync.peers: " + e.getMessage());
                peers = null;
            }
        }
        if (ROLE_MASTER.equals(role) && "none".equals(c.reference())) {
            errors.add("ionclock.sync.role: a master needs its own reference (ionclock.reference sim or gnss);"
                    + " a node without one is a gateway");
        }
        s.sendKeyId().ifPresent(id -> {
            if (id < 1 || id > 0xFFFF_FFFFL) {
                errors.add("ionclock.sync.send-key-id: " + id + " is outside [1, 4294967295]");
            }
        });
        s.keyFile().ifPresent(f -> {
            if (f.isBlank()) {
                errors.add("ionclock.sync.key-file: must not be empty");
            }
        });
        // The core's own checks, one key at a time against a valid baseline, so that every bad key is named.
        ClocklinkConfig base = ClocklinkConfig.master("check", 0, CHECK_KEYS, List.of());
        core(errors, () -> ClocklinkConfig.master(nodeId(c), 0, CHECK_KEYS, List.of()));
        long round = nanos(s.round());
        boolean roundOk = core(errors, () -> base.withPeriods(round, round));
        if (s.poll().isPresent()) {
            core(errors, () -> base.withPeriods(roundOk ? round : base.roundPeriodNanos(), nanos(s.poll().get())));
        }
        core(errors, () -> base.withClients(s.clientsMax(), true));
        core(errors, () -> base.withTiming(s.timestampErrorNanos(), c.frequencyTolerancePpb(), base.filterWindowNanos()));
        core(errors, () -> base.withTiming(base.timestampErrorNanos(), base.frequencyTolerancePpb(), nanos(s.filterWindow())));
        core(errors, () -> base.withBudget(s.budgetBytesPerSecond()));
        if (peers != null && (ROLE_MASTER.equals(role) || ROLE_GATEWAY.equals(role))) {
            List<ClocklinkConfig.Peer> tokens = peerTokens(peers);
            core(errors, () -> ROLE_MASTER.equals(role) ? ClocklinkConfig.master("check", 0, CHECK_KEYS, tokens)
                    : ClocklinkConfig.gateway("check", 0, CHECK_KEYS, tokens));
        }
    }

    /** Builds one variant; a failure is added to {@code errors} under its key. Returns whether it passed. */
    private static boolean core(List<String> errors, Supplier<ClocklinkConfig> build) {
        try {
            build.get();
            return true;
        } catch (IllegalArgumentException e) {
            errors.add(keyOf(e.getMessage()) + ": " + e.getMessage());
            return false;
        }
    }

    /** A duration in ns; past a year (ConfigCheck reports it) saturated, so the core's range check fails too. */
    private static long nanos(Duration d) {
        return d.compareTo(ConfigCheck.DURATION_MAX) > 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** Parses {@code host:port[,host:port...]} ({@code [v6]:port} for IPv6); the message does not name the key. */
    public static List<HostPort> parsePeers(String text) {
        List<HostPort> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                if (text.isBlank()) {
                    break; // an empty list
                }
                throw new IllegalArgumentException("an empty entry in '" + text + "'");
            }
            if (out.size() == PEER_ENTRIES_MAX) {
                throw new IllegalArgumentException("more than " + PEER_ENTRIES_MAX + " entries");
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not host:port");
            }
            String host = entry.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + entry + "': write an IPv6 address as [address]:port");
            }
            if (host.isEmpty() || host.length() > HOST_CHARS_MAX || !host.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F)) {
                throw new IllegalArgumentException("'" + entry + "' has no valid host");
            }
            String portText = entry.substring(colon + 1);
            int port = portText.length() <= 5 && portText.chars().allMatch(Character::isDigit) ? Integer.parseInt(portText) : -1;
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("'" + entry + "': the port must be 1..65535");
            }
            if (!seen.add(entry.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("'" + entry + "' is listed twice");
            }
            out.add(new HostPort(host, port, entry));
        }
        return List.copyOf(out);
    }

    /** Configured peers get address tokens 1..n in the order listed (the adapter's table uses the same). */
    public static List<ClocklinkConfig.Peer> peerTokens(List<HostPort> peers) {
        List<ClocklinkConfig.Peer> out = new ArrayList<>(peers.size());
        for (int i = 0; i < peers.size(); i++) {
            out.add(new ClocklinkConfig.Peer(i + 1, peers.get(i).label()));
        }
        return out;
    }

    /** The configured peers (after {@link ConfigCheck} passed). */
    public static List<HostPort> peers(IonclockConfig c) {
        return c.sync().peers().map(SyncSettings::parsePeers).orElse(List.of());
    }

    /** Resolves the peers once, at start; the message names the key. */
    public static List<InetSocketAddress> resolve(List<HostPort> peers) {
        List<InetSocketAddress> out = new ArrayList<>(peers.size());
        Set<InetSocketAddress> seen = new HashSet<>();
        for (HostPort p : peers) {
            InetSocketAddress a;
            try {
                a = new InetSocketAddress(InetAddress.getByName(p.host()), p.port());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("ionclock.sync.peers: cannot resolve '" + p.host() + "'");
            }
            if (!seen.add(a)) {
                throw new IllegalArgumentException("ionclock.sync.peers: '" + p.label() + "' is an address listed before");
            }
            out.add(a);
        }
        return out;
    }

    /** The Clocklink configuration of this node (role master or gateway); throws the core's message on a bad value. */
    public static ClocklinkConfig clocklinkConfig(IonclockConfig c, String nodeId, int incarnation, long seed,
            ClocklinkKeys keys, List<ClocklinkConfig.Peer> peers) {
        IonclockConfig.Sync s = c.sync();
        boolean master = ROLE_MASTER.equals(s.role());
        ClocklinkConfig base = master ? ClocklinkConfig.master(nodeId, incarnation, keys, peers)
                : ClocklinkConfig.gateway(nodeId, incarnation, keys, peers);
        long round = nanos(s.round());
        return base.withPeriods(round, master ? round : s.poll().map(SyncSettings::nanos).orElse(round))
                .withTiming(s.timestampErrorNanos(), c.frequencyTolerancePpb(), nanos(s.filterWindow()))
                .withDisciplineFrequencyPpbMax(c.frequencyTolerancePpb())
                .withClients(s.clientsMax(), master || s.relay())
                .withBudget(s.budgetBytesPerSecond())
                .withSeed(seed);
    }

    public static Path keyFile(IonclockConfig c) {
        return c.sync().keyFile().map(Path::of).orElse(Path.of(c.dataDir(), KEY_FILE_DEFAULT_NAME));
    }

    /**
     * Reads the keyfile. Every error names {@code ionclock.sync.key-file} (or {@code send-key-id}) and the line,
     * never a key.
     */
    public static ClocklinkKeys readKeys(Path file, OptionalLong sendKeyId) {
        String key = "ionclock.sync.key-file: " + file + ": ";
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(key + "no such file (every node needs the same keys; make them with"
                        + " 'chronyc keygen 1 SHA256 256 > " + file + "' and copy the file to each node)");
            }
            if (Files.size(file) > KEY_FILE_BYTES_MAX) {
                throw new IllegalArgumentException(key + "larger than " + KEY_FILE_BYTES_MAX + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        try {
            // ISO-8859-1 never fails to decode; the parser refuses what is not a key line.
            return ClocklinkKeys.parse(new String(bytes, 0, Math.min(bytes.length, KEY_FILE_BYTES_MAX),
                    StandardCharsets.ISO_8859_1), sendKeyId.orElse(-1));
        } catch (IllegalArgumentException e) {
            String field = keyOf(e.getMessage());
            throw new IllegalArgumentException(field.equals("ionclock.sync.send-key-id")
                    ? field + ": " + e.getMessage() + " (" + file + ")" : key + e.getMessage());
        }
    }

    /** {@code ionclock.sync.node-id}, or the host name cut to the wire's 31 bytes. */
    public static String nodeId(IonclockConfig c) {
        return c.sync().nodeId().orElseGet(SyncSettings::hostNodeId);
    }

    static String hostNodeId() {
        String id = HostName.identifier("ionclock");
        return id.length() > io.ionclock.core.clocklink.Wire.NAME_BYTES_MAX
                ? id.substring(0, io.ionclock.core.clocklink.Wire.NAME_BYTES_MAX) : id;
    }

    /** This start's incarnation: seconds since {@link #INCARNATION_EPOCH_SECONDS}, clipped to 0..2^31-1. */
    public static int incarnation(long epochSeconds) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, epochSeconds - INCARNATION_EPOCH_SECONDS));
    }
}
