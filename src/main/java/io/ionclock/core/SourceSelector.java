package io.ionclock.core;

import io.ionclock.core.select.Selection;
import io.ionclock.core.select.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which of a node's sources (its GNSS or sim reference, Clocklink, later NTP) feeds the discipline, with
 * the fault-tolerant {@link Selection}: every source's newest sample is an interval where the local clock's offset
 * lies, falsetickers and outliers are dropped, and of the survivors the best one feeds the discipline: the lowest
 * rank first (a node's own reference before Clocklink), then the smallest bound. Samples of the other sources are
 * not applied. Survivors are not averaged into a synthetic sample: the discipline keeps each sample's own declared
 * error, which is what its bound is built on.
 *
 * <p>How the intervals are compared. Each newest sample says {@code offset = local - reference} at its own instant,
 * against the published clock as the discipline models it now ({@link DisciplinedClock#offsetNanos}); carried to now
 * it widens by what the published clock's rate may be off since then: the discipline's frequency error bound plus
 * {@code maxDriftPpb}, plus the slew rate while a correction is being slewed out. A source whose newest sample is
 * older than {@link #STALE_INTERVALS} of its sample intervals (plus {@link #STALE_SLACK_NANOS}, and at most the
 * holdover age) is UNREACHABLE and takes no part.
 *
 * <p>Without a majority (two sources that disagree), the best-ranked source is used: a node trusts its own reference
 * over one network source (chrony would select none; a master must keep its reference).
 *
 * <p>Threads: {@link #add} before use, then one writer (the discipline loop) calls {@link #offer} and
 * {@link #refresh}; any thread reads {@link #view()} and {@link #selectedName()}.
 */
public final class SourceSelector {
    /** Sources one node takes at most. */
    public static final int SOURCES_MAX = 8;
    /** A source is unreachable when its newest sample is older than this many of its own sample intervals ... */
    public static final int STALE_INTERVALS = 3;
    /** ... plus this (a sample a little late is not a lost source). */
    public static final long STALE_SLACK_NANOS = 500_000_000L;

    /**
     * The verdicts a source can have, in this order: SELECTED (its samples feed the discipline), CANDIDATE (agrees
     * with the selection, but a better-ranked source is used), FALSETICKER (its interval misses the region where the
     * truth must be), OUTLIER (overlaps the region but not the majority's agreement), NO_MAJORITY (too few sources
     * agree to judge: the best-ranked one is used), UNREACHABLE (no sample within its stale time), NO_DATA.
     */
    public static final List<Verdict> STATES = List.of(Verdict.SELECTED, Verdict.CANDIDATE, Verdict.FALSETICKER,
            Verdict.OUTLIER, Verdict.NO_MAJORITY, Verdict.UNREACHABLE, Verdict.NO_DATA);

    /**
     * One source as the last selection saw it.
     *
     * @param name            the source's name ("sim", "gnss", "clocklink")
     * @param rank            0 first: the order among agreeing sources
     * @param state           its state at {@code atMonoNanos}
     * @param sampleName      the newest sample's source name ("GNSS+PPS", "CLOCKLINK", ...), or "" before any
     * @param sampleMonoNanos the newest sample's instant (Long.MIN_VALUE before any)
     * @param offsetNanos     {@code local - reference} of the newest sample against the clock at the selection
     * @param boundNanos      its interval's half-width at the selection (declared error plus age allowance); -1 if none
     * @param staleAfterNanos the age past which it is UNREACHABLE
     * @param atMonoNanos     when the selection ran
     */
    public record SourceView(String name, int rank, Verdict state, String sampleName, long sampleMonoNanos,
            long offsetNanos, long boundNanos, long staleAfterNanos, long atMonoNanos) {

        /** The state at {@code nowMonoNanos}: UNREACHABLE once the newest sample is older than the stale time. */
        public Verdict stateAt(long nowMonoNanos) {
            if (state != Verdict.NO_DATA && nowMonoNanos - sampleMonoNanos > staleAfterNanos) {
                return Verdict.UNREACHABLE;
            }
            return state;
        }
    }

    private static final class Source {
        final String name;
        final int rank;
        Sample newest;
        long intervalNanos = -1;
        Verdict state = Verdict.NO_DATA;
        long offsetNanos;
        long boundNanos = -1;
        int selectionIndex = -1;

        Source(String name, int rank) {
            this.name = name;
            this.rank = rank;
        }
    }

    private final DisciplinedClock clock;
    private final List<Source> sources = new ArrayList<>();
    private final Selection selection = new Selection(SOURCES_MAX);
    private volatile List<SourceView> view = List.of();
    private volatile int selected = -1;

    public SourceSelector(DisciplinedClock clock) {
        this.clock = clock;
    }

    /** Adds a source before any sample; returns its index (what {@link #offer} takes). */
    public int add(String name, int rank) {
        if (sources.size() == SOURCES_MAX) {
            throw new IllegalStateException("more than " + SOURCES_MAX + " sources");
        }
        if (name == null || name.isEmpty() || rank < 0) {
            throw new IllegalArgumentException("a source needs a name and a rank >= 0");
        }
        sources.add(new Source(name, rank));
        publish(Long.MIN_VALUE);
        return sources.size() - 1;
    }

    /**
     * Records {@code sample} as source {@code index}'s newest and runs the selection at {@code nowMonoNanos}.
     *
     * @return whether the sample should feed the discipline (its source is the one selected)
     */
    public boolean offer(int index, Sample sample, long nowMonoNanos) {
        Source s = sources.get(index);
        if (s.newest != null) {
            if (sample.monoNanos() <= s.newest.monoNanos()) {
                return false; // not newer than what we have: the discipline would refuse it as stale anyway
            }
            s.intervalNanos = sample.monoNanos() - s.newest.monoNanos();
        }
        s.newest = sample;
        return select(nowMonoNanos) == index;
    }

    /** Runs the selection again without a new sample (sources go quiet); returns the selected index or -1. */
    public int refresh(long nowMonoNanos) {
        return select(nowMonoNanos);
    }

    private int select(long nowMonoNanos) {
        DisciplineConfig config = clock.config();
        double ratePpb = clock.rateErrorPpbMax(nowMonoNanos);
        selection.clear();
        int fresh = 0;
        for (Source s : sources) {
            s.selectionIndex = -1;
            if (s.newest == null) {
                s.state = Verdict.NO_DATA;
                continue;
            }
            long ageNanos = Math.max(0, nowMonoNanos - s.newest.monoNanos());
            if (ageNanos > staleAfterNanos(s, config)) {
                s.state = Verdict.UNREACHABLE;
                continue;
            }
            s.offsetNanos = clock.offsetNanos(s.newest);
            s.boundNanos = s.newest.errorNanos() + (long) Math.ceil(ratePpb * 1e-9 * ageNanos);
            s.selectionIndex = selection.add(s.offsetNanos, s.boundNanos, s.boundNanos, 1);
            fresh++;
        }
        int best = -1;
        if (fresh > 0 && selection.select()) {
            for (int i = 0; i < sources.size(); i++) {
                Source s = sources.get(i);
                if (s.selectionIndex < 0) {
                    continue;
                }
                Verdict v = selection.verdict(s.selectionIndex);
                s.state = switch (v) {
                    case SELECTED -> Verdict.CANDIDATE;
                    case FALSETICKER, OUTLIER -> v;
                    default -> Verdict.NO_MAJORITY;
                };
                if (v == Verdict.SELECTED && (best < 0 || better(s, sources.get(best)))) {
                    best = i;
                }
            }
        } else if (fresh > 0) {
            for (int i = 0; i < sources.size(); i++) {
                Source s = sources.get(i);
                if (s.selectionIndex >= 0) {
                    s.state = Verdict.NO_MAJORITY;
                    if (best < 0 || better(s, sources.get(best))) {
                        best = i;
                    }
                }
            }
        }
        if (best >= 0) {
            sources.get(best).state = Verdict.SELECTED;
        }
        selected = best;
        publish(nowMonoNanos);
        return best;
    }

    private static boolean better(Source a, Source b) {
        return a.rank != b.rank ? a.rank < b.rank : a.boundNanos < b.boundNanos;
    }

    private static long staleAfterNanos(Source s, DisciplineConfig config) {
        long holdover = config.holdoverAfterNanos();
        if (s.intervalNanos < 0) {
            return holdover;
        }
        long interval = Math.min(s.intervalNanos, holdover);
        return Math.min(holdover, STALE_INTERVALS * interval + STALE_SLACK_NANOS);
    }

    private void publish(long atMonoNanos) {
        List<SourceView> out = new ArrayList<>(sources.size());
        DisciplineConfig config = clock.config();
        for (Source s : sources) {
            Sample n = s.newest;
            out.add(new SourceView(s.name, s.rank, s.state, n == null ? "" : n.sourceName(),
                    n == null ? Long.MIN_VALUE : n.monoNanos(), s.offsetNanos, n == null ? -1 : s.boundNanos,
                    staleAfterNanos(s, config), atMonoNanos));
        }
        view = List.copyOf(out);
    }

    /** Every source as the last selection saw it, in the order added. Any thread. */
    public List<SourceView> view() {
        return view;
    }

    /**
     * The leap announcements of the sources that count now (SELECTED, CANDIDATE or NO_MAJORITY at the last selection):
     * {@code out[0]} how many, {@code out[1]} announcing INSERT, {@code out[2]} DELETE. The writer's thread.
     */
    public void leapVotes(int[] out) {
        out[0] = out[1] = out[2] = 0;
        for (Source s : sources) {
            if (s.newest == null || !(s.state == Verdict.SELECTED || s.state == Verdict.CANDIDATE
                    || s.state == Verdict.NO_MAJORITY)) {
                continue;
            }
            out[0]++;
            if (s.newest.leap() == LeapIndicator.INSERT) {
                out[1]++;
            } else if (s.newest.leap() == LeapIndicator.DELETE) {
                out[2]++;
            }
        }
    }

    /** The index of the source whose samples feed the discipline, or -1. Any thread. */
    public int selected() {
        return selected;
    }

    /** The selected source's name, or "none". Any thread. */
    public String selectedName() {
        int i = selected;
        List<SourceView> v = view;
        return i >= 0 && i < v.size() ? v.get(i).name() : "none";
    }

    public int size() {
        return sources.size();
    }
}
