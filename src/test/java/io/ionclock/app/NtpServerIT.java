package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.Peers;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged appliance's NTP server (sim profile: the truth is the host clock) against real NTP programs: chronyd -x
 * as its client with xleave, chronyd -Q and ntpdig one-shots; then bad packets and a flood from a plain socket.
 * Never changes the machine's clock (chronyd -x, -Q; ntpdig without -s/-S).
 */
class NtpServerIT {
    static final Pattern NTP_PORT = Pattern.compile("NTP server listening on UDP port (\\d+)");
    static final Duration SYNCHRONIZED_DEADLINE = Duration.ofSeconds(60);
    static final Duration CHRONY_SELECTS_DEADLINE = Duration.ofSeconds(60);
    static final Duration COMMAND_DEADLINE = Duration.ofSeconds(20);
    static final int NO_ANSWER_WAIT_MILLIS = 500;
    /** The table in the appliance for the flood test (small, to reach it with 127.x.y.z senders). */
    static final int CLIENTS_MAX = 512;
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * chronyd -Q's one basic exchange on loopback: its own error beyond the server's bound (measured 28 us and 137 us
     * in two runs: a cold one-shot client, user-space transmit time on our side in basic mode).
     */
    static final long CHRONY_ONE_SHOT_ERROR_NANOS_MAX = 1_000_000;
    /** The appliance's heap after a full GC may grow at most this much over the flood (its table is allocated once). */
    static final long HEAP_GROWTH_BYTES_MAX = 16L << 20;

    @TempDir
    static Path dir;
    static ApplianceProcess appliance;
    static int ntpPort;

