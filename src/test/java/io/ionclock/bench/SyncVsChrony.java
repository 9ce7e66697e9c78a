package io.ionclock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.ChronyPair;
import io.ionclock.testing.DelayProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Clocklink side by side with NTP, real processes on loopback, in one run. Two packaged appliances: a master on the
 * sim reference (which tells the host clock) and a gateway with no reference syncing to it through a
 * {@link DelayProxy} (by default 2 ms plus exponential jitter of mean 1 ms each way, seeded) in front of the master's sync port;
 * each runs its own simulated oscillator (master +25 ppm, gateway -40 ppm), so they really differ. Beside them, a
 * chronyd server and a chronyd client ({@code -x}, poll 2^-4 s) through the same kind of proxy ({@link ChronyPair}).
 * Truth is the host clock: the gateway's error is its {@code clock.systemClockOffsetNanos} (system clock minus its
 * time, read back to back in the process), chrony's the client's "System time". After the warm-up both are read once
 * a second; |error| p50, p99 and max are printed with the ratio chrony / gateway (above 1: the gateway's error is
 * that many times smaller).
 *
 * <p>Run: {@code ./ionclock bench-sync-vs-chrony [SECONDS] [WARMUP_SECONDS] [GATEWAY_POLL] [DELAY_MICROS]
 * [JITTER_MICROS] [TIMESTAMPING] [PROXY] [SEED]} (defaults 300, 180, 100ms: the gateway's {@code ionclock.sync.poll}, and
 * the proxies' 2000 µs fixed delay and 1000 µs mean jitter each way; 0 0 keeps the proxies' hop without impairment;
 * {@code kernel} or {@code user}: both appliances' {@code ionclock.sync.timestamping}; {@code user} or {@code kernel}:
 * how both proxies keep time, {@link DelayProxy.Mode}; SEED: the gateway's proxy's jitter seed, chrony's the next, default
 * 1). Needs chrony and root (chronyd -u root).
 */
