package io.ionclock.adapter.serial;

import io.ionclock.testing.Peers;
import io.ionclock.testing.SocatPtyPair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Integration tests against a socat pseudo-terminal pair. */
class SerialLineReaderTest {

    private static final long LINE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long NO_LINE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final int RECEIVED_LINES_MAX = 10_000;
    private static final String PROBE = "$PROBE";

    record Received(String text, long rxMonoNanos) {
    }

    @TempDir
    Path dir;

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>(RECEIVED_LINES_MAX);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SocatPtyPair socat;
    private OutputStream feed;
    private SerialLineReader reader;

    @BeforeEach
    void requireSocat() {
        Peers.require(Peers.SOCAT);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void linesArriveIntactWithCrLfAndLfAndRxTimeIsTheReadTime() throws Exception {
        startSocatAndReader();

        long beforeWriteMonoNanos = System.nanoTime();
        write("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n"
                + "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\n");
        Received rmc = nextLine();
        Received gga = nextLine();
        long afterReceiveMonoNanos = System.nanoTime();

        assertEquals("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A", rmc.text());
        assertEquals("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", gga.text());
        for (Received line : List.of(rmc, gga)) {
            assertTrue(line.rxMonoNanos() >= beforeWriteMonoNanos, "rx time before the write");
            assertTrue(line.rxMonoNanos() <= afterReceiveMonoNanos, "rx time after the delivery");
        }
        assertTrue(reader.connected());
        assertTrue(reader.lines() >= 3);
        assertTrue(reader.bytes() >= 140);
        assertEquals(0, reader.errors(), reader.lastError());
    }

    @Test
    void controlBytesPassUnchangedInRawMode() throws Exception {
        startSocatAndReader();
        byte[] line = new byte[256];
        int len = 0;
        for (int b = 0; b < 256; b++) {
            if (b != '\n') {
                line[len++] = (byte) b;
            }
        }
        // ends with 0xff, so no CR gets stripped; a lone CR (0x0d) sits in the middle
        writeBytes(line, 0, len);
        write("\n");

        Received got = nextLine();
        assertEquals(new String(line, 0, len, StandardCharsets.ISO_8859_1), got.text());
    }

    @Test
    void termiosIsRaw8n1AtTheConfiguredSpeed() throws Exception {
        Peers.require(Peers.STTY);
        startSocatAndReader();

        Process stty = new ProcessBuilder("stty", "-F", socat.gnss().toString(), "-a")
                .redirectErrorStream(true).start();
        String settings = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stty.waitFor(10, TimeUnit.SECONDS), "stty did not finish");
        assertEquals(0, stty.exitValue(), settings);

        assertTrue(settings.contains("speed 9600 baud"), settings);
        for (String flag : List.of("cs8", "-parenb", "-cstopb", "-crtscts", "cread", "clocal", "-icanon", "-echo",
                "-isig", "-iexten", "-icrnl", "-igncr", "-inlcr", "-ixon", "-ixoff", "-istrip", "-opost")) {
            assertTrue(Pattern.compile("(^|\\s)" + Pattern.quote(flag) + "(\\s|$)").matcher(settings).find(),
                    flag + " missing in: " + settings);
        }
    }

    @Test
    void overlongLinesAreDroppedCountedAndReadingResyncs() throws Exception {
        startSocatAndReader();
        String maxLine = "$" + "A".repeat(SerialLineReader.LINE_BYTES_MAX - 1);
        String tooLong = "$" + "B".repeat(SerialLineReader.LINE_BYTES_MAX);
        String veryLong = "$" + "C".repeat(5_000);

        write(tooLong + "\r\n" + maxLine + "\r\n" + veryLong + "\n$GPZDA,201530.00,04,07,2002,00,00*60\r\n");

        assertEquals(maxLine, nextLine().text());
        assertEquals("$GPZDA,201530.00,04,07,2002,00,00*60", nextLine().text());
        assertEquals(2, reader.overlongDropped());
        assertEquals(0, reader.errors(), reader.lastError());
    }

