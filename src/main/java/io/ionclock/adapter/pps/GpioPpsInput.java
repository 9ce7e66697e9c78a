package io.ionclock.adapter.pps;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfig;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeEvent;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PPS fallback for boards without a {@code /dev/ppsN}: a GPIO line read through Pi4J (gpiod provider on
 * hardware), pull-down, debounce off. Each rising edge is timestamped with {@code System.nanoTime()} in the
 * listener, since Pi4J events carry no timestamp, and reported through the same {@link PpsSink} as the kernel
 * path with {@link #EDGE_ERROR_NANOS}. Sequence numbers are counted here, from 1.
 *
 * <p>Debounce must be off: Pi4J's gpiod input holds every event until its debounce window (10 ms by default)
 * has passed, which would shift every edge by that much.
 */
public final class GpioPpsInput implements AutoCloseable {

    /**
     * Timestamp error of a user-space GPIO edge: the kernel queues the event, Pi4J's monitor thread wakes from
     * poll(), reads it and dispatches to the listener. Tens of microseconds when idle, up to a millisecond
     * under load; 1 ms is the conservative bound. A garbage-collection pause or a starved CPU can exceed it:
     * use {@code /dev/ppsN} where accuracy matters.
     */
    public static final long EDGE_ERROR_NANOS = 1_000_000L;
    /** Pi4J provider for Linux GPIO character devices (libgpiod). */
    public static final String GPIOD_PROVIDER_ID = "gpiod-digital-input";
    /** Highest line offset accepted on a gpiochip. */
    public static final int GPIO_LINE_MAX = 1023;
    public static final int ERROR_TEXT_CHARS_MAX = 200;

    private final Context pi4j;
    private final String providerId;
    private final int gpioLine;
    private final PpsSink sink;
    private final DigitalStateChangeListener listener = this::onStateChange;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError = "";
    private DigitalInput input;
    private boolean closed;

    /** GPIO PPS on {@code gpioLine} of the gpiochip the Pi4J context is configured for, gpiod provider. */
    public GpioPpsInput(Context pi4j, int gpioLine, PpsSink sink) {
        this(pi4j, GPIOD_PROVIDER_ID, gpioLine, sink);
    }

    /**
     * @param pi4j       Pi4J context, owned by the caller
     * @param providerId Pi4J digital input provider id ({@link #GPIOD_PROVIDER_ID} on hardware)
     * @param gpioLine   line offset on the gpiochip (BCM number on a Raspberry Pi), 0..{@link #GPIO_LINE_MAX}
     * @param sink       receives rising edges on Pi4J's event thread
     */
    public GpioPpsInput(Context pi4j, String providerId, int gpioLine, PpsSink sink) {
        this.pi4j = Objects.requireNonNull(pi4j, "pi4j");
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.sink = Objects.requireNonNull(sink, "sink");
        if (gpioLine < 0 || gpioLine > GPIO_LINE_MAX) {
            throw new IllegalArgumentException("gpioLine out of [0, " + GPIO_LINE_MAX + "]: " + gpioLine);
        }
        this.gpioLine = gpioLine;
    }

    /**
     * Claims the line and starts listening.
     *
     * @throws IllegalStateException already started or closed
     * @throws com.pi4j.exception.Pi4JException the provider could not claim the line (busy, missing, no
     *                                          permission)
     */
    public synchronized void start() {
        if (input != null || closed) {
            throw new IllegalStateException("GpioPpsInput already started or closed");
        }
        DigitalInputConfig config = DigitalInput.newConfigBuilder(pi4j)
                .id("ionclock-pps-gpio-" + gpioLine)
                .name("ionclock PPS on GPIO " + gpioLine)
                .address(gpioLine)
                .pull(PullResistance.PULL_DOWN)
                .debounce(0L)
                .provider(providerId)
                .build();
        DigitalInput created = pi4j.create(config);
        created.addListener(listener);
        input = created;
    }

    /** Stops listening and releases the line. Idempotent; the Pi4J context stays open. */
    @Override
    public synchronized void close() {
        closed = true;
        DigitalInput current = input;
        input = null;
        if (current == null) {
            return;
        }
        current.removeListener(listener);
        try {
            pi4j.shutdown(current.id());
        } catch (RuntimeException e) {
            error("release GPIO " + gpioLine + ": " + e);
        }
    }

    /** Rising edges delivered (the last sequence number). */
    public long edges() {
        return sequence.get();
    }

    /** Sink exceptions and release failures. */
    public long errors() {
        return errors.get();
    }

    /** Text of the last error, empty if none. */
    public String lastError() {
        return lastError;
    }

    public int gpioLine() {
        return gpioLine;
    }

    /** The Pi4J input while started, else null. */
    synchronized DigitalInput input() {
        return input;
    }

    private void onStateChange(DigitalStateChangeEvent<?> event) {
        long edgeMonoNanos = System.nanoTime();
        if (event.state() != DigitalState.HIGH) {
            return;
        }
        long edgeSequence = sequence.incrementAndGet();
        try {
            sink.onEdge(edgeMonoNanos, edgeSequence, EDGE_ERROR_NANOS);
        } catch (RuntimeException e) {
            error("edge sink threw " + e);
        }
    }

    private void error(String text) {
        errors.incrementAndGet();
        lastError = text.length() <= ERROR_TEXT_CHARS_MAX ? text : text.substring(0, ERROR_TEXT_CHARS_MAX);
    }
}
