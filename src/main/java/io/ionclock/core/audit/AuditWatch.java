package io.ionclock.core.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what the appliance looks like now ({@link Observation}, read about once a second) into audit events: the
 * transitions since the last look. Pure: the caller reads the clock and the sources, and submits what comes back.
 */
public final class AuditWatch {
    /** Sources and peers followed, at most (more are not watched: the selection and Clocklink have their own limits). */
    public static final int TRACKED_MAX = 1024;

    /**
     * One look at the appliance.
     *
     * @param status          the clock status's name
     * @param selectedSource  the selected source's name, "" when none
     * @param reachable       each source's name and whether it is reachable (not UNREACHABLE / NO_DATA)
     * @param leap            the leap announced ("NONE", "INSERT", "DELETE")
     * @param leaderName      Clocklink's leader, "" when none known or Clocklink is off
     * @param leaderTerm      its term
     * @param isolatedPeers   Clocklink peers ISOLATED now
     * @param steps           clock steps since start
     * @param windowResets    sample-window resets since start
     * @param frequencyPpb    the frequency now
     * @param dropsTotal      samples and packets dropped since start (queues full, bad packets)
     */
    public record Observation(String status, String selectedSource, Map<String, Boolean> reachable, String leap,
            String leaderName, long leaderTerm, Set<String> isolatedPeers, long steps, long windowResets,
            double frequencyPpb, long dropsTotal) {
    }

    private final long dropsPerLookMax;
    private final double frequencyStepPpbMin;
    private double frequencyReportedPpb = Double.NaN;
    private Observation last;
    private final Map<String, Boolean> reachable = new HashMap<>();
    private boolean dropsOver;
    private long dropsInEpisode;

    /**
     * @param dropsPerLookMax     drops between two looks above which {@code drops_over_threshold} is recorded
     * @param frequencyStepPpbMin a change of the frequency from the last one recorded above which {@code frequency_step}
     *                            is recorded (the first frequency learned is not a step)
     */
    public AuditWatch(long dropsPerLookMax, double frequencyStepPpbMin) {
        if (dropsPerLookMax < 0 || !(frequencyStepPpbMin > 0)) {
            throw new IllegalArgumentException("dropsPerLookMax " + dropsPerLookMax + ", frequencyStepPpbMin "
                    + frequencyStepPpbMin);
        }
        this.dropsPerLookMax = dropsPerLookMax;
        this.frequencyStepPpbMin = frequencyStepPpbMin;
    }

    /** The events since the last look (none at the first but what is already true: status, source, leap, leader). */
    public List<AuditEvent> look(Observation now) {
        List<AuditEvent> out = new ArrayList<>();
        Observation was = last;
        if (was == null || !was.status().equals(now.status())) {
            out.add(AuditEvent.of(AuditEvent.STATUS, "from", was == null ? "" : was.status(), "to", now.status()));
        }
        if ((was == null && !now.selectedSource().isEmpty())
                || (was != null && !was.selectedSource().equals(now.selectedSource()))) {
            out.add(AuditEvent.of(AuditEvent.SOURCE_SELECTED, "source", now.selectedSource(), "previous",
                    was == null ? "" : was.selectedSource()));
        }
        for (Map.Entry<String, Boolean> s : now.reachable().entrySet()) {
            Boolean before = reachable.get(s.getKey());
            if (before == null && reachable.size() >= TRACKED_MAX) {
                continue;
            }
            if (Boolean.TRUE.equals(before) && !s.getValue()) {
                out.add(AuditEvent.of(AuditEvent.SOURCE_LOST, "source", s.getKey()));
            }
            reachable.put(s.getKey(), s.getValue());
        }
        if ((was == null && !"NONE".equals(now.leap())) || (was != null && !was.leap().equals(now.leap()))) {
            out.add(AuditEvent.of(AuditEvent.LEAP_ANNOUNCED, "leap", now.leap(), "previous",
                    was == null ? "NONE" : was.leap()));
        }
        if ((was == null && !now.leaderName().isEmpty()) || (was != null
                && (!was.leaderName().equals(now.leaderName()) || was.leaderTerm() != now.leaderTerm()))) {
            out.add(AuditEvent.of(AuditEvent.CLOCKLINK_LEADER, "leader", now.leaderName(), "term", now.leaderTerm(),
                    "previous", was == null ? "" : was.leaderName()));
        }
        Set<String> before = was == null ? Set.of() : was.isolatedPeers();
        for (String p : now.isolatedPeers()) {
            if (!before.contains(p)) {
                out.add(AuditEvent.of(AuditEvent.ISOLATED, "peer", p));
            }
        }
        for (String p : before) {
            if (!now.isolatedPeers().contains(p)) {
                out.add(AuditEvent.of(AuditEvent.RETURNED, "peer", p));
            }
        }
        if (was != null && now.steps() > was.steps()) {
            out.add(AuditEvent.of(AuditEvent.CLOCK_STEP, "steps", now.steps()));
        }
        if (was != null && !Double.isNaN(now.frequencyPpb()) && (Double.isNaN(frequencyReportedPpb)
                || Math.abs(now.frequencyPpb() - frequencyReportedPpb) > frequencyStepPpbMin)) {
            if (!Double.isNaN(frequencyReportedPpb)) {
                out.add(AuditEvent.of(AuditEvent.FREQUENCY_STEP, "from_ppb", Math.round(frequencyReportedPpb),
                        "to_ppb", Math.round(now.frequencyPpb())));
            }
            frequencyReportedPpb = now.frequencyPpb();
        }
        if (was != null && now.windowResets() > was.windowResets()) {
            out.add(AuditEvent.of(AuditEvent.WINDOW_RESET, "window_resets", now.windowResets(), "frequency_ppb",
                    Math.round(now.frequencyPpb())));
        }
        if (was != null) {
            long drops = now.dropsTotal() - was.dropsTotal();
            if (drops > dropsPerLookMax) {
                dropsInEpisode += drops;
                if (!dropsOver) {
                    dropsOver = true;
                    out.add(AuditEvent.of(AuditEvent.DROPS_OVER_THRESHOLD, "over", true, "drops", drops, "threshold",
                            dropsPerLookMax));
                }
            } else if (dropsOver) {
                dropsOver = false;
                out.add(AuditEvent.of(AuditEvent.DROPS_OVER_THRESHOLD, "over", false, "drops", dropsInEpisode,
                        "threshold", dropsPerLookMax));
                dropsInEpisode = 0;
            }
        }
        last = now;
        return out;
    }
}
