package io.ionclock.adapter.clockctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.LeapIndicator;
import io.ionclock.core.hostclock.ChronySockSample;
import io.ionclock.core.hostclock.FeedResult;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feed against a real AF_UNIX datagram socket bound by the test, as chronyd binds its SOCK refclock. */
class ChronySockFeedTest {
    static final int RECEIVE_TIMEOUT_MILLIS = 5_000;

    @TempDir
    Path dir;

    @BeforeEach
    void linux() {
        Assumptions.assumeTrue(ChronySockFeed.supported(), "Linux x86_64/aarch64 only");
    }

    static byte[] sample(long systemEpochNanos) {
        byte[] b = new byte[ChronySockSample.SIZE_BYTES];
        ChronySockSample.encode(b, 0, systemEpochNanos, -1_234, LeapIndicator.INSERT, ByteOrder.nativeOrder());
        return b;
    }

    @Test
    void theReceiverGetsExactlyTheSample() throws Exception {
        Path sock = dir.resolve("ionclock.sock");
        try (UnixDatagramReceiver chrony = UnixDatagramReceiver.bind(sock, 0);
                ChronySockFeed feed = ChronySockFeed.open(sock.toString())) {
            for (int i = 0; i < 3; i++) {
                byte[] s = sample(1_767_225_600_000_000_000L + i);
                assertEquals(FeedResult.SENT, feed.send(s, s.length));
                assertArrayEquals(s, chrony.receive(RECEIVE_TIMEOUT_MILLIS));
            }
            assertEquals("", feed.lastError());
        }
    }

    /** chrony not started yet, then started, stopped and started again: counted, retried, never thrown. */
    @Test
    void aMissingSocketIsRetried() throws Exception {
        Path sock = dir.resolve("late.sock");
        byte[] s = sample(1_767_225_600_000_000_000L);
        try (ChronySockFeed feed = ChronySockFeed.open(sock.toString())) {
            assertEquals(FeedResult.NO_SOCKET, feed.send(s, s.length));
            assertTrue(feed.lastError().contains("ENOENT"), feed.lastError());
            try (UnixDatagramReceiver chrony = UnixDatagramReceiver.bind(sock, 0)) {
                assertEquals(FeedResult.SENT, feed.send(s, s.length));
                assertArrayEquals(s, chrony.receive(RECEIVE_TIMEOUT_MILLIS));
            }
            assertEquals(FeedResult.NO_SOCKET, feed.send(s, s.length), "chrony gone: the file was removed");
            // A socket file left behind by a chronyd that died: nobody bound there.
            UnixDatagramReceiver.bind(sock, 0).closeKeepingFile();
            assertEquals(FeedResult.NO_SOCKET, feed.send(s, s.length));
            assertTrue(feed.lastError().contains("ECONNREFUSED"), feed.lastError());
            Files.deleteIfExists(sock);
            try (UnixDatagramReceiver chrony = UnixDatagramReceiver.bind(sock, 0)) {
                assertEquals(FeedResult.SENT, feed.send(s, s.length));
                assertNotNull(chrony.receive(RECEIVE_TIMEOUT_MILLIS));
            }
        }
    }

    /** A receiver that does not read: the send never blocks, the drop is counted as QUEUE_FULL. */
    @Test
    void aFullQueueIsADropNotABlock() throws Exception {
        Path sock = dir.resolve("full.sock");
        byte[] s = sample(1_767_225_600_000_000_000L);
        try (UnixDatagramReceiver chrony = UnixDatagramReceiver.bind(sock, 1);
                ChronySockFeed feed = ChronySockFeed.open(sock.toString())) {
            FeedResult r = FeedResult.SENT;
            int sent = 0;
            // net.unix.max_dgram_qlen (default 512) or the receive buffer, whichever fills first.
            while (r == FeedResult.SENT && sent < 100_000) {
                r = feed.send(s, s.length);
                sent++;
            }
            assertEquals(FeedResult.QUEUE_FULL, r, "after " + sent + " sends: " + feed.lastError());
        }
    }

    /**
     * Any errno other than a missing listener or a full queue is a SEND_ERROR with its name kept: here EPROTOTYPE, a
     * stream socket at chrony's path (root bypasses file permissions, so EACCES cannot be made on this machine; it
     * takes the same path in the code).
     */
    @Test
    void anotherErrnoIsASendErrorWithItsName() throws Exception {
        Path sock = dir.resolve("stream.sock");
        byte[] s = sample(1_767_225_600_000_000_000L);
        try (java.nio.channels.ServerSocketChannel stream = java.nio.channels.ServerSocketChannel.open(
                        java.net.StandardProtocolFamily.UNIX);
                ChronySockFeed feed = ChronySockFeed.open(sock.toString())) {
            stream.bind(java.net.UnixDomainSocketAddress.of(sock));
            assertEquals(FeedResult.SEND_ERROR, feed.send(s, s.length));
            assertTrue(feed.lastError().contains("EPROTOTYPE"), feed.lastError());
        }
    }

    @Test
    void badPathsAreRefused() {
        assertNotNull(ChronySockFeed.pathProblem("relative.sock"));
        assertNotNull(ChronySockFeed.pathProblem(""));
        assertNotNull(ChronySockFeed.pathProblem("/" + "x".repeat(ChronySockFeed.PATH_BYTES_MAX)));
        assertNull(ChronySockFeed.pathProblem("/" + "x".repeat(ChronySockFeed.PATH_BYTES_MAX - 1)));
        assertNull(ChronySockFeed.pathProblem("/run/chrony/ionclock.sock"));
        assertThrows(IllegalArgumentException.class, () -> ChronySockFeed.open("run/chrony.sock"));
    }
}