public final class SyncVsChrony {
    static final long PROXY_DELAY_MICROS_DEFAULT = 2_000;
    static final long PROXY_JITTER_MEAN_MICROS_DEFAULT = 1_000;
    static final int CHRONY_POLL_LOG2 = -4;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        long warmupSeconds = args.length > 1 ? Long.parseLong(args[1]) : 180;
        String gatewayPoll = args.length > 2 ? args[2] : "100ms";
        long delayNanos = 1_000 * (args.length > 3 ? Long.parseLong(args[3]) : PROXY_DELAY_MICROS_DEFAULT);
        long jitterMeanNanos = 1_000 * (args.length > 4 ? Long.parseLong(args[4]) : PROXY_JITTER_MEAN_MICROS_DEFAULT);
        String timestamping = args.length > 5 ? args[5] : "kernel";
        DelayProxy.Mode proxyMode = DelayProxy.Mode.valueOf((args.length > 6 ? args[6] : "user").toUpperCase(java.util.Locale.ROOT));
        long proxySeed = args.length > 7 ? Long.parseLong(args[7]) : 1; // the gateway's proxy; chrony's is the next
        String jar = System.getProperty("ionclock.jar", "target/quarkus-app/quarkus-run.jar");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "sync-vs-chrony");
        Path keyFile = dir.resolve("clocklink.keys");
        byte[] secret = new byte[32];
        new SplittableRandom(System.nanoTime()).nextBytes(secret);
        Files.writeString(keyFile, "1 SHA256 HEX:" + HexFormat.of().formatHex(secret) + "\n");
        Map<String, String> common = Map.of("IONCLOCK_SYNC_KEY_FILE", keyFile.toString(), "IONCLOCK_SYNC_PORT", "0",
                "IONCLOCK_SYNC_TIMESTAMPING", timestamping);

        try (ApplianceProcess master = ApplianceProcess.start(jar, dir, "master", with(common, Map.of(
                        "IONCLOCK_SYNC_ROLE", "master", "IONCLOCK_SYNC_NODE_ID", "bench-master",
                        "IONCLOCK_SIM_OSCILLATOR_PPB", "25000")));
                DelayProxy gatewayProxy = DelayProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        master.awaitSyncPort()), delayNanos, jitterMeanNanos, proxySeed, proxyMode);
                ApplianceProcess gateway = ApplianceProcess.start(jar, dir, "gateway", with(common, Map.of(
                        "IONCLOCK_SYNC_ROLE", "gateway", "IONCLOCK_SYNC_NODE_ID", "bench-gateway",
                        "IONCLOCK_REFERENCE", "none", "IONCLOCK_SIM_OSCILLATOR_PPB", "-40000",
                        "IONCLOCK_SYNC_PEERS", "127.0.0.1:" + gatewayProxy.port(), "IONCLOCK_SYNC_POLL", gatewayPoll,
                        // Through the proxy half the round trip alone is about 3 ms: readiness is not what is measured.
                        "IONCLOCK_READY_BOUND", "50ms")));
                ChronyPair chrony = ChronyPair.startServer(dir.resolve("chrony"));
                DelayProxy chronyProxy = DelayProxy.start(chrony.serverAddress(), delayNanos, jitterMeanNanos, proxySeed + 1,
                        proxyMode)) {
            chrony.startClient(new InetSocketAddress("127.0.0.1", chronyProxy.port()), CHRONY_POLL_LOG2);
            long[] gatewayErrors = new long[(int) seconds];
            long[] gatewayBounds = new long[(int) seconds];
            long[] masterErrors = new long[(int) seconds];
            long[] chronyErrors = new long[(int) seconds];
            int g = 0;
            int c = 0;
            int outsideBound = 0;
            int notSynchronized = 0;
            long start = System.nanoTime();
            for (long s = 0; s < warmupSeconds + seconds; s++) {
                LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(s + 1) - System.nanoTime());
                JsonNode gs = JSON.readTree(gateway.get("/api/v1/status").body());
                JsonNode ms = JSON.readTree(master.get("/api/v1/status").body());
                Long chronyOffset = chrony.clientSystemTimeOffsetNanos();
                if (s < warmupSeconds) {
                    continue;
                }
                if (gs.at("/time/status").asText().equals("SYNCHRONIZED")) {
                    long error = gs.at("/clock/systemClockOffsetNanos").asLong();
                    long bound = gs.at("/time/boundNanos").asLong();
                    gatewayErrors[g] = Math.abs(error);
                    gatewayBounds[g] = bound;
                    masterErrors[g] = Math.abs(ms.at("/clock/systemClockOffsetNanos").asLong());
                    g++;
                    if (Math.abs(error) > bound) {
                        outsideBound++;
                    }
                } else {
                    notSynchronized++;
                }
                if (chronyOffset != null) {
                    chronyErrors[c++] = Math.abs(chronyOffset);
                }
            }
            long[] ge = sorted(gatewayErrors, g);
            long[] ce = sorted(chronyErrors, c);
            System.out.printf("Clocklink gateway vs chrony, each through a proxy of %d us + exp(%d us) each way; %d s after"
                    + " %d s warm-up, read once a second; gateway poll %s, chrony poll 2^%d s; proxies %s%n", delayNanos / 1_000,
                    jitterMeanNanos / 1_000, seconds, warmupSeconds, gatewayPoll, CHRONY_POLL_LOG2, proxyMode);
            System.out.printf("gateway |error|: readings %d, p50 %d ns, p99 %d ns, max %d ns; bound p50 %d ns;"
                    + " host clock outside the bound %d; not SYNCHRONIZED %d%n", g, p(ge, 0.5), p(ge, 0.99), p(ge, 1),
                    p(sorted(gatewayBounds, g), 0.5), outsideBound, notSynchronized);
            System.out.printf("master  |error|: p50 %d ns, p99 %d ns (its own reference: the floor under the gateway)%n",
                    p(sorted(masterErrors, g), 0.5), p(sorted(masterErrors, g), 0.99));
            System.out.printf("chrony  |error|: readings %d, p50 %d ns, p99 %d ns, max %d ns%n", c, p(ce, 0.5), p(ce, 0.99),
                    p(ce, 1));
            System.out.printf("ratio chrony / gateway: p50 %.2f, p99 %.2f (above 1: the gateway's error is that many times"
                    + " smaller)%n", ratio(ce, ge, 0.5), ratio(ce, ge, 0.99));
            System.out.printf("proxies: gateway relayed %d dropped %d; chrony relayed %d dropped %d%n",
                    gatewayProxy.relayed(), gatewayProxy.dropped(), chronyProxy.relayed(), chronyProxy.dropped());
            JsonNode end = JSON.readTree(gateway.get("/api/v1/status").body());
            JsonNode peer = end.at("/sync/peers/0");
            System.out.printf("gateway timestamping %s (master %s); interleaved exchanges %d, missed %d; kernel receive"
                    + " times replaced by user-space ones %d; proxies' kernel fallbacks %d%n",
                    end.at("/sync/timestamping").asText(),
                    JSON.readTree(master.get("/api/v1/status").body()).at("/sync/timestamping").asText(),
                    end.at("/sync/interleavedExchanges").asLong(), end.at("/sync/interleaveMisses").asLong(),
                    end.at("/sync/kernelTimestampFallbacks").asLong(),
                    gatewayProxy.kernelFallbacks() + chronyProxy.kernelFallbacks());
            System.out.printf("gateway's link at the end: delayNanos %d, boundNanos %d, exchanges %d, reputation %.2f%n",
                    peer.at("/delayNanos").asLong(), peer.at("/boundNanos").asLong(), peer.at("/exchanges").asLong(),
                    peer.at("/reputation").asDouble());
        }
    }

    static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }

    static long[] sorted(long[] values, int n) {
        long[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return s;
    }

    /** The q-quantile (nearest rank) of sorted values; -1 when empty. */
    static long p(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    static double ratio(long[] chrony, long[] gateway, double q) {
        long gq = p(gateway, q);
        return gq <= 0 ? Double.NaN : (double) p(chrony, q) / gq;
    }
}
