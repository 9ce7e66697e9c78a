package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.Sample;
import io.ionclock.core.ntp.NtpSource;
import io.ionclock.testing.FakeNtpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The NTP client adapter on loopback against a minimal server telling the host clock ({@link FakeNtpServer}, basic mode: ours and
 * chronyd's interleaved ones are in the ITs), in both timestamping modes: samples arrive, each honest against the host
 * clock; a name resolves; an answer from another port is not the server's.
 */
class NtpClientUdpTest {
    static final long SAMPLE_WAIT_SECONDS = 20;

    static NtpClientUdp.Options options(String servers, String timestamping) {
        return new NtpClientUdp.Options(NtpClientUdp.parseServers(servers),
                new NtpSource.Config(100_000_000L, 1_000_000_000L, true, 500_000, 1.0, 64_000_000_000L, 50_000),
                timestamping, 3_600_000_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel", "user"})
    void honestSamplesFromAServerTellingTheHostClock(String timestamping) throws Exception {
        try (FakeNtpServer server = new FakeNtpServer(0)) {
            String name = (timestamping.equals("user") ? "localhost" : "127.0.0.1") + ":" + server.port();
            NtpClientUdp client = new NtpClientUdp(SystemMonoClock.INSTANCE, FakeNtpServer::nowNanos, options(name, timestamping));
            ArrayBlockingQueue<Sample> samples = new ArrayBlockingQueue<>(64);
            client.servers().get(0).start(samples::offer);
            client.start();
            try {
                LinuxClockPairReader pairs = new LinuxClockPairReader();
                ClockPair pair = new ClockPair();
                for (int i = 0; i < 5; i++) {
                    Sample s = samples.poll(SAMPLE_WAIT_SECONDS, TimeUnit.SECONDS);
                    assertTrue(s != null, "no sample within " + SAMPLE_WAIT_SECONDS + " s: " + client.views());
                    pairs.read(pair);
                    long truth = s.monoNanos() + pair.realtimeMinusMonoNanos();
                    long error = s.refEpochNanos() - truth;
                    assertTrue(Math.abs(error) <= s.errorNanos() + pair.bracketNanos(), "sample " + error
                            + " ns from the host clock, bound " + s.errorNanos() + " ns");
                }
                NtpClientUdp.ServerView v = client.views().get(0);
                assertEquals("ACTIVE", v.state());
                assertEquals(timestamping.equals("kernel") && TimestampingSocket.supported() ? "kernel" : "user",
                        client.timestamping());
                assertEquals("127.0.0.1", v.address());
                // An answer from another port of the server's host is not the server's.
                try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    long before = client.unknownSenders();
                    stranger.send(new DatagramPacket(new byte[48], 48, InetAddress.getLoopbackAddress(), client.localPort()));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (client.unknownSenders() == before && System.nanoTime() < deadline) {
                        samples.poll(10, TimeUnit.MILLISECONDS); // waits on the client's output, not for time to pass
                    }
                    assertEquals(before + 1, client.unknownSenders());
                }
            } finally {
                client.close();
            }
        }
    }

    @Test
    void serverListsAreChecked() {
        assertEquals(List.of(new NtpClientUdp.ServerName("a.example", 123), new NtpClientUdp.ServerName("10.0.0.1", 1123)),
                NtpClientUdp.parseServers(" a.example , 10.0.0.1:1123"));
        assertThrows(IllegalArgumentException.class, () -> NtpClientUdp.parseServers("a:0"));
        assertThrows(IllegalArgumentException.class, () -> NtpClientUdp.parseServers("a:x"));
        assertThrows(IllegalArgumentException.class, () -> NtpClientUdp.parseServers(""));
        assertThrows(IllegalArgumentException.class, () -> NtpClientUdp.parseServers("a,b,c,d,e,f"));
    }
}