    @Test
    void binaryNoiseDoesNotBreakTheReader() throws Exception {
        startSocatAndReader();
        Random random = new Random(20240611L);
        byte[] noise = new byte[64 * 1024];
        random.nextBytes(noise);
        writeBytes(noise, 0, noise.length);
        write("\n$GNRMC,001031.00,A,4404.13993,N,12118.86023,W,0.146,,100117,,,A*7B\r\n");

        long deadline = System.nanoTime() + LINE_TIMEOUT_NANOS;
        while (true) {
            Received line = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertNotNull(line, "good line after the noise did not arrive");
            assertTrue(line.text().length() <= SerialLineReader.LINE_BYTES_MAX);
            assertFalse(line.text().isEmpty());
            assertTrue(line.text().indexOf('\n') < 0);
            if (line.text().equals("$GNRMC,001031.00,A,4404.13993,N,12118.86023,W,0.146,,100117,,,A*7B")) {
                break;
            }
        }
        assertTrue(reader.bytes() >= noise.length);
        assertTrue(reader.connected());
        assertEquals(0, reader.errors(), reader.lastError());
    }

    @Test
    void reconnectsWhenTheDeviceVanishesAndComesBack() throws Exception {
        startSocatAndReader();
        write("$GPGSV,before\r\n");
        assertEquals("$GPGSV,before", nextLine().text());

        feed.close();
        socat.close();
        socat = startSocat();
        feed = socat.openFeed();
        toClose.add(feed);

        awaitProbe();
        write("$GPGSV,after\r\n");
        assertEquals("$GPGSV,after", nextLine().text());
        assertTrue(reader.reopens() >= 1, "reopens " + reader.reopens());
        assertTrue(reader.errors() >= 1, "errors " + reader.errors());
        assertFalse(reader.lastError().isEmpty());
        assertTrue(reader.connected());
    }

    @Test
    void closeStopsTheThreadQuicklyEvenWithoutADevice() throws Exception {
        SerialLineReader absent = new SerialLineReader(
                new SerialPortConfig(dir.resolve("no-such-tty").toString(), 9600), (b, o, l, t) -> {
                });
        absent.start();
        assertTrue(absent.alive());
        long startMonoNanos = System.nanoTime();
        absent.close();
        long closeNanos = System.nanoTime() - startMonoNanos;

        assertFalse(absent.alive());
        assertFalse(absent.connected());
        assertTrue(closeNanos < SerialLineReader.CLOSE_TIMEOUT_NANOS, "close took " + closeNanos + " ns");
    }

    @Test
    void closeStopsAConnectedReaderAndNoLineArrivesAfterwards() throws Exception {
        startSocatAndReader();
        long startMonoNanos = System.nanoTime();
        reader.close();
        long closeNanos = System.nanoTime() - startMonoNanos;
        assertFalse(reader.alive());
        assertFalse(reader.connected());
        assertTrue(closeNanos < SerialLineReader.CLOSE_TIMEOUT_NANOS, "close took " + closeNanos + " ns");

        received.clear();
        write("$GPGSV,late\r\n");
        assertNull(received.poll(NO_LINE_WAIT_NANOS, TimeUnit.NANOSECONDS));
    }

    private void startSocatAndReader() throws Exception {
        socat = startSocat();
        feed = socat.openFeed();
        toClose.add(feed);
        reader = new SerialLineReader(new SerialPortConfig(socat.gnss().toString(), 9600),
                (buf, off, len, rxMonoNanos) -> received.offer(
                        new Received(new String(buf, off, len, StandardCharsets.ISO_8859_1), rxMonoNanos)));
        toClose.add(reader);
        reader.start();
        awaitProbe();
    }

    private SocatPtyPair startSocat() throws IOException, InterruptedException {
        SocatPtyPair pair = SocatPtyPair.start(dir);
        toClose.add(() -> {
            if (socat != null) {
                socat.close();
            }
        });
        return pair;
    }

    /**
     * Writes probe lines until one arrives: the reader discards input that waited before its open, so the
     * test cannot know from outside when it is connected.
     */
    private void awaitProbe() throws Exception {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            write(PROBE + "\r\n");
            Received line = received.poll(PROBE_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
            while (line != null) {
                if (line.text().equals(PROBE)) {
                    received.clear();
                    return;
                }
                line = received.poll();
            }
        }
        fail("reader did not connect; last error: " + reader.lastError());
    }

    private Received nextLine() throws InterruptedException {
        Received line = received.poll(LINE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        assertNotNull(line, "no line within timeout; last error: " + reader.lastError());
        return line;
    }

    private void write(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        writeBytes(bytes, 0, bytes.length);
    }

    private void writeBytes(byte[] bytes, int off, int len) throws IOException {
        feed.write(bytes, off, len);
        feed.flush();
    }
}
