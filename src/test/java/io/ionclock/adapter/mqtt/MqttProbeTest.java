package io.ionclock.adapter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The probe against the embedded server, both protocol versions; and its failures. */
class MqttProbeTest {
    static final Pattern EXCHANGE = Pattern.compile(
            "^\\d+: offsetNanos ([+-]\\d+) delayNanos (\\d+) boundNanos (\\d+) errorNanos (\\d+) status SYNCHRONIZED$",
            Pattern.MULTILINE);

    record Run(int code, String out, String err) {
    }

    static Run probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MqttProbe.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void probesTheEmbeddedServerWithMqtt5And311() throws Exception {
        Vertx vertx = Vertx.vertx();
        TimeService service = new TimeService(new HostMqttClock(), new GatewayTopics("gw-probe"), new MqttStats());
        EmbeddedBroker broker = new EmbeddedBroker(vertx, service, EmbeddedBrokerOptions.plain(0,
                new MqttLimits(16, 4, 16, 512, 100, 100, 10_000, 0)));
        int port = broker.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        service.start(broker);
        try {
            for (String version : new String[] {"5", "3.1.1"}) {
                // no --gateway: discovered from the retained status
                Run r = probe("--broker", "tcp://127.0.0.1:" + port, "--count", "5", "--mqtt", version);
                assertEquals(0, r.code(), r.out() + r.err());
                assertTrue(r.out().contains("gateway gw-probe"), r.out());
                Matcher m = EXCHANGE.matcher(r.out());
                int n = 0;
                while (m.find()) {
                    n++;
                    long offsetNanos = Long.parseLong(m.group(1));
                    long delayNanos = Long.parseLong(m.group(2));
                    assertEquals(HostMqttClock.BOUND_NANOS, Long.parseLong(m.group(3)));
                    assertEquals(HostMqttClock.BOUND_NANOS + delayNanos / 2, Long.parseLong(m.group(4)));
                    assertTrue(delayNanos >= 0, r.out());
                    // the stand-in clock is the host clock (read once, then advanced by the monotonic clock): each offset
                    // lies within its own honest error (half its round trip: a loaded machine makes that wide), plus the
                    // drift of the stand-in's monotonic clock from the host clock over the test
                    assertTrue(Math.abs(offsetNanos) <= Long.parseLong(m.group(4)) + 1_000_000L, r.out());
                }
                assertEquals(5, n, r.out());
                assertTrue(r.out().contains("summary: 5/5 answered"), r.out());
            }
            Run wrongGateway = probe("--broker", "tcp://127.0.0.1:" + port, "--gateway", "nobody", "--count", "1",
                    "--timeout-millis", "300");
            assertEquals(1, wrongGateway.code(), "no answer: exit 1: " + wrongGateway.out());
        } finally {
            service.stop();
            broker.stop();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void noBrokerOrBadUsageFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run none = probe("--broker", "tcp://127.0.0.1:" + port, "--timeout-millis", "300");
        assertEquals(1, none.code(), none.err());
        assertEquals(2, probe().code());
        assertEquals(2, probe("--broker", "http://x:1").code());
        assertEquals(2, probe("--broker", "tcp://x:1", "--count", "0").code());
        assertEquals(2, probe("--broker", "tcp://x:1", "--mqtt", "4").code());
    }
}
