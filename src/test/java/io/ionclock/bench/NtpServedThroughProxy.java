package io.ionclock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.DelayProxy;
import io.ionclock.testing.Peers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * chronyd -x (xleave, poll 2^-2 s... 1 s) as the NTP client of the packaged appliance (sim profile: the truth is the
 * host clock) through a {@link DelayProxy} in KERNEL mode, 2000 us + exp(1000 us) each way. Once a second it reads
 * {@code chronyc tracking} and the appliance's {@code /api/v1/time} bound, and prints per reading: chrony's offset of
 * the host clock from the appliance's time ("System time": since the host clock is the truth, the error of the time
 * chrony received, link included), its last measured offset, its root distance (root delay / 2 + root dispersion:
 * the appliance's dispersion plus the link) and the appliance's bound. Summary: how many readings had |offset| within
 * the appliance's bound, and within chrony's root distance.
 *
 * <p>Run: {@code ./ionclock bench-ntp-served [SECONDS] [POLL_LOG2]} (defaults 120 s, 0). Needs chronyd, chronyc, root.
 */
public final class NtpServedThroughProxy {
    static final Pattern NTP_PORT = Pattern.compile("NTP server listening on UDP port (\\d+)");
    static final long WARMUP_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        int poll = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        Peers.require(Peers.CHRONYD);
        Path dir = Files.createTempDirectory("ntp-served");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try (ApplianceProcess appliance = ApplianceProcess.start(System.getProperty("ionclock.jar"), dir, "appliance",
                Map.of("IONCLOCK_NTP_SERVER", "true", "IONCLOCK_NTP_PORT", "0", "IONCLOCK_NTP_BIND", "127.0.0.1"))) {
            int ntpPort = appliance.awaitLog(NTP_PORT);
            try (DelayProxy proxy = DelayProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), ntpPort),
                    2_000_000, 1_000_000, 1, DelayProxy.Mode.KERNEL)) {
                Path socket = dir.resolve("chronyd.sock");
                int acquisitionPort;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                    acquisitionPort = s.getLocalPort();
                }
                Files.writeString(dir.resolve("client.conf"), String.join("\n",
                        "server 127.0.0.1 port " + proxy.port() + " iburst minpoll " + poll + " maxpoll " + poll
                                + " xleave",
                        "port 0", "acquisitionport " + acquisitionPort, "cmdport 0", "bindcmdaddress " + socket,
                        "pidfile " + dir.resolve("client.pid"), ""));
                Process chronyd = new ProcessBuilder("chronyd", "-x", "-d", "-u", "root", "-f",
                        dir.resolve("client.conf").toString()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("client.out").toFile()).start();
                try {
                    long deadline = System.nanoTime() + WARMUP_DEADLINE_NANOS;
                    while (!run(List.of("chronyc", "-h", socket.toString(), "-c", "sources")).contains("^,*,")) {
                        if (System.nanoTime() > deadline || !chronyd.isAlive()) {
                            throw new IllegalStateException("chronyd did not select the appliance: "
                                    + Files.readString(dir.resolve("client.out")));
                        }
                        chronyd.waitFor(500, TimeUnit.MILLISECONDS);
                    }
                    System.out.printf("chronyd -x xleave poll 2^%d through a KERNEL DelayProxy (2000 us + exp 1000 us"
                            + " each way) to the appliance's NTP server; %d s%n", poll, seconds);
                    System.out.println("t_s  system_us  last_us  rootdist_us  bound_us");
                    List<Double> abs = new ArrayList<>();
                    int inBound = 0;
                    int inRootDistance = 0;
                    int n = 0;
                    long start = System.nanoTime();
                    for (long t = 1; t <= seconds; t++) {
                        long at = start + TimeUnit.SECONDS.toNanos(t);
                        chronyd.waitFor(Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
                        String[] f = run(List.of("chronyc", "-h", socket.toString(), "-c", "tracking")).trim().split(",");
                        JsonNode time = JSON.readTree(appliance.get("/api/v1/time").body());
                        long boundNanos = time.path("boundNanos").asLong();
                        double systemSeconds = Double.parseDouble(f[4]);
                        double lastSeconds = Double.parseDouble(f[5]);
                        double rootDistanceSeconds = Double.parseDouble(f[10]) / 2 + Double.parseDouble(f[11]);
                        n++;
                        abs.add(Math.abs(systemSeconds) * 1e6);
                        if (Math.abs(systemSeconds) * 1e9 <= boundNanos) {
                            inBound++;
                        }
                        if (Math.abs(systemSeconds) <= rootDistanceSeconds) {
                            inRootDistance++;
                        }
                        System.out.printf("%4d  %9.1f  %7.1f  %11.1f  %8.1f%n", t, systemSeconds * 1e6, lastSeconds * 1e6,
                                rootDistanceSeconds * 1e6, boundNanos / 1e3);
                    }
                    abs.sort(Double::compare);
                    JsonNode status = JSON.readTree(appliance.get("/api/v1/status").body()).path("ntpServer");
                    System.out.printf("readings %d: |offset| p50 %.1f us, p99 %.1f us, max %.1f us; within the appliance's"
                            + " bound %d/%d, within chrony's root distance %d/%d%n", n, abs.get(n / 2),
                            abs.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)), abs.get(n - 1), inBound, n,
                            inRootDistance, n);
                    System.out.printf("appliance NTP server: requests %d, basic %d, interleaved %d, kod %d, rx->tx p50"
                            + " %.1f us p99 %.1f us%n", status.path("requests").asLong(),
                            status.path("responsesBasic").asLong(), status.path("responsesInterleaved").asLong(),
                            status.path("responsesKod").asLong(), status.path("rxToTxP50Nanos").asLong() / 1e3,
                            status.path("rxToTxP99Nanos").asLong() / 1e3);
                    System.out.println(run(List.of("chronyc", "-h", socket.toString(), "ntpdata")).lines()
                            .filter(l -> l.startsWith("Interleaved") || l.startsWith("Mode") || l.startsWith("Stratum")
                                    || l.startsWith("Total")).reduce((a, b) -> a + "; " + b).orElse(""));
                } finally {
                    chronyd.destroy();
                    if (!chronyd.waitFor(5, TimeUnit.SECONDS)) {
                        chronyd.destroyForcibly();
                    }
                }
            }
        }
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
