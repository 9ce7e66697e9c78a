package io.ionclock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.ChronyRefclock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * chrony fed over SOCK (issue 20): the packaged appliance (sim profile, whose reference tells the host clock) feeding a
 * real {@code chronyd -x} whose only source is {@code refclock SOCK ... refid IONC poll 0 precision 1e-7 delay 0.0002}.
 * After chronyd selects the refclock ({@code #*}, not counted), once a second: chrony's error, which is tracking's
 * "System time" (with the system clock as the truth, the system clock minus chrony's estimate of true time is exactly
 * chrony's error; sourcestats' "Offset" is only the refclock against chrony's own virtual clock, printed beside it), and
 * ionclock's bound from {@code /api/v1/time}. Prints |error| p50/p99/max and how many readings were outside the bound.
 *
 * <p>Run: {@code ./ionclock bench-chrony-sock [SECONDS]} (default 600). Needs chrony and root (chronyd -u root).
 */
public final class ChronySockFeedBench {
    static final long SELECT_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);
    static final double DELAY_SECONDS = 0.0002;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        String jar = System.getProperty("ionclock.jar", "target/quarkus-app/quarkus-run.jar");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "chrony-sock"); // a short socket path
        try (ChronyRefclock chrony = ChronyRefclock.start(dir.resolve("chrony"), DELAY_SECONDS)) {
            chrony.awaitSocket(System.nanoTime() + SELECT_DEADLINE_NANOS);
            try (ApplianceProcess gw = ApplianceProcess.start(jar, dir, "feed", Map.of(
                    "IONCLOCK_HOST_CLOCK", "chrony-sock", "IONCLOCK_CHRONY_SOCK_PATH", chrony.socketPath().toString()))) {
                long t0 = System.nanoTime();
                while (!chrony.refclockSelected()) {
                    if (System.nanoTime() - t0 > SELECT_DEADLINE_NANOS) {
                        throw new IllegalStateException("chronyd did not select IONC: " + chrony.chronyc("sources"));
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
                System.out.printf("IONC selected %.1f s after the appliance started%n", (System.nanoTime() - t0) / 1e9);
                long[] errors = new long[seconds];
                long[] offsets = new long[seconds];
                long[] bounds = new long[seconds];
                int n = 0;
                int m = 0;
                int outside = 0;
                int missing = 0;
                int notSynchronized = 0;
                long start = System.nanoTime();
                for (int s = 0; s < seconds; s++) {
                    LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(s + 1) - System.nanoTime());
                    Long error = chrony.systemTimeOffsetNanos();
                    Long offset = chrony.refclockEstimatedOffsetNanos();
                    JsonNode time = JSON.readTree(gw.get("/api/v1/time").body());
                    if (!"SYNCHRONIZED".equals(time.at("/status").asText())) {
                        notSynchronized++;
                    }
                    if (error == null) {
                        missing++;
                        continue;
                    }
                    long bound = time.at("/boundNanos").asLong();
                    errors[n] = Math.abs(error);
                    bounds[n] = bound;
                    n++;
                    if (Math.abs(error) > bound) {
                        outside++;
                        System.out.printf("outside: t=%d s chrony error %d ns, bound %d ns%n", s, error, bound);
                    }
                    if (offset != null) {
                        offsets[m++] = Math.abs(offset);
                    }
                }
                long[] e = SyncVsChrony.sorted(errors, n);
                long[] o = SyncVsChrony.sorted(offsets, m);
                long[] b = SyncVsChrony.sorted(bounds, n);
                System.out.printf("chrony fed over SOCK, %d s read once a second after IONC was selected%n", seconds);
                System.out.printf("chrony |System time| (its error; the system clock is the truth): readings %d, p50 %d ns,"
                        + " p99 %d ns, max %d ns%n", n, SyncVsChrony.p(e, 0.5), SyncVsChrony.p(e, 0.99), SyncVsChrony.p(e, 1));
                System.out.printf("ionclock bound: p50 %d ns, min %d ns, max %d ns; readings outside the bound %d;"
                        + " chrony not synchronised to IONC %d; ionclock not SYNCHRONIZED %d%n", SyncVsChrony.p(b, 0.5),
                        SyncVsChrony.p(b, 0), SyncVsChrony.p(b, 1), outside, missing, notSynchronized);
                System.out.printf("sourcestats IONC |Offset| (against chrony's own clock): p50 %d ns, p99 %d ns, max %d ns%n",
                        SyncVsChrony.p(o, 0.5), SyncVsChrony.p(o, 0.99), SyncVsChrony.p(o, 1));
                JsonNode h = JSON.readTree(gw.get("/api/v1/status").body()).at("/hostClock");
                System.out.println("hostClock at the end: " + h);
                System.out.println("chronyc tracking: " + chrony.chronyc("tracking"));
            }
        }
    }
}
