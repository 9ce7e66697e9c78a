package io.ionclock.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real chrony pair on loopback, both with {@code -x} (they never touch the system clock): a server telling
 * the host clock, and a client syncing to {@link #clientTarget} (the server itself, or a {@link DelayProxy} in
 * front of it). The host clock is the truth, so the client's own estimate of the system clock's offset
 * ({@code chronyc tracking}, "System time") is chrony's error. Needs {@code chronyd} and {@code chronyc}
 * (Debian package chrony) and root (chronyd keeps root with {@code -u root} to write its files).
 */
public final class ChronyPair implements AutoCloseable {
    static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Path dir;
    private final int serverPort;
    private Process server;
    private Process client;
    private int clientCommandPort;

    private ChronyPair(Path dir, int serverPort) {
        this.dir = dir;
        this.serverPort = serverPort;
    }

    /** Starts the server chronyd on a free port; {@link #startClient} then points a client at it or a proxy. */
    public static ChronyPair startServer(Path dir) throws IOException {
        Files.createDirectories(dir);
        ChronyPair pair = new ChronyPair(dir, freeUdpPort());
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, String.join("\n",
                "port " + pair.serverPort,
                "bindaddress 127.0.0.1",
                "allow 127.0.0.1",
                "local stratum 8",
                "cmdport 0",
                "pidfile " + dir.resolve("server.pid"),
                "driftfile " + dir.resolve("server.drift"), ""));
        pair.server = chronyd(conf, dir.resolve("server.out"));
        return pair;
    }

    public InetSocketAddress serverAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    }

    /** Starts the client, polling {@code target} every {@code 2^pollLog2} s ({@code -4}: 16 times a second). */
    public void startClient(InetSocketAddress target, int pollLog2) throws IOException {
        startClient(target, pollLog2, false);
    }

    /** As {@link #startClient(InetSocketAddress, int)}, with chrony's interleaved mode ({@code xleave}) when asked. */
    public void startClient(InetSocketAddress target, int pollLog2, boolean xleave) throws IOException {
        clientCommandPort = freeUdpPort();
        Path conf = dir.resolve("client.conf");
        Files.writeString(conf, String.join("\n",
                "server 127.0.0.1 port " + target.getPort() + " iburst minpoll " + pollLog2 + " maxpoll " + pollLog2
                        + (xleave ? " xleave" : ""),
                "port 0",
                // One source port for all requests (chronyd picks a new random one for each by default), so a
                // proxy in front of the server sees one client.
                "acquisitionport " + freeUdpPort(),
                "cmdport " + clientCommandPort,
                "bindcmdaddress 127.0.0.1",
                "pidfile " + dir.resolve("client.pid"), ""));
        client = chronyd(conf, dir.resolve("client.out"));
    }

    /**
     * The client's "System time" from {@code chronyc -c tracking}: its estimate of how far the system clock is
     * from NTP time, positive when fast. With the host clock as truth, this is chrony's error. Null before it
     * has a source.
     */
    public Long clientSystemTimeOffsetNanos() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("chronyc", "-c", "-h", "127.0.0.1", "-p", String.valueOf(clientCommandPort),
                "tracking").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        String[] f = out.split(",");
        if (f.length < 5 || "0.0.0.0".equals(f[1]) || f[1].isEmpty()) {
            return null; // no source selected yet
        }
        // chronyc -c prints "System time" as the offset of the system clock: negative when it is fast.
        return -Math.round(Double.parseDouble(f[4]) * 1e9);
    }

    @Override
    public void close() {
        for (Process p : java.util.stream.Stream.of(client, server).filter(x -> x != null).toList()) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Process chronyd(Path conf, Path output) throws IOException {
        return new ProcessBuilder("chronyd", "-x", "-d", "-u", "root", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** A port free a moment ago (chronyd must be told its ports; the race with other processes is accepted). */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }
}
