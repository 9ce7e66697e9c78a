package io.ionclock.core;

/**
 * The body of a node's discipline loop, the same in the appliance ({@code ClockService}, one thread) and in the fleet
 * simulator (every node): each sample from any of the node's sources goes through the fault-tolerant
 * {@link SourceSelector}, and only the selected source's samples feed the {@link DisciplinedClock}; a fallback (a
 * source ranked below the node's best-ranked one, selected because that one is unreachable or voted out) feeds it only
 * with samples tighter than the bound the clock already has, so a node that loses its GNSS coasts on what it learned
 * until its network source is the better of the two. It also keeps the rule that tells a Clocklink master whether it
 * is on its own reference (it votes with its own clock and may lead only then): the selection uses the source marked
 * as the node's own reference.
 *
 * <p>Time is passed in. Single writer: {@link #offer} and {@link #refresh} from one thread; the selector's view and
 * the clock's reads from any.
 */
public final class DisciplineLoop {
    private final DisciplinedClock clock;
    private final SourceSelector selector;
    private final int[] ranks = new int[SourceSelector.SOURCES_MAX];
    private int bestRank = Integer.MAX_VALUE;
    private int ownReference = -1;
    private long lastOffsetNanos;

    public DisciplineLoop(DisciplinedClock clock) {
        this.clock = clock;
        this.selector = new SourceSelector(clock);
    }

    /** Adds a source before any sample ({@link SourceSelector#add}); returns its index. */
    public int addSource(String name, int rank) {
        int index = selector.add(name, rank);
        ranks[index] = rank;
        bestRank = Math.min(bestRank, rank);
        return index;
    }

    /** Adds the node's own reference (GNSS, sim): a master is "on its own reference" while the selection uses it. */
    public int addOwnReference(String name, int rank) {
        if (ownReference >= 0) {
            throw new IllegalStateException("one own reference per node");
        }
        ownReference = addSource(name, rank);
        return ownReference;
    }

    /**
     * One sample from source {@code index}, taken at or before {@code nowMonoNanos}: the selection runs, and the
     * sample feeds the discipline when its source is the one selected and, for a fallback, when its error is under
     * the clock's bound now.
     *
     * @return the discipline's verdict, or null when the sample was not applied
     */
    public DisciplinedClock.Verdict offer(int index, Sample sample, long nowMonoNanos) {
        if (!selector.offer(index, sample, nowMonoNanos)) {
            return null;
        }
        if (ranks[index] > bestRank && sample.errorNanos() >= clock.boundNanosAt(nowMonoNanos)) {
            return null; // a fallback that would not narrow what the clock knows: keep coasting
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
