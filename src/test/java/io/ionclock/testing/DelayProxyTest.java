package io.ionclock.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DelayProxyTest {

    /** An echo server behind the proxy: every answer comes back intact, no sooner than twice the base delay. */
    @ParameterizedTest
    @EnumSource(DelayProxy.Mode.class)
    void relaysBothWaysAndHoldsEachDatagramAtLeastTheBaseDelay(DelayProxy.Mode mode) throws Exception {
        long baseNanos = 3_000_000;
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DelayProxy proxy = DelayProxy.start((InetSocketAddress) echo.getLocalSocketAddress(), baseNanos, 500_000, 7,
                        mode);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            echo.setSoTimeout(5_000);
            client.setSoTimeout(5_000);
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[64];
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port());
            for (int i = 0; i < 20; i++) {
                byte[] payload = {1, 2, 3, (byte) i};
                long sentNanos = System.nanoTime();
                client.send(new DatagramPacket(payload, payload.length, front));
                DatagramPacket answer = new DatagramPacket(new byte[64], 64);
                client.receive(answer);
                long roundTripNanos = System.nanoTime() - sentNanos;
                assertArrayEquals(payload, Arrays.copyOf(answer.getData(), answer.getLength()));
                assertTrue(roundTripNanos >= 2 * baseNanos, "held both ways: " + roundTripNanos + " ns");
            }
            // The count moves just after the send, so the last answer may arrive first.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> proxy.relayed() == 40);
            assertEquals(0, proxy.dropped());
            assertEquals(0, proxy.kernelFallbacks());
        }
    }
}
