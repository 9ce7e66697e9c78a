package io.ionclock.core;

/**
 * The body of a node's discipline loop, the same in the appliance ({@code ClockService}, one thread) and in the fleet
 * simulator (every node): each sample from any of the node's sources goes through the fault-tolerant
 * {@link SourceSelector}, and only the selected source's samples feed the {@link DisciplinedClock}. It also keeps the
 * rule that tells a Clocklink master whether it is on its own reference (it votes with its own clock and may lead only
 * then): the selection uses the source marked as the node's own reference.
 *
 * <p>Time is passed in. Single writer: {@link #offer} and {@link #refresh} from one thread; the selector's view and
 * the clock's reads from any.
 */
public final class DisciplineLoop {
    private final DisciplinedClock clock;
    private final SourceSelector selector;
    private int ownReference = -1;
    private long lastOffsetNanos;

    public DisciplineLoop(DisciplinedClock clock) {
        this.clock = clock;
        this.selector = new SourceSelector(clock);
    }

    /** Adds a source before any sample ({@link SourceSelector#add}); returns its index. */
    public int addSource(String name, int rank) {
        return selector.add(name, rank);
    }

    /** Adds the node's own reference (GNSS, sim): a master is "on its own reference" while the selection uses it. */
    public int addOwnReference(String name, int rank) {
        if (ownReference >= 0) {
            throw new IllegalStateException("one own reference per node");
        }
        ownReference = selector.add(name, rank);
        return ownReference;
    }

    /**
     * One sample from source {@code index}, taken at or before {@code nowMonoNanos}: the selection runs, and the
     * sample feeds the discipline when its source is the one selected.
     *
     * @return the discipline's verdict, or null when the selection did not apply the sample
     */
    public DisciplinedClock.Verdict offer(int index, Sample sample, long nowMonoNanos) {
        if (!selector.offer(index, sample, nowMonoNanos)) {
            return null;
        }
        lastOffsetNanos = clock.offsetNanos(sample);
        return clock.onSample(sample, nowMonoNanos);
    }

    /** Runs the selection again without a sample (a source goes quiet and becomes unreachable). */
    public void refresh(long nowMonoNanos) {
        selector.refresh(nowMonoNanos);
    }

    /** Whether the selection uses the node's own reference now. */
    public boolean onOwnReference() {
        return ownReference >= 0 && selector.selected() == ownReference;
    }

    /** {@code local - reference} of the last applied sample, against the clock just before it was applied. */
    public long lastOffsetNanos() {
        return lastOffsetNanos;
    }

    public DisciplinedClock clock() {
        return clock;
    }

    public SourceSelector selector() {
        return selector;
    }
}
