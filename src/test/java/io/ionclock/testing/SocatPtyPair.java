package io.ionclock.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A pseudo-terminal pair made by socat: the reader opens {@link #gnss()}, the test writes to {@link #feed()}.
 * Both links disappear when socat exits, as a USB receiver's tty does when unplugged.
 */
public final class SocatPtyPair implements AutoCloseable {

    static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long STOP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int OUTPUT_LINES_MAX = 100;

    private final Process process;
    private final Path gnss;
    private final Path feed;
    private final BlockingQueue<String> output = new LinkedBlockingQueue<>(OUTPUT_LINES_MAX);

    private SocatPtyPair(Process process, Path gnss, Path feed) {
        this.process = process;
        this.gnss = gnss;
        this.feed = feed;
    }

    /** Starts socat and waits until it is transferring data (both links exist). */
    public static SocatPtyPair start(Path dir) throws IOException, InterruptedException {
        Path gnss = dir.resolve("gnss");
        Path feed = dir.resolve("feed");
        // The reader's side is left cooked (canonical, echo, ICRNL, IXON, ISIG, 38400 baud) so the tests see
        // the reader's own raw 8N1 setup at work, not socat's.
        Process process = new ProcessBuilder("socat", "-d", "-d",
                "pty,link=" + gnss, "pty,raw,echo=0,link=" + feed)
                .redirectErrorStream(true)
                .start();
        SocatPtyPair pair = new SocatPtyPair(process, gnss, feed);
        Thread.ofPlatform().daemon(true).name("socat-output").start(pair::pumpOutput);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            String line = pair.output.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                pair.close();
                throw new IllegalStateException("socat did not start: " + seen);
            }
            seen.add(line);
            if (line.contains("starting data transfer loop")) {
                return pair;
            }
        }
    }

    public Path gnss() {
        return gnss;
    }

    public Path feed() {
        return feed;
    }

    public OutputStream openFeed() throws IOException {
        return Files.newOutputStream(feed);
    }

    /** Stops socat (SIGTERM) and waits for it to exit; it removes both links. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void pumpOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.offer(line);
            }
        } catch (IOException e) {
            output.offer("output read failed: " + e);
        }
    }
}
