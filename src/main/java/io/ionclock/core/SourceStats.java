package io.ionclock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-source sample statistics for status and metrics. Written by the discipline loop (and by
 * submitters for queue drops), read by any thread. At most {@link #SOURCES_MAX} names; samples from
 * further names are counted under {@link #OVERFLOW_SOURCE}.
 */
public final class SourceStats {
    public static final int SOURCES_MAX = 64;
    public static final String OVERFLOW_SOURCE = "OTHER";

    /** One source's counters and its last accepted sample. */
    public static final class Source {
        public final String name;
        public final AtomicLong accepted = new AtomicLong();
        public final AtomicLong rejectedSuspect = new AtomicLong();
        public final AtomicLong rejectedStale = new AtomicLong();
        public final AtomicLong droppedQueueFull = new AtomicLong();
        /** Samples the source selection did not apply (another source was selected, or this one was a falseticker). */
        public final AtomicLong notSelected = new AtomicLong();
        private volatile Sample lastSample;
        private volatile long lastOffsetNanos;

        Source(String name) {
            this.name = name;
        }

        public Sample lastSample() {
            return lastSample;
        }

        /** {@code local - reference} of the last accepted sample, against the clock before it was applied. */
        public long lastOffsetNanos() {
            return lastOffsetNanos;
        }

        public long rejected() {
            return rejectedSuspect.get() + rejectedStale.get() + droppedQueueFull.get();
        }
    }

    private final ConcurrentHashMap<String, Source> sources = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<Source> onNewSource = s -> { };
    private volatile java.util.function.BiConsumer<Source, Sample> onAccepted = (s, sample) -> { };

    /** Called once for every source as it first appears (metrics register its counters here). */
    public void onNewSource(java.util.function.Consumer<Source> listener) {
        this.onNewSource = listener;
        sources.values().forEach(listener);
    }

    /** Called on the discipline loop for every accepted sample, after its counters (the SLI metrics time it here). */
    public void onAccepted(java.util.function.BiConsumer<Source, Sample> listener) {
        this.onAccepted = listener;
    }

    public Source source(String name) {
        Source s = sources.get(name);
        if (s != null) {
            return s;
        }
        String key = sources.size() < SOURCES_MAX ? name : OVERFLOW_SOURCE;
        boolean[] created = new boolean[1];
        Source source = sources.computeIfAbsent(key, k -> {
            created[0] = true;
            return new Source(k);
        });
        if (created[0]) {
            onNewSource.accept(source);
        }
        return source;
    }

    public void record(Sample sample, DisciplinedClock.Verdict verdict, long offsetNanos) {
        Source s = source(sample.sourceName());
        switch (verdict) {
            case ACCEPTED -> {
                s.accepted.incrementAndGet();
                s.lastSample = sample;
                s.lastOffsetNanos = offsetNanos;
                onAccepted.accept(s, sample);
            }
            case REJECTED_SUSPECT -> s.rejectedSuspect.incrementAndGet();
            case REJECTED_STALE -> s.rejectedStale.incrementAndGet();
        }
    }

    /** A sample the selection did not hand to the discipline. */
    public void recordNotSelected(Sample sample) {
        source(sample.sourceName()).notSelected.incrementAndGet();
    }

    public void recordDropped(String sourceName) {
        source(sourceName).droppedQueueFull.incrementAndGet();
    }

    public List<Source> all() {
        List<Source> list = new ArrayList<>(sources.values());
        list.sort((a, b) -> a.name.compareTo(b.name));
        return list;
    }
}
