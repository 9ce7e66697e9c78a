package io.ionclock.core;

import io.ionclock.core.leap.LeapSchedule;
import io.ionclock.core.leap.LeapSecondsList;
import java.time.LocalDate;

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
 * <p>Leap seconds: it decides the leap at the end of the current UTC day and sets the clock's {@link LeapSchedule}:
 * from the leap-seconds list while the list is valid and unexpired (it is authoritative), otherwise from the sources
 * that count in the selection when more than half of them announce the same leap for the end of a month (an expired
 * or missing list never invents one). A decided leap is withdrawn only before its window begins. Every sample is
 * carried into the clock's continuous timescale first; samples within the leap's guard are dropped and counted.
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
    private LeapSecondsList leapList;
    private LeapSchedule.Policy leapPolicy = LeapSchedule.Policy.STEP;
    private volatile String leapDecidedBy = LEAP_BY_NONE;
    private volatile long leapGuardDrops;
    private final int[] votes = new int[3];

    /** Who decided the pending leap (or its absence): the list, the sources' majority, or nothing to go on. */
    public static final String LEAP_BY_LIST = "list";
    public static final String LEAP_BY_SOURCES = "sources";
    public static final String LEAP_BY_NONE = "none";

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
        updateLeap(nowMonoNanos);
        LeapSchedule leap = clock.leapSchedule();
        if (leap != LeapSchedule.NONE) {
            long c = leap.toContinuous(sample.refEpochNanos(), clock.continuousNanosAt(sample.monoNanos()));
            if (c == Long.MIN_VALUE) {
                leapGuardDrops++;
                return null; // within the leap's guard: where the source's own leap handling is, nobody knows
            }
            if (c != sample.refEpochNanos()) {
                sample = new Sample(sample.sourceName(), sample.monoNanos(), c, sample.refBoundNanos(),
                        sample.measurementErrorNanos(), sample.leap());
            }
        }
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
        updateLeap(nowMonoNanos);
    }

    /** The leap-seconds list (null: none or unusable) and the policy for what is handed out. Before any sample. */
    public void configureLeap(LeapSecondsList list, LeapSchedule.Policy policy) {
        this.leapList = list;
        this.leapPolicy = policy;
        clock.setLeapSchedule(clock.leapSchedule().withPolicy(policy));
    }

    /** Decides the leap at the end of the current UTC day and moves the clock's schedule on (see the class comment). */
    private void updateLeap(long nowMonoNanos) {
        LeapSchedule s = clock.leapSchedule();
        long c = clock.continuousNanosAt(nowMonoNanos);
        LeapSchedule next = s.settledAt(c);
        if (next.pending() && next.begunAt(c)) {
            publishLeap(s, next);
            return; // begun: it is carried through, whatever is said now
        }
        long utcNanos = c - next.offsetNanos();
        long midnightSeconds = Math.floorDiv(utcNanos, 1_000_000_000L) / 86_400L * 86_400L + 86_400L;
        LeapIndicator decided = LeapIndicator.NONE;
        String by = LEAP_BY_NONE;
        if (leapList != null && !leapList.expired(utcNanos)) {
            decided = leapList.leapAtEndOfDay(utcNanos);
            by = LEAP_BY_LIST;
        } else {
            selector.leapVotes(votes);
            boolean monthEnd = (votes[1] > 0 || votes[2] > 0)
                    && LocalDate.ofEpochDay(midnightSeconds / 86_400L).getDayOfMonth() == 1;
            if (monthEnd && 2 * votes[1] > votes[0]) {
                decided = LeapIndicator.INSERT;
                by = LEAP_BY_SOURCES;
            } else if (monthEnd && 2 * votes[2] > votes[0]) {
                decided = LeapIndicator.DELETE;
                by = LEAP_BY_SOURCES;
            }
        }
        leapDecidedBy = by;
        if (decided != next.leap() || (decided != LeapIndicator.NONE && next.leapEpochSeconds() != midnightSeconds)) {
            next = next.withLeap(midnightSeconds, decided);
        }
        publishLeap(s, next);
    }

    private void publishLeap(LeapSchedule old, LeapSchedule next) {
        if (next != old) {
            clock.setLeapSchedule(next);
        }
    }

    /** Who decided the leap now: {@link #LEAP_BY_LIST}, {@link #LEAP_BY_SOURCES} or {@link #LEAP_BY_NONE}. */
    public String leapDecidedBy() {
        return leapDecidedBy;
    }

    /** Samples dropped within a leap second's guard. */
    public long leapGuardDrops() {
        return leapGuardDrops;
    }

    public LeapSchedule.Policy leapPolicy() {
        return leapPolicy;
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
