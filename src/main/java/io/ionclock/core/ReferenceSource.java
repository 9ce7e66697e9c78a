package io.ionclock.core;

import java.util.Map;
import java.util.function.Consumer;

/** A reference that produces {@link Sample}s: the sim receiver, a GNSS receiver, Clocklink. */
public interface ReferenceSource extends AutoCloseable {
    /** A short name for status ("sim", "gnss"). */
    String kind();

    /** Starts producing samples into {@code sink} (from the source's own thread). */
    void start(Consumer<Sample> sink);

    /** Whether the source's loop has run recently. */
    boolean alive(long nowMonoNanos);

    /** Counters and state for the status API. */
    Map<String, Object> details();

    @Override
    void close();
}
