package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Load generator for a running appliance's MQTT side (a separate process, so client and server each have
 * their own open-files limit). Run: {@code ./ionclock bench-mqtt MODE ...} against {@code ./ionclock run}.
 * <ul>
 *   <li>{@code ticks HOST:PORT GATEWAY CLIENTS SECONDS}: CLIENTS subscribers; each tick's lateness is its
 *       arrival on this host's clock minus the second boundary it stands for, measured by the clients;</li>
 *   <li>{@code requests HOST:PORT GATEWAY CLIENTS SECONDS [OUTSTANDING]}: CLIENTS sensors each keeping
 *       OUTSTANDING (default 4) 3.1.1 requests in flight; exchanges a second;</li>
 *   <li>{@code idle HOST:PORT CLIENTS SECONDS [SERVER_PID]}: CLIENTS idle connections held; with the
 *       server's pid, its resident memory before and after, per connection.</li>
 * </ul>
 */
public final class MqttLoad {
    /** Connections opened at once while ramping up. */
    static final int CONNECT_BATCH = 200;
    /** Measurements start after this long (JIT warm-up of client and server, subscriptions settling). */
    static final long WARMUP_NANOS = 15_000_000_000L;
    static final byte[] EPOCH_KEY = "\"epochNanos\":".getBytes(StandardCharsets.US_ASCII);

