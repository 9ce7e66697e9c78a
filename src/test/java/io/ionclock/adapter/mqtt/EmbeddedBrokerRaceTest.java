package io.ionclock.adapter.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replies are routed on the requester's event loop while other sessions, on other event loops, change their
 * subscriptions: every reply must still reach every stable subscription, exactly once, and nothing may throw.
 * Loopback only, bounded in count and time; it waits on conditions with deadlines, never for time to pass.
 */
class EmbeddedBrokerRaceTest {
    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final GatewayTopics TOPICS = new GatewayTopics("gw-race");
    /** Room for the load: many filters per client, no rate limit or in-flight limit in the way. */
    static final MqttLimits LIMITS = new MqttLimits(64, MqttLimits.SUBSCRIPTIONS_PER_CLIENT_MAX_LIMIT,
            MqttLimits.INFLIGHT_PER_CLIENT_MAX_LIMIT, 512, MqttLimits.REQUESTS_PER_SECOND_MAX_LIMIT,
            MqttLimits.REQUESTS_PER_SECOND_MAX_LIMIT, MqttLimits.REQUESTS_PER_SECOND_TOTAL_MAX_LIMIT, 0);
    static final int PUBLISHERS = 4;
    static final int REQUESTS_PER_PUBLISHER = 2_000;
    /** QoS 1 requests a publisher keeps unacknowledged. */
    static final int REQUEST_WINDOW = 8;
    static final int CHURNERS = 4;
    /** Wildcard filters each churner holds throughout: they make every look at its subscriptions long. */
    static final int CHURN_BASE_FILTERS = 900;
    /** Filters per SUBSCRIBE, and per UNSUBSCRIBE, while churning. */
    static final int CHURN_BATCH_FILTERS = 20;
    /** Subscribe-then-unsubscribe rounds per churner. */
    static final int CHURN_ROUNDS = 150;
    /** Filters per SUBSCRIBE when setting up the base filters. */
    static final int SETUP_BATCH_FILTERS = 100;
    static final String REPLY_TOPIC = "race/reply/r";
    /** The stable subscriber's filter. */
    static final String STABLE_FILTER = "race/reply/+";
    /** A filter churner 0 holds throughout, while it changes its other ones. */
    static final String CHURNER_STABLE_FILTER = "race/+/r";