    @BeforeAll
    static void start() throws Exception {
        appliance = ApplianceProcess.start(System.getProperty("ionclock.jar"), dir, "ntp-server",
                Map.of("IONCLOCK_NTP_SERVER", "true", "IONCLOCK_NTP_PORT", "0", "IONCLOCK_NTP_BIND", "127.0.0.1",
                        "IONCLOCK_NTP_CLIENTS_MAX", String.valueOf(CLIENTS_MAX)));
        ntpPort = appliance.awaitLog(NTP_PORT);
        long deadline = System.nanoTime() + SYNCHRONIZED_DEADLINE.toNanos();
        while (!"SYNCHRONIZED".equals(time().path("status").asText())) {
            assertTrue(System.nanoTime() < deadline, "not synchronised in time:\n" + appliance.logText());
            appliance.process().waitFor(200, TimeUnit.MILLISECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    static JsonNode time() throws IOException, InterruptedException {
        return JSON.readTree(appliance.get("/api/v1/time").body());
    }

    static JsonNode ntpStatus() throws IOException, InterruptedException {
        return JSON.readTree(appliance.get("/api/v1/status").body()).path("ntpServer");
    }

    /** chronyd -x with xleave polls the appliance 4 times a second, selects it, and its offsets stay in the bound. */
    @Test
    void chronydSelectsItInInterleavedModeAndItsOffsetsStayInTheBound() throws Exception {
        Peers.require(Peers.CHRONYD);
        Peers.require(Peers.CHRONYC);
        Path d = Files.createDirectories(dir.resolve("chrony-client"));
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path socket = d.resolve("chronyd.sock");
        Files.writeString(d.resolve("client.conf"), String.join("\n",
                "server 127.0.0.1 port " + ntpPort + " iburst minpoll -2 maxpoll -2 xleave",
                "port 0",
                "cmdport 0",
                "bindcmdaddress " + socket,
                "pidfile " + d.resolve("client.pid"), ""));
        Process chronyd = new ProcessBuilder("chronyd", "-x", "-d", "-u", "root", "-f", d.resolve("client.conf").toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("client.out").toFile()).start();
        try {
            long deadline = System.nanoTime() + CHRONY_SELECTS_DEADLINE.toNanos();
            String sources = "";
            while (!sources.contains("^,*,127.0.0.1")) {
                assertTrue(System.nanoTime() < deadline && chronyd.isAlive(), "chronyd did not select the appliance: "
                        + sources + "\n" + Files.readString(d.resolve("client.out")));
                chronyd.waitFor(250, TimeUnit.MILLISECONDS);
                sources = chronyc(socket, "-c", "sources");
            }
            // Several readings, a quarter second apart: chrony's estimate of the host clock against the appliance.
            List<String> readings = new ArrayList<>();
            int withinBound = 0;
            for (int i = 0; i < 20; i++) {
                chronyd.waitFor(250, TimeUnit.MILLISECONDS);
                String[] t = chronyc(socket, "-c", "tracking").split(",");
                // "System time" (field 4): the offset chrony measures of the host clock (the truth) from the
                // appliance's time, so the appliance's error with the other sign; field 6: its last offset.
                double systemTimeSeconds = Double.parseDouble(t[4]);
                double lastOffsetSeconds = Double.parseDouble(t[5]);
                // Root distance (root delay / 2 + root dispersion, fields 10 and 11): the appliance's bound, sent as
                // its root dispersion, plus chrony's half round trip and its own dispersion.
                double rootDistanceSeconds = Double.parseDouble(t[10]) / 2 + Double.parseDouble(t[11]);
                long boundNanos = time().path("boundNanos").asLong();
                readings.add(String.format("system %.1f us last %.1f us root distance %.1f us bound %.1f us",
                        systemTimeSeconds * 1e6, lastOffsetSeconds * 1e6, rootDistanceSeconds * 1e6, boundNanos / 1e3));
                assertTrue(rootDistanceSeconds * 1e9 >= boundNanos, "chrony's root distance covers the bound: " + readings);
                assertTrue(Math.abs(lastOffsetSeconds) <= rootDistanceSeconds, "chrony's last offset outside its root "
                        + "distance: " + readings);
                if (Math.abs(lastOffsetSeconds) * 1e9 <= boundNanos) {
                    withinBound++;
                }
            }
            System.out.println("chronyd -x xleave against the appliance (" + withinBound + "/20 last offsets within "
                    + "the appliance's bound): " + readings);
            JsonNode s = ntpStatus();
            assertTrue(s.path("responsesInterleaved").asLong() > 0, "interleaved responses: " + s);
            assertEquals(0, s.path("drops").path("RATE_LIMITED").asLong(), "chrony at 4/s is within the limit: " + s);
            String ntpdata = chronyc(socket, "ntpdata", "127.0.0.1");
            assertTrue(Pattern.compile("Interleaved\\s*:\\s*Yes").matcher(ntpdata).find(), ntpdata);
            assertTrue(Pattern.compile("Stratum\\s*:\\s*1").matcher(ntpdata).find(), ntpdata);
            assertTrue(ntpdata.contains("SIM"), ntpdata);
        } finally {
            chronyd.destroy();
            if (!chronyd.waitFor(5, TimeUnit.SECONDS)) {
                chronyd.destroyForcibly();
            }
        }
    }

    static String chronyc(Path socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("chronyc", "-h", socket.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish: " + out);
        }
        return out;
    }

    /** chronyd -Q: one measurement, printed; the offset is within the bound (plus its own half round trip). */
    @Test
    void chronydOneShotOffsetIsInTheBound() throws Exception {
        Peers.require(Peers.CHRONYD);
        Path d = Files.createDirectories(dir.resolve("chrony-q"));
        String out = run(List.of("chronyd", "-Q", "-u", "root", "-f", "/dev/null", "-t", "10",
                "pidfile " + d.resolve("q.pid"), "server 127.0.0.1 port " + ntpPort + " iburst maxsamples 1"));
        var m = Pattern.compile("System clock wrong by (-?[0-9.]+) seconds").matcher(out);
        assertTrue(m.find(), out);
        double offsetSeconds = Double.parseDouble(m.group(1));
        long boundNanos = time().path("boundNanos").asLong();
        System.out.printf("chronyd -Q: %s; bound %.1f us%n", m.group(), boundNanos / 1e3);
        // One basic exchange: chrony's own timestamping error on loopback comes on top of the bound.
        assertTrue(Math.abs(offsetSeconds) * 1e9 <= boundNanos + CHRONY_ONE_SHOT_ERROR_NANOS_MAX, out + " bound "
                + boundNanos);
    }

    /**
     * ntpdig (ntpsec) has no port option and always asks port 123: its own script is run with that default replaced
     * by the appliance's port. The offset it prints is within the bound plus half its round trip plus the one-shot
     * timestamping allowance: a receive time read late (user space, a loaded machine) shrinks the round trip it
     * reports while moving the offset, so half the round trip alone does not cover it (a full-suite run on a busy
     * machine measured -113 us against 100 us of slack).
     */
    @Test
    void ntpdigOneShotOffsetIsInTheBound() throws Exception {
        Peers.require(Peers.NTPDIG);
        Path ntpdig = Peers.find("ntpdig").orElseThrow();
        String script = Files.readString(ntpdig);
        assertTrue(script.contains("port=123"), "ntpdig's queryhost(port=123) default, to be replaced");
        Path patched = dir.resolve("ntpdig-port");
        Files.writeString(patched, script.replace("port=123", "port=" + ntpPort));
        // The script's own interpreter (its #! line): the one with ntpsec's Python library.
        String interpreter = script.lines().findFirst().orElse("").replaceFirst("^#!\\s*", "").trim().split("\\s+")[0];
        String out = run(List.of(interpreter.isEmpty() ? "python3" : interpreter, patched.toString(), "-j", "-t", "5",
                "127.0.0.1"));
        assertTrue(out.contains("{"), "ntpdig printed no JSON: " + out);
        JsonNode j = JSON.readTree(out.substring(out.indexOf('{')));
        double offsetSeconds = j.path("offset").asDouble();
        double delaySeconds = j.path("delay").asDouble();
        long boundNanos = time().path("boundNanos").asLong();
        System.out.printf("ntpdig: %s; bound %.1f us%n", out.trim(), boundNanos / 1e3);
        assertEquals(1, j.path("stratum").asInt(), out);
        assertTrue(Math.abs(offsetSeconds) * 1e9 <= boundNanos + delaySeconds * 1e9 / 2 + CHRONY_ONE_SHOT_ERROR_NANOS_MAX,
                out);
    }

    /** Spoofed, replayed, truncated, oversized, control, private, broadcast and garbage packets: none answered. */
    @Test
    void badPacketsAreNeverAnsweredAndAreCountedByReason() throws Exception {
        JsonNode before = ntpStatus().path("drops");
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            c.setSoTimeout(NO_ANSWER_WAIT_MILLIS);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), ntpPort);
            // A genuine response first, to replay it.
            byte[] req = header(4, NtpPacket.MODE_CLIENT, 48);
            c.send(new DatagramPacket(req, 48, to));
            byte[] resp = new byte[100];
            DatagramPacket got = new DatagramPacket(resp, resp.length);
            c.receive(got);
            assertEquals(48, got.getLength());
            List<byte[]> bad = new ArrayList<>();
            bad.add(java.util.Arrays.copyOf(resp, 48)); // replayed server response (mode 4): BAD_MODE
            byte[] spoofed = header(4, NtpPacket.MODE_SERVER, 48);
            spoofed[1] = 1;
            bad.add(spoofed); // a spoofed server response: BAD_MODE
            bad.add(header(4, NtpPacket.MODE_SYMMETRIC_ACTIVE, 48)); // BAD_MODE
            bad.add(header(4, NtpPacket.MODE_CLIENT, 47)); // TRUNCATED
            bad.add(header(4, NtpPacket.MODE_CLIENT, 1500)); // OVERSIZED
            bad.add(header(4, NtpPacket.MODE_CLIENT, 68)); // UNSUPPORTED_EXTENSION
            bad.add(header(2, NtpPacket.MODE_CONTROL, 12)); // ntpq: TRUNCATED (mode 6 is short)
            bad.add(header(2, NtpPacket.MODE_CONTROL, 48)); // CONTROL
            bad.add(header(2, NtpPacket.MODE_PRIVATE, 48)); // monlist: CONTROL
            bad.add(header(2, NtpPacket.MODE_PRIVATE, 192)); // CONTROL
            bad.add(header(4, NtpPacket.MODE_BROADCAST, 48)); // BROADCAST
            bad.add(header(0, NtpPacket.MODE_CLIENT, 48)); // BAD_VERSION
            bad.add(new byte[0]); // TRUNCATED
            Random random = new Random(19);
            for (int i = 0; i < 200; i++) {
                byte[] g = new byte[random.nextInt(1, 600)];
                random.nextBytes(g);
                if (g.length >= 48 && (g[0] & 7) == NtpPacket.MODE_CLIENT) {
                    g[0] = (byte) (g[0] & ~7 | NtpPacket.MODE_PRIVATE); // garbage never a valid request by chance
                }
                bad.add(g);
            }
            for (byte[] b : bad) {
                c.send(new DatagramPacket(b, b.length, to));
            }
            try {
                c.receive(new DatagramPacket(new byte[2000], 2000));
                throw new AssertionError("a bad packet was answered");
            } catch (SocketTimeoutException expected) {
                // none answered
            }
        }
        JsonNode after = ntpStatus().path("drops");
        long total = 0;
        for (String reason : List.of("TRUNCATED", "OVERSIZED", "BAD_VERSION", "CONTROL", "BROADCAST", "BAD_MODE",
                "UNSUPPORTED_EXTENSION")) {
            long n = after.path(reason).asLong() - before.path(reason).asLong();
            assertTrue(n >= 1, reason + " counted: " + after);
            total += n;
        }
        assertTrue(total >= 213, "every bad packet counted: " + after);
        assertTrue(after.path("CONTROL").asLong() - before.path("CONTROL").asLong() >= 3);
    }