    /** The tick's epochNanos, or Long.MIN_VALUE. */
    static long epochNanosOf(Buffer payload) {
        byte[] b = payload.getBytes();
        outer:
        for (int i = 0; i + EPOCH_KEY.length < b.length; i++) {
            for (int k = 0; k < EPOCH_KEY.length; k++) {
                if (b[i + k] != EPOCH_KEY[k]) {
                    continue outer;
                }
            }
            long v = 0;
            int j = i + EPOCH_KEY.length;
            while (j < b.length && b[j] >= '0' && b[j] <= '9') {
                v = v * 10 + (b[j++] - '0');
            }
            return v;
        }
        return Long.MIN_VALUE;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ticks HOST:PORT GATEWAY CLIENTS SECONDS | requests HOST:PORT GATEWAY CLIENTS SECONDS"
                    + " [OUTSTANDING] | idle HOST:PORT CLIENTS SECONDS [SERVER_PID]");
            System.exit(2);
        }
        String[] hp = args[1].split(":");
        String host = hp[0];
        int port = Integer.parseInt(hp[1]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            switch (args[0]) {
                case "ticks" -> ticks(vertx, host, port, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "requests" -> requests(vertx, host, port, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                        args.length > 5 ? Integer.parseInt(args[5]) : 4);
                case "idle" -> idle(vertx, host, port, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        args.length > 4 ? Long.parseLong(args[4]) : -1);
                default -> throw new IllegalArgumentException(args[0]);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    static List<MqttClient> connect(Vertx vertx, String host, int port, int n, int keepAliveSeconds) throws Exception {
        List<MqttClient> clients = new ArrayList<>();
        for (int start = 0; start < n; start += CONNECT_BATCH) {
            List<CompletableFuture<?>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + CONNECT_BATCH); i++) {
                MqttClient c = MqttClient.create(vertx, new MqttClientOptions().setClientId("load-" + i)
                        .setKeepAliveInterval(keepAliveSeconds).setMaxInflightQueue(1_000));
                clients.add(c);
                batch.add(c.connect(port, host).toCompletionStage().toCompletableFuture());
            }
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        return clients;
    }

    static void ticks(Vertx vertx, String host, int port, String gateway, int n, int seconds) throws Exception {
        Histogram latenessNanos = new Histogram(10_000_000_000L, 3);
        LongAdder received = new LongAdder();
        LongAdder early = new LongAdder();
        List<MqttClient> clients = connect(vertx, host, port, n, 60);
        String topic = "ionclock/" + gateway + "/time/tick";
        List<CompletableFuture<?>> subs = new ArrayList<>();
        for (MqttClient c : clients) {
            c.publishHandler(m -> {
                long arrivalNanos = SystemMonoClock.HOST_EPOCH.epochNanos();
                long epochNanos = epochNanosOf(m.payload());
                if (epochNanos == Long.MIN_VALUE) {
                    return;
                }
                long boundary = Math.floorDiv(epochNanos, 1_000_000_000L) * 1_000_000_000L;
                long late = arrivalNanos - boundary;
                if (late < 0) {
                    early.increment();
                    late = 0;
                }
                synchronized (latenessNanos) {
                    latenessNanos.recordValue(Math.min(late, latenessNanos.getHighestTrackableValue()));
                }
                received.increment();
            });
            subs.add(c.subscribe(topic, 0).toCompletionStage().toCompletableFuture());
        }
        CompletableFuture.allOf(subs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        // discard the warm-up (subscriptions settling, both JVMs compiling the path), then measure
        waitNanos(WARMUP_NANOS);
        synchronized (latenessNanos) {
            latenessNanos.reset();
        }
        received.reset();
        waitNanos(seconds * 1_000_000_000L);
        long got = received.sum();
        synchronized (latenessNanos) {
            System.out.printf("ticks: %d clients, %d s: %d deliveries (%d expected), arrivals before the boundary %d%n"
                            + "lateness after the second boundary, measured by the clients: p50 %.3f ms, p99 %.3f ms,"
                            + " p99.9 %.3f ms, max %.3f ms%n",
                    n, seconds, got, (long) n * seconds, early.sum(), latenessNanos.getValueAtPercentile(50) / 1e6,
                    latenessNanos.getValueAtPercentile(99) / 1e6, latenessNanos.getValueAtPercentile(99.9) / 1e6,
                    latenessNanos.getMaxValue() / 1e6);
        }
        disconnect(clients);
    }

    static void requests(Vertx vertx, String host, int port, String gateway, int n, int seconds, int outstanding)
            throws Exception {
        List<MqttClient> clients = connect(vertx, host, port, n, 60);
        String request = "ionclock/" + gateway + "/time/request";
        LongAdder replies = new LongAdder();
        LongAdder errors = new LongAdder();
        Histogram rttNanos = new Histogram(10_000_000_000L, 3);
        AtomicLong running = new AtomicLong(1);
        List<CompletableFuture<?>> subs = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            MqttClient c = clients.get(i);
            String replyTo = "sensors/load-" + i + "/time";
            String prefix = "{\"replyTo\":\"" + replyTo + "\",\"t1Nanos\":";
            c.publishHandler(m -> {
                String body = m.payload().toString(StandardCharsets.US_ASCII);
                if (body.contains("\"error\"")) {
                    errors.increment();
                } else {
                    replies.increment();
                    int at = body.indexOf("\"t1Nanos\":") + 10;
                    long t1 = Long.parseLong(body.substring(at, body.indexOf(',', at)));
                    synchronized (rttNanos) {
                        rttNanos.recordValue(Math.min(Math.max(0, System.nanoTime() - t1), rttNanos.getHighestTrackableValue()));
                    }
                }
                if (running.get() == 1) {
                    send(c, request, prefix); // closed loop: one answered, one more sent
                }
            });
            subs.add(c.subscribe(replyTo, 0).toCompletionStage().toCompletableFuture().thenAccept(x -> {
                for (int k = 0; k < outstanding; k++) {
                    send(c, request, prefix);
                }
            }));
        }
        CompletableFuture.allOf(subs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        waitNanos(WARMUP_NANOS);
        replies.reset();
        errors.reset();
        synchronized (rttNanos) {
            rttNanos.reset();
        }
        long start = System.nanoTime();
        waitNanos(seconds * 1_000_000_000L);
        long got = replies.sum();
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        running.set(0);
        synchronized (rttNanos) {
            System.out.printf("requests: %d clients x %d outstanding, %.1f s: %d replies, %.0f exchanges/s, %d error replies;"
                            + " round trip p50 %.3f ms, p99 %.3f ms%n", n, outstanding, elapsedSeconds, got,
                    got / elapsedSeconds, errors.sum(), rttNanos.getValueAtPercentile(50) / 1e6,
                    rttNanos.getValueAtPercentile(99) / 1e6);
        }
        disconnect(clients);
    }

    /** t1 here is this process's monotonic clock, only for the round trip; the gateway echoes it. */
    static void send(MqttClient c, String topic, String prefix) {
        c.publish(topic, Buffer.buffer(prefix + System.nanoTime() + "}"), MqttQoS.AT_MOST_ONCE, false, false);
    }

    static void idle(Vertx vertx, String host, int port, int n, int seconds, long serverPid) throws Exception {
        long rssBeforeKib = serverPid > 0 ? rssKib(serverPid) : -1;
        List<MqttClient> clients = connect(vertx, host, port, n, Math.max(60, seconds));
        waitNanos(seconds * 1_000_000_000L);
        long connected = clients.stream().filter(MqttClient::isConnected).count();
        long rssAfterKib = serverPid > 0 ? rssKib(serverPid) : -1;
        System.out.printf("idle: %d connections opened, %d still connected after %d s%n", n, connected, seconds);
        if (serverPid > 0) {
            System.out.printf("server resident memory: %d MiB before, %d MiB with them: %.1f KiB per connection%n",
                    rssBeforeKib / 1024, rssAfterKib / 1024, (rssAfterKib - rssBeforeKib) / (double) n);
        }
        disconnect(clients);
    }

    static long rssKib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static void disconnect(List<MqttClient> clients) throws Exception {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                Future<Void> f = c.disconnect();
                all.add(f.toCompletionStage().toCompletableFuture());
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).completeOnTimeout(null, 30, TimeUnit.SECONDS).get();
    }

    /** The benchmark's own pacing (not a test): wait out the measurement window. */
    static void waitNanos(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
        }
    }
}
