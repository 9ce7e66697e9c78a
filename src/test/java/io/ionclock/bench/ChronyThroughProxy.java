package io.ionclock.bench;

import io.ionclock.testing.ChronyPair;
import io.ionclock.testing.DelayProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * chrony's error through an impaired path: a chronyd server on loopback, a {@link DelayProxy} in front of it
 * (2 ms plus exponential jitter of mean 1 ms each way, seeded), and a chronyd client ({@code -x}) syncing
 * through it; the host clock is the truth. Warm-up, then the client's "System time" read once a second.
 * Run: {@code ./ionclock bench-chrony [SECONDS] [POLL_LOG2] [WARMUP_SECONDS]} (defaults 300, -4, 60).
 */
public final class ChronyThroughProxy {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        int poll = args.length > 1 ? Integer.parseInt(args[1]) : -4;
        long warmupSeconds = args.length > 2 ? Long.parseLong(args[2]) : 60;
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chrony-bench");
        try (ChronyPair chrony = ChronyPair.startServer(dir);
                DelayProxy proxy = DelayProxy.start(chrony.serverAddress(), 2_000_000, 1_000_000, 1)) {
            chrony.startClient(new java.net.InetSocketAddress("127.0.0.1", proxy.port()), poll);
            long[] errors = new long[(int) seconds];
            int n = 0;
            long start = System.nanoTime();
            for (long s = 0; s < warmupSeconds + seconds; s++) {
                LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(s + 1) - System.nanoTime());
                Long offset = chrony.clientSystemTimeOffsetNanos();
                if (s >= warmupSeconds && offset != null && n < errors.length) {
                    errors[n++] = Math.abs(offset);
                }
            }
            long[] e = Arrays.copyOf(errors, n);
            Arrays.sort(e);
            System.out.printf("chrony through the proxy (2 ms + exp 1 ms each way), poll 2^%d s, %d s after %d s warm-up:%n",
                    poll, seconds, warmupSeconds);
            System.out.printf("readings %d, |error| p50 %d ns, p99 %d ns, max %d ns; proxy relayed %d, dropped %d%n", n,
                    e.length == 0 ? -1 : e[n / 2], e.length == 0 ? -1 : e[Math.min(n - 1, (int) (n * 0.99))],
                    e.length == 0 ? -1 : e[n - 1], proxy.relayed(), proxy.dropped());
        }
    }
}
