package io.ionclock.adapter.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs Mosquitto's programs (clients and the broker) for tests; output lines are collected as they come. */
public final class Mosquitto implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final String command;
    private final Thread reader;

    private Mosquitto(List<String> command) throws IOException {
        this.command = String.join(" ", command);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        });
    }

    public static Mosquitto run(String... command) throws IOException {
        return new Mosquitto(List.of(command));
    }

    /** The next line within the deadline (fails the test without one). */
    public String line(Duration deadline) throws InterruptedException {
        String l = lines.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null) {
            fail("no output from '" + command + "' within " + deadline + "; so far: " + all);
        }
        all.add(l);
        return l;
    }

    /** Waits for the program to end; returns its exit code. */
    public int exit(Duration deadline) throws InterruptedException {
        assertTrue(process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS), "'" + command + "' did not end");
        reader.join(deadline.toMillis()); // all its output is in
        return process.exitValue();
    }

    /** All output seen so far plus what is queued. */
    public List<String> output() {
        lines.drainTo(all);
        return all;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** A free TCP port (for the broker, which cannot report a port 0 binding). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts a mosquitto broker on 127.0.0.1:port with a config in {@code dir}; waits until it accepts. */
    public static Mosquitto broker(Path dir, int port) throws Exception {
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        String program = io.ionclock.testing.Peers.find("mosquitto").orElseThrow().toString();
        Mosquitto m = run(program, "-c", conf.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && m.alive()) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return m;
            } catch (IOException e) {
                m.process.waitFor(20, TimeUnit.MILLISECONDS); // returns early if it dies
            }
        }
        m.close();
        fail("mosquitto did not start on port " + port + ": " + m.output());
        return null;
    }
}