    Vertx brokerVertx;
    Vertx clientVertx;
    MqttStats stats;
    TimeService service;
    EmbeddedBroker broker;
    int port;
    final Queue<Throwable> unhandled = new ConcurrentLinkedQueue<>();
    final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        brokerVertx = Vertx.vertx();
        brokerVertx.exceptionHandler(unhandled::add);
        clientVertx = Vertx.vertx();
        stats = new MqttStats();
        service = new TimeService(new HostMqttClock(), TOPICS, stats);
        broker = new EmbeddedBroker(brokerVertx, service, new EmbeddedBrokerOptions("127.0.0.1", 0, LIMITS,
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty()));
        port = broker.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
        }
        broker.stop();
        clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        brokerVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Counts the replies one subscription gets, by request id. */
    static final class Received {
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final AtomicInteger messages = new AtomicInteger();

        void on(MqttPublishMessage m) {
            if (!m.topicName().equals(REPLY_TOPIC)) {
                return;
            }
            messages.incrementAndGet();
            String body = m.payload().toString(StandardCharsets.US_ASCII);
            int at = body.indexOf("\"id\":\"") + 6;
            ids.add(body.substring(at, body.indexOf('"', at)));
        }
    }

    /** One client doing one subscribe or unsubscribe at a time, each completed by its acknowledgement. */
    static final class Sequential {
        final MqttClient client;
        final AtomicReference<CompletableFuture<Void>> pending = new AtomicReference<>();

        Sequential(MqttClient client) {
            this.client = client;
            client.subscribeCompletionHandler(ack -> pending.getAndSet(null).complete(null));
            client.unsubscribeCompletionHandler(id -> pending.getAndSet(null).complete(null));
        }

        CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.set(f);
            client.subscribe(filters).onFailure(f::completeExceptionally);
            return f;
        }

        CompletableFuture<Void> unsubscribe(List<String> filters) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.set(f);
            client.unsubscribe(filters).onFailure(f::completeExceptionally);
            return f;
        }
    }

    MqttClient connect(String clientId, int inflightMax) throws Exception {
        MqttClient c = MqttClient.create(clientVertx, new MqttClientOptions().setClientId(clientId)
                .setKeepAliveInterval(60).setMaxInflightQueue(inflightMax));
        clients.add(c);
        c.connect(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return c;
    }

    /** Subscribes and unsubscribes batches of wildcard filters, round after round; completes when done. */
    static CompletableFuture<Void> churn(Sequential s, int churner, int round, CompletableFuture<Void> done) {
        if (round == CHURN_ROUNDS) {
            done.complete(null);
            return done;
        }
        Map<String, Integer> batch = new LinkedHashMap<>();
        for (int i = 0; i < CHURN_BATCH_FILTERS; i++) {
            batch.put("churn/" + churner + "/r" + round + "/" + i + "/+", 1);
        }
        s.subscribe(batch).thenCompose(v -> s.unsubscribe(new ArrayList<>(batch.keySet())))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        churn(s, churner, round + 1, done);
                    }
                });
        return done;
    }

    /** Sends QoS 1 requests keeping {@link #REQUEST_WINDOW} unacknowledged, until all are sent. */
    static void publish(MqttClient c, int publisher, AtomicInteger sent, AtomicInteger acked) {
        c.publishCompletionHandler(id -> {
            acked.incrementAndGet();
            sendNext(c, publisher, sent);
        });
        for (int i = 0; i < REQUEST_WINDOW; i++) {
            sendNext(c, publisher, sent);
        }
    }

    static void sendNext(MqttClient c, int publisher, AtomicInteger sent) {
        int n = sent.getAndIncrement();
        if (n >= REQUESTS_PER_PUBLISHER) {
            sent.decrementAndGet();
            return;
        }
        String request = "{\"t1Nanos\":1,\"replyTo\":\"" + REPLY_TOPIC + "\",\"id\":\"" + publisher + "-" + n + "\"}";
        c.publish(TOPICS.request, Buffer.buffer(request), MqttQoS.AT_LEAST_ONCE, false, false);
    }

    /** Waits for {@code done}, or for anything to go wrong in the broker; false at the deadline. */
    boolean awaitOrFailure(BooleanSupplier done) {
        try {
            await().atMost(DEADLINE).until(() -> done.getAsBoolean() || !unhandled.isEmpty()
                    || stats.refusedCount(Refusal.PROTOCOL_ERROR) > 0);
            return done.getAsBoolean();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    /** The exception and where in the broker it was thrown. */
    static String where(Throwable e) {
        StringBuilder b = new StringBuilder(e.toString());
        java.util.Arrays.stream(e.getStackTrace()).filter(f -> f.getClassName().startsWith("io.ionclock")).limit(3)
                .forEach(f -> b.append(" at ").append(f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1))
                        .append('.').append(f.getMethodName()).append(':').append(f.getLineNumber()));
        return b.toString();
    }

    @Test
    void repliesReachStableSubscriptionsWhileOthersChangeTheirs() throws Exception {
        MqttClient stable = connect("race-stable", REQUEST_WINDOW);
        Received stableGot = new Received();
        stable.publishHandler(stableGot::on);
        Sequential stableOps = new Sequential(stable);
        stableOps.subscribe(Map.of(STABLE_FILTER, 1)).get(10, TimeUnit.SECONDS);

        List<Sequential> churners = new ArrayList<>();
        Received churnerGot = new Received();
        for (int k = 0; k < CHURNERS; k++) {
            Sequential s = new Sequential(connect("race-churn-" + k, REQUEST_WINDOW));
            churners.add(s);
            for (int start = 0; start < CHURN_BASE_FILTERS; start += SETUP_BATCH_FILTERS) {
                Map<String, Integer> batch = new LinkedHashMap<>();
                for (int i = start; i < Math.min(CHURN_BASE_FILTERS, start + SETUP_BATCH_FILTERS); i++) {
                    batch.put("churn/" + k + "/base/" + i + "/+", 1);
                }
                s.subscribe(batch).get(10, TimeUnit.SECONDS);
            }
        }
        churners.get(0).client.publishHandler(churnerGot::on);
        churners.get(0).subscribe(Map.of(CHURNER_STABLE_FILTER, 1)).get(10, TimeUnit.SECONDS);

        List<MqttClient> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            publishers.add(connect("race-pub-" + p, REQUEST_WINDOW));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.min(2, cores), Math.min(2, broker.eventLoopsInUse()),
                "the clients are spread over the broker's event loops (" + cores + " cores)");

        List<CompletableFuture<Void>> churned = new ArrayList<>();
        for (int k = 0; k < CHURNERS; k++) {
            int churner = k;
            Sequential s = churners.get(k);
            churned.add(churn(s, churner, 0, new CompletableFuture<>()));
        }
        AtomicInteger[] sent = new AtomicInteger[PUBLISHERS];
        AtomicInteger[] acked = new AtomicInteger[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++) {
            sent[p] = new AtomicInteger();
            acked[p] = new AtomicInteger();
            publish(publishers.get(p), p, sent[p], acked[p]);
        }
        int expected = PUBLISHERS * REQUESTS_PER_PUBLISHER;
        boolean allAcked = awaitOrFailure(() -> {
            int sum = 0;
            for (AtomicInteger a : acked) {
                sum += a.get();
            }
            return sum == expected;
        });
        boolean allChurned = awaitOrFailure(() -> churned.stream().allMatch(CompletableFuture::isDone));
        boolean allDelivered = awaitOrFailure(() -> stableGot.ids.size() == expected && churnerGot.ids.size() == expected);

        String report = String.format("acked %s, churned %s; stable subscriber got %d messages, %d distinct of %d;"
                        + " churning subscriber got %d, %d distinct; broker protocol errors %d; unhandled %s",
                allAcked, allChurned, stableGot.messages.get(), stableGot.ids.size(), expected,
                churnerGot.messages.get(), churnerGot.ids.size(), stats.refusedCount(Refusal.PROTOCOL_ERROR),
                unhandled.stream().limit(3).map(EmbeddedBrokerRaceTest::where).toList());
        assertTrue(unhandled.isEmpty(), report);
        assertEquals(0, stats.refusedCount(Refusal.PROTOCOL_ERROR), report);
        assertTrue(allAcked && allChurned && allDelivered, report);
        assertEquals(expected, stableGot.messages.get(), report);
        assertEquals(expected, churnerGot.messages.get(), report);
        for (MqttClient c : clients) {
            assertTrue(c.isConnected(), c.clientId() + " still connected: " + report);
        }
    }
}