    static byte[] header(int version, int mode, int len) {
        byte[] b = new byte[len];
        if (len > 0) {
            b[0] = (byte) (version << 3 | mode);
        }
        if (len >= 48) {
            b[47] = 1; // a transmit timestamp
        }
        return b;
    }

    /**
     * 100,000 requests from 100,000 source ports and 4096 loopback addresses 127.1.x.y (8 times the table): the table
     * never holds more than clients-max, the heap after a full GC grows less than {@link #HEAP_GROWTH_BYTES_MAX}, and
     * bytes out never exceed bytes in.
     */
    @Test
    void floodFromManySourcesIsBoundedAndNeverAmplified() throws Exception {
        JsonNode before = ntpStatus();
        long heapBefore = applianceHeapAfterGcBytes();
        int requests = 100_000;
        int addresses = 8 * CLIENTS_MAX;
        int sockets = 200;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        byte[] req = header(4, NtpPacket.MODE_CLIENT, 48);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), ntpPort);
        int maxClientsSeen = 0;
        int sent = 0;
        // Batches of sockets, each bound to its own address and ephemeral port, each sending a few requests.
        for (int batch = 0; sent < requests; batch++) {
            assertTrue(System.nanoTime() < deadline, "flood took too long: " + sent);
            List<java.nio.channels.DatagramChannel> open = new ArrayList<>();
            try {
                for (int i = 0; i < sockets && sent < requests; i++) {
                    int a = (batch * sockets + i) % addresses;
                    InetAddress from = InetAddress.getByAddress(new byte[] {127, 1, (byte) (a >>> 8), (byte) a});
                    java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open();
                    ch.bind(new InetSocketAddress(from, 0));
                    open.add(ch);
                    ch.send(java.nio.ByteBuffer.wrap(req), to);
                    sent++;
                }
            } finally {
                for (var ch : open) {
                    ch.close();
                }
            }
            if (batch % 50 == 0) {
                maxClientsSeen = Math.max(maxClientsSeen, ntpStatus().path("clients").asInt());
                // Pace: let the server catch up, bounded.
                long waitDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (ntpStatus().path("requests").asLong() - before.path("requests").asLong() < sent * 9L / 10
                        && System.nanoTime() < waitDeadline) {
                    appliance.process().waitFor(20, TimeUnit.MILLISECONDS);
                }
            }
        }
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode after = ntpStatus();
        while (after.path("requests").asLong() - before.path("requests").asLong() < requests * 95L / 100
                && System.nanoTime() < settle) {
            appliance.process().waitFor(100, TimeUnit.MILLISECONDS);
            after = ntpStatus();
        }
        maxClientsSeen = Math.max(maxClientsSeen, after.path("clients").asInt());
        long in = after.path("bytesReceived").asLong() - before.path("bytesReceived").asLong();
        long out = after.path("bytesSent").asLong() - before.path("bytesSent").asLong();
        long received = after.path("requests").asLong() - before.path("requests").asLong();
        System.out.printf("flood: %d sent, %d received, %d bytes in, %d out, clients max %d, evictions %d, seen %d%n",
                requests, received, in, out, maxClientsSeen, after.path("clientEvictions").asLong(),
                after.path("clientsSeen").asLong());
        assertTrue(received >= requests * 95L / 100, "the server received the flood: " + received);
        assertTrue(maxClientsSeen <= CLIENTS_MAX, "table bounded: " + maxClientsSeen);
        assertEquals(CLIENTS_MAX, after.path("clientsMax").asInt());
        assertTrue(after.path("clientEvictions").asLong() > 0, "the table was full and evicted: " + after);
        assertTrue(out <= in, "no amplification: " + out + " > " + in);
        long heapAfter = applianceHeapAfterGcBytes();
        System.out.printf("appliance heap after a full GC: %.1f -> %.1f MB%n", heapBefore / 1e6, heapAfter / 1e6);
        assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BYTES_MAX, "heap grew " + (heapAfter - heapBefore));
    }

    /** The appliance's heap after a full GC ({@code jcmd PID GC.run}), from its Micrometer JVM metrics. */
    static long applianceHeapAfterGcBytes() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(List.of(jcmd.toString(), String.valueOf(appliance.process().pid()), "GC.run"));
        String metrics = appliance.get("/q/metrics").body();
        var m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)").matcher(metrics);
        double used = 0;
        boolean found = false;
        while (m.find()) {
            used += Double.parseDouble(m.group(1));
            found = true;
        }
        assertTrue(found, "jvm_memory_used_bytes{area=heap} in /q/metrics");
        return (long) used;
    }
}
