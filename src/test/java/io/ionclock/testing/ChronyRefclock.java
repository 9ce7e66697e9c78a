package io.ionclock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code chronyd -x} (it never touches the system clock) whose only source is a SOCK refclock at
 * {@link #socketPath()}, refid {@code IONC}, with its command port on loopback for {@code chronyc -c}. With the sim
 * profile telling the host clock, the truth is the system clock: chrony's "System time" ({@code tracking}) is its error.
 * Needs {@code chronyd}, {@code chronyc} (Debian package chrony) and root ({@code -u root}).
 */
public final class ChronyRefclock implements AutoCloseable {
    public static final String REFID = "IONC";
    static final long COMMAND_TIMEOUT_SECONDS = 5;

    private final Path dir;
    private final Path socket;
    private final int commandPort;
    private final Process chronyd;

    private ChronyRefclock(Path dir, Path socket, int commandPort, Process chronyd) {
        this.dir = dir;
        this.socket = socket;
        this.commandPort = commandPort;
        this.chronyd = chronyd;
    }

    /**
     * Starts chronyd with {@code refclock SOCK DIR/ionclock.sock refid IONC poll 0 precision 1e-7 delay DELAY}; the
     * socket exists once {@link #awaitSocket} returns.
     *
     * @param delaySeconds chrony.conf's {@code delay} (README: twice ionclock.chrony-sock.bound-max)
     */
    public static ChronyRefclock start(Path dir, double delaySeconds) throws IOException {
        Files.createDirectories(dir);
        Path socket = dir.resolve("ionclock.sock");
        int commandPort = ChronyPair.freeUdpPort();
        Path conf = dir.resolve("chrony.conf");
        Files.writeString(conf, String.join("\n",
                "refclock SOCK " + socket + " refid " + REFID + " poll 0 precision 1e-7 delay " + delaySeconds,
                "port 0",
                "cmdport " + commandPort,
                "bindcmdaddress 127.0.0.1",
                "pidfile " + dir.resolve("chronyd.pid"),
                "driftfile " + dir.resolve("chronyd.drift"), ""));
        Process p = new ProcessBuilder("chronyd", "-x", "-d", "-u", "root", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chronyd.out").toFile()).start();
        return new ChronyRefclock(dir, socket, commandPort, p);
    }

    public Path socketPath() {
        return socket;
    }

    /** Waits until chronyd has bound its socket. */
    public void awaitSocket(long deadlineNanos) throws IOException, InterruptedException {
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadlineNanos || !chronyd.isAlive()) {
                throw new AssertionError("chronyd did not bind " + socket + ":\n" + output());
            }
            chronyd.waitFor(50, TimeUnit.MILLISECONDS); // returns early if it dies
        }
    }

    /** {@code chronyc -c COMMAND} against this chronyd; null when it fails. */
    public String chronyc(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("chronyc", "-c", "-h", "127.0.0.1", "-p", String.valueOf(commandPort), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        return out;
    }

    /** Whether {@code chronyc sources} shows the refclock selected ({@code #*}). */
    public boolean refclockSelected() throws IOException, InterruptedException {
        String out = chronyc("sources");
        return out != null && out.lines().anyMatch(l -> l.startsWith("#,*," + REFID + ","));
    }

    /**
     * chronyc tracking's "System time" as the system clock minus chrony's estimate of true time, ns (positive: the
     * system clock ahead; chronyc prints it the other way round). With the host clock as truth this is chrony's error.
     * Null before chrony is synchronised to the refclock.
     */
    public Long systemTimeOffsetNanos() throws IOException, InterruptedException {
        String out = chronyc("tracking");
        if (out == null) {
            return null;
        }
        String[] f = out.split(",");
        if (f.length < 5 || !f[0].equals(hexRefid())) {
            return null;
        }
        return -Math.round(Double.parseDouble(f[4]) * 1e9);
    }

    /** sourcestats' estimated offset of the refclock (chrony's regression at now), ns; null when it has none. */
    public Long refclockEstimatedOffsetNanos() throws IOException, InterruptedException {
        String out = chronyc("sourcestats");
        if (out == null) {
            return null;
        }
        for (String line : out.lines().toList()) {
            String[] f = line.split(",");
            if (f.length >= 8 && f[0].equals(REFID)) {
                return Math.round(Double.parseDouble(f[6]) * 1e9);
            }
        }
        return null;
    }

    /** The refid as chronyc -c tracking prints it: four ASCII bytes in hex. */
    static String hexRefid() {
        StringBuilder b = new StringBuilder();
        for (char c : REFID.toCharArray()) {
            b.append(String.format("%02X", (int) c));
        }
        return b.toString();
    }

    public String output() throws IOException {
        Path out = dir.resolve("chronyd.out");
        return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() {
        chronyd.destroy();
        try {
            if (!chronyd.waitFor(5, TimeUnit.SECONDS)) {
                chronyd.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
