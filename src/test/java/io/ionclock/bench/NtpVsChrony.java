package io.ionclock.bench;

import static io.ionclock.bench.SyncVsChrony.p;
import static io.ionclock.bench.SyncVsChrony.ratio;
import static io.ionclock.bench.SyncVsChrony.sorted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.ChronyPair;
import io.ionclock.testing.DelayProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * NTP client against NTP client, protocol for protocol, real processes on loopback in one run: one chronyd server
 * ({@code -x}, telling the host clock) is the upstream of both the appliance's NTP client (a packaged appliance with no
 * other source, its own simulated oscillator -40 ppm) and a chronyd client ({@code -x}), each through its own
 * {@link DelayProxy} of the same kind (by default 2 ms plus exponential jitter of mean 1 ms each way, seeded, kernel
 * timestamps). Both poll every 2^-4 s by default. Truth is the host clock: the appliance's error is its
 * {@code clock.systemClockOffsetNanos}, chrony's the client's "System time". After the warm-up both are read once a
 * second; |error| p50, p99 and max are printed with the ratio chrony / appliance.
 *
 * <p>Run: {@code ./ionclock bench-ntp-vs-chrony [SECONDS] [WARMUP_SECONDS] [POLL_LOG2] [DELAY_MICROS] [JITTER_MICROS]
 * [PROXY] [SEED] [XLEAVE]} (defaults 300, 120, -4, 2000, 1000, kernel, 1, true: both clients ask for interleaved mode,
 * chrony with {@code xleave}). Needs chrony and root.
 */
public final class NtpVsChrony {
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        long warmupSeconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        int pollLog2 = args.length > 2 ? Integer.parseInt(args[2]) : -4;
        long delayNanos = 1_000 * (args.length > 3 ? Long.parseLong(args[3]) : SyncVsChrony.PROXY_DELAY_MICROS_DEFAULT);
        long jitterMeanNanos = 1_000 * (args.length > 4 ? Long.parseLong(args[4]) : SyncVsChrony.PROXY_JITTER_MEAN_MICROS_DEFAULT);
        DelayProxy.Mode proxyMode = DelayProxy.Mode.valueOf((args.length > 5 ? args[5] : "kernel").toUpperCase(java.util.Locale.ROOT));
        long seed = args.length > 6 ? Long.parseLong(args[6]) : 1;
        boolean xleave = args.length <= 7 || Boolean.parseBoolean(args[7]);
        String jar = System.getProperty("ionclock.jar", "target/quarkus-app/quarkus-run.jar");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ntp-vs-chrony");
        long pollNanos = pollLog2 >= 0 ? 1_000_000_000L << pollLog2 : 1_000_000_000L >> -pollLog2;

        try (ChronyPair chrony = ChronyPair.startServer(dir.resolve("chrony"));
                DelayProxy gatewayProxy = DelayProxy.start(chrony.serverAddress(), delayNanos, jitterMeanNanos, seed, proxyMode);
                DelayProxy chronyProxy = DelayProxy.start(chrony.serverAddress(), delayNanos, jitterMeanNanos, seed + 1, proxyMode);
                ApplianceProcess gateway = ApplianceProcess.start(jar, dir, "ntp-gateway", Map.of(
                        "IONCLOCK_REFERENCE", "none", "IONCLOCK_SIM_OSCILLATOR_PPB", "-40000", "IONCLOCK_MQTT_MODE", "off",
                        "IONCLOCK_NTP_SERVERS", "127.0.0.1:" + gatewayProxy.port(),
                        "IONCLOCK_NTP_POLL", "PT" + (pollNanos / 1e9) + "S", "IONCLOCK_NTP_XLEAVE", String.valueOf(xleave),
                        "IONCLOCK_READY_BOUND", "50ms"))) {
            chrony.startClient(new java.net.InetSocketAddress("127.0.0.1", chronyProxy.port()), pollLog2, xleave);
            long[] gatewayErrors = new long[(int) seconds];
            long[] gatewayBounds = new long[(int) seconds];
            long[] chronyErrors = new long[(int) seconds];
            int g = 0;
            int c = 0;
            int outsideBound = 0;
            int notSynchronized = 0;
            long start = System.nanoTime();
            for (long s = 0; s < warmupSeconds + seconds; s++) {
                LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(s + 1) - System.nanoTime());
                JsonNode gs = JSON.readTree(gateway.get("/api/v1/status").body());
                Long chronyOffset = chrony.clientSystemTimeOffsetNanos();
                if (s < warmupSeconds) {
                    continue;
                }
                if (gs.at("/time/status").asText().equals("SYNCHRONIZED")) {
                    long error = gs.at("/clock/systemClockOffsetNanos").asLong();
                    long bound = gs.at("/time/boundNanos").asLong();
                    gatewayErrors[g] = Math.abs(error);
                    gatewayBounds[g] = bound;
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
            System.out.printf("ionclock NTP client vs chronyd client, one chronyd server, each through a proxy of %d us +"
                    + " exp(%d us) each way (%s, seed %d); %d s after %d s warm-up, read once a second; both poll 2^%d s;"
                    + " xleave %s%n", delayNanos / 1_000, jitterMeanNanos / 1_000, proxyMode, seed, seconds, warmupSeconds,
                    pollLog2, xleave);
            System.out.printf("ionclock |error|: readings %d, p50 %d ns, p99 %d ns, max %d ns; bound p50 %d ns;"
                    + " host clock outside the bound %d; not SYNCHRONIZED %d%n", g, p(ge, 0.5), p(ge, 0.99), p(ge, 1),
                    p(sorted(gatewayBounds, g), 0.5), outsideBound, notSynchronized);
            System.out.printf("chrony   |error|: readings %d, p50 %d ns, p99 %d ns, max %d ns%n", c, p(ce, 0.5), p(ce, 0.99),
                    p(ce, 1));
            System.out.printf("ratio ionclock / chrony: p50 %.3f, p99 %.3f (below 1: ionclock's error is smaller)%n",
                    1 / ratio(ce, ge, 0.5), 1 / ratio(ce, ge, 0.99));
            JsonNode end = JSON.readTree(gateway.get("/api/v1/status").body()).at("/ntp/servers/0/server");
            System.out.printf("ionclock's server link at the end: answers %d (interleaved %d), min delay %d ns, filter window"
                    + " %d s, kernel transmit times missing %d; proxies: relayed %d / %d, dropped %d / %d%n",
                    end.at("/answers").asLong(), end.at("/interleavedAnswers").asLong(), end.at("/minDelayNanos").asLong(),
                    end.at("/filterWindowNanos").asLong() / 1_000_000_000L, end.at("/userSpaceTransmitTimes").asLong(),
                    gatewayProxy.relayed(), chronyProxy.relayed(), gatewayProxy.dropped(), chronyProxy.dropped());
        }
    }
}
