package io.ionclock.adapter.mqtt;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.mqtt.AsciiWriter;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.RequestError;
import io.ionclock.core.mqtt.TickBinary;
import io.ionclock.core.mqtt.TickSchedule;
import io.ionclock.core.mqtt.TimeJson;
import io.ionclock.core.mqtt.TimeRequest;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The time service over MQTT, whatever carries it (the embedded server or a site's broker): the tick
 * loop on the disciplined clock's second boundary, the retained status, and request handling. One
 * snapshot, taken at publish time, feeds the JSON tick, the binary tick and the status.
 */
public final class TimeService {
    private static final Logger LOG = Logger.getLogger(TimeService.class);
    /** Below this much time to the boundary the loop parks in short slices. */
    static final long FINE_WAIT_NANOS = 2_000_000L;
    /** The short slice. */
    static final long SLICE_NANOS = 100_000L;
    /** Below this much time to the boundary the loop spins. */
    static final long SPIN_NANOS = 150_000L;
    /** The longest single wait: the clock is re-read at least this often (it may have been stepped). */
    static final long WAIT_NANOS_MAX = 1_000_000_000L;
    /** How fast the disciplined clock may run against the local timebase while slewing (generous). */
    static final long RATE_ERROR_PPB_MAX = 2_000_000L;
    /** The retained status is refreshed at least this often (its bound grows while coasting). */
    static final long STATUS_REFRESH_NANOS = 10_000_000_000L;
    /** Initial size of a reply buffer. */
    static final int REPLY_BYTES_INITIAL = 256;
    /** Room {@link #complete} needs after a prepared reply (status, bound, t3). */
    static final int REPLY_END_BYTES_MAX = 96;

    /** The topics the appliance itself publishes. */
    public enum ApplianceTopic {
        STATUS,
        TICK,
        TICK_BINARY
    }

    /** Whatever carries the messages. Called from the tick thread; must be thread-safe and never block long. */
    public interface Transport {
        void publishAppliance(ApplianceTopic topic, byte[] payload, boolean retain);
    }

    /** One request's scratch space, reused by one thread (an event loop). */
    public static final class Exchange {
        public final ClockReading reading = new ClockReading();
        public final TimeRequest request = new TimeRequest();
        public final AsciiWriter out = new AsciiWriter(REPLY_BYTES_INITIAL);
        public long t2EpochNanos;
        public String replyTopic;
        public RequestError error;
    }

    private final MqttClock clock;
    private final GatewayTopics topics;
    private final MqttStats stats;
    private final ThreadLocal<Exchange> exchanges = ThreadLocal.withInitial(Exchange::new);
    private volatile ClockSnapshot latest;
    private volatile Transport transport;
    private volatile boolean running;
    private Thread loop;

    public TimeService(MqttClock clock, GatewayTopics topics, MqttStats stats) {
        this.clock = clock;
        this.topics = topics;
        this.stats = stats;
        this.latest = clock.snapshot();
    }

    public GatewayTopics topics() {
        return topics;
    }

    public MqttStats stats() {
        return stats;
    }

    public MqttClock clock() {
        return clock;
    }

    /** The snapshot of the last tick (source and leap for replies). */
    public ClockSnapshot latest() {
        return latest;
    }

    /** Starts the tick loop publishing through {@code transport}. */
    public synchronized void start(Transport t) {
        transport = t;
        running = true;
        loop = Thread.ofPlatform().daemon().name("ionclock-mqtt-tick").priority(Thread.MAX_PRIORITY).start(this::tickLoop);
    }

    public synchronized void stop() {
        running = false;
        if (loop != null) {
            LockSupport.unpark(loop);
            try {
                loop.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The retained status payload now. */
    public byte[] statusPayload() {
        AsciiWriter w = new AsciiWriter(REPLY_BYTES_INITIAL);
        TimeJson.status(w, topics.gatewayId, clock.snapshot());
        return w.toByteArray();
    }

    /** The will's and clean shutdown's payload. */
    public byte[] offlinePayload() {
        AsciiWriter w = new AsciiWriter(REPLY_BYTES_INITIAL);
        TimeJson.offline(w, topics.gatewayId);
        return w.toByteArray();
    }

    private void tickLoop() {
        ClockReading r = new ClockReading();
        AsciiWriter json = new AsciiWriter(REPLY_BYTES_INITIAL);
        long seq = 0;
        String lastStatus = null;
        String lastSource = null;
        long lastStatusMonoNanos = 0;
        while (running) {
            try {
                clock.read(r);
                long boundaryEpochNanos = TickSchedule.nextSecondEpochNanos(r.epochNanos);
                if (!waitFor(boundaryEpochNanos, r)) {
                    continue;
                }
                ClockSnapshot s = clock.snapshot();
                latest = s;
                Transport t = transport;
                seq++;
                json.reset();
                TimeJson.tick(json, seq, s);
                byte[] bin = new byte[TickBinary.SIZE_BYTES];
                TickBinary.write(bin, 0, seq, s);
                t.publishAppliance(ApplianceTopic.TICK, json.toByteArray(), false);
                t.publishAppliance(ApplianceTopic.TICK_BINARY, bin, false);
                stats.tickPublished(s.epochNanos() - boundaryEpochNanos);
                boolean changed = !s.status().name().equals(lastStatus) || !s.source().equals(lastSource);
                if (changed || s.monoNanos() - lastStatusMonoNanos >= STATUS_REFRESH_NANOS) {
                    lastStatus = s.status().name();
                    lastSource = s.source();
                    lastStatusMonoNanos = s.monoNanos();
                    json.reset();
                    TimeJson.status(json, topics.gatewayId, s);
                    t.publishAppliance(ApplianceTopic.STATUS, json.toByteArray(), true);
                }
            } catch (RuntimeException e) {
                // A bug, not input: count it, keep ticking.
                stats.tickError();
                LOG.errorf(e, "tick failed");
                LockSupport.parkNanos(SLICE_NANOS);
            }
        }
    }

    /** Waits until the disciplined clock reaches {@code boundaryEpochNanos}; false if stopped or to re-plan. */
    private boolean waitFor(long boundaryEpochNanos, ClockReading r) {
        while (running) {
            clock.read(r);
            long remainingNanos = boundaryEpochNanos - r.epochNanos;
            if (remainingNanos <= 0) {
                return true;
            }
            if (remainingNanos > TickSchedule.NANOS_PER_SECOND + WAIT_NANOS_MAX) {
                return false; // the clock went back (a step before the first synchronisation): plan again
            }
            if (remainingNanos > FINE_WAIT_NANOS) {
                long coarseNanos = Math.min(remainingNanos - FINE_WAIT_NANOS, WAIT_NANOS_MAX);
                LockSupport.parkNanos(TickSchedule.waitMonoNanos(coarseNanos, RATE_ERROR_PPB_MAX));
            } else if (remainingNanos > SPIN_NANOS) {
                LockSupport.parkNanos(Math.min(SLICE_NANOS, remainingNanos - SPIN_NANOS));
            } else {
                Thread.onSpinWait();
            }
        }
        return false;
    }

    /** The calling thread's exchange, with t2 taken now: call this first thing when a request arrives. */
    public Exchange receive() {
        Exchange x = exchanges.get();
        clock.read(x.reading);
        x.t2EpochNanos = x.reading.epochNanos;
        return x;
    }

    /**
     * Parses a request and writes its reply (all but the transmit part) or its error reply into
     * {@code x.out}. Returns false when there is nowhere (allowed) to send anything; counted either way.
     *
     * @param responseTopic the MQTT 5 Response Topic, or null (then the request's replyTo is used)
     */
    public boolean prepare(Exchange x, byte[] payload, int length, String responseTopic) {
        x.out.reset();
        x.error = x.request.parse(payload, 0, length);
        x.replyTopic = responseTopic != null ? responseTopic : x.request.replyTo;
        if (x.replyTopic == null) {
            stats.requestRefused(x.error != null ? x.error : RequestError.NO_REPLY_TOPIC);
            return false;
        }
        if (!topics.isAllowedReplyTopic(x.replyTopic)) {
            stats.requestRefused(RequestError.REPLY_TOPIC_NOT_ALLOWED);
            return false;
        }
        if (x.error != null) {
            stats.requestRefused(x.error);
            TimeJson.error(x.out, x.error, x.request.idJson);
            return true;
        }
        ClockSnapshot s = latest;
        TimeJson.replyStart(x.out, x.request.t1Nanos, x.t2EpochNanos, x.request.idJson, s.source(), s.leap().name());
        stats.requestServed();
        return true;
    }

    /**
     * Completes a prepared reply (not an error) with t3, read now on the calling thread: call it right
     * before handing the bytes to the socket, once per destination.
     */
    public void complete(AsciiWriter out) {
        ClockReading r = exchanges.get().reading;
        clock.read(r);
        TimeJson.replyEnd(out, r.status, r.boundNanos, r.epochNanos);
    }
}
