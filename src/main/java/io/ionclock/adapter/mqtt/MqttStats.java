package io.ionclock.adapter.mqtt;

import io.ionclock.core.mqtt.RequestError;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/** The MQTT side's counters, read by the metrics binder. Thread-safe. */
public final class MqttStats {
    /** What was refused outside the time requests themselves; the lower-case name is the metric tag. */
    public enum Refusal {
        /** A publish to any topic but the time request topic. */
        PUBLISH_NOT_ALLOWED,
        /** A payload over payload-bytes-max, or a packet the decoder refused as too long. */
        PAYLOAD_TOO_LARGE,
        /** A CONNECT past clients-max. */
        CLIENTS_MAX,
        /** A CONNECT with a wrong or missing user name or password. */
        BAD_CREDENTIALS,
        /** A will on a topic a sensor may not publish to, or too large. */
        WILL_NOT_ALLOWED,
        /** A subscription past subscriptions-per-client-max. */
        SUBSCRIPTIONS_MAX,
        /** An invalid or shared topic filter. */
        SUBSCRIPTION_INVALID,
        /** A malformed packet or a protocol violation: the connection is closed. */
        PROTOCOL_ERROR,
        /** A client disconnected for sending requests far over its rate. */
        RATE_DISCONNECT
    }

    /** Why a message to a client was not sent. */
    public enum Drop {
        /** The client had inflight-per-client-max messages outstanding. */
        INFLIGHT_FULL,
        /** External mode: no broker connection at the time. */
        DISCONNECTED
    }

    private final LongAdder ticksPublished = new LongAdder();
    private final LongAdder ticksDropped = new LongAdder();
    private final LongAdder tickErrors = new LongAdder();
    private final LongAdder requestsServed = new LongAdder();
    private final LongAdder[] requestsRefused = adders(RequestError.values().length);
    private final LongAdder[] refusals = adders(Refusal.values().length);
    private final LongAdder[] drops = adders(Drop.values().length);
    private final LongAdder brokerConnects = new LongAdder();
    private volatile LongConsumer tickLatenessNanosSink = v -> { };
    private volatile LongConsumer tickFanoutNanosSink = v -> { };

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void tickPublished(long latenessNanos) {
        ticksPublished.increment();
        tickLatenessNanosSink.accept(latenessNanos);
    }

    /** One event loop has handed a tick to every subscriber it serves, this long after the tick thread passed it on. */
    public void tickFannedOut(long fanoutNanos) {
        tickFanoutNanosSink.accept(fanoutNanos);
    }

    public void tickFanoutSink(LongConsumer sink) {
        tickFanoutNanosSink = sink;
    }

    public void tickDropped() {
        ticksDropped.increment();
    }

    public void tickError() {
        tickErrors.increment();
    }

    public void requestServed() {
        requestsServed.increment();
    }

    public void requestRefused(RequestError e) {
        requestsRefused[e.ordinal()].increment();
    }

    public void refused(Refusal r) {
        refusals[r.ordinal()].increment();
    }

    public void dropped(Drop d) {
        drops[d.ordinal()].increment();
    }

    public void brokerConnected() {
        brokerConnects.increment();
    }

    public void tickLatenessSink(LongConsumer sink) {
        tickLatenessNanosSink = sink;
    }

    public long ticksPublished() {
        return ticksPublished.sum();
    }

    public long ticksDropped() {
        return ticksDropped.sum();
    }

    public long tickErrors() {
        return tickErrors.sum();
    }

    public long requestsServed() {
        return requestsServed.sum();
    }

    public long requestsRefused(RequestError e) {
        return requestsRefused[e.ordinal()].sum();
    }

    public long refusedCount(Refusal r) {
        return refusals[r.ordinal()].sum();
    }

    public long droppedCount(Drop d) {
        return drops[d.ordinal()].sum();
    }

    public long brokerConnects() {
        return brokerConnects.sum();
    }
}
