package io.ionclock.core.select;

/**
 * What became of a source in a selection: one vocabulary for {@link Selection}, a node's choice among its own sources
 * ({@code SourceSelector}), Clocklink's links, the Clocklink wire (the verdict of each master in a SYNC_UPDATE), status
 * and metrics. On the wire a verdict is its {@link #wireCode()}, an explicit number that never follows the declaration
 * order.
 */
public enum Verdict {
    /** Used: in a combination (a Clocklink link), or the source that feeds the discipline (a node's own sources). */
    SELECTED(0),
    /** Its honest interval overlaps, but it disagrees with the majority at the noise level. */
    OUTLIER(1),
    /** Its honest interval misses the region where the truth must be. */
    FALSETICKER(2),
    /** Weight 0: not considered. */
    EXCLUDED(3),
    /** Too few sources agree to judge anyone. */
    NO_MAJORITY(4),
    /** Voted out for disagreeing (a Clocklink link): weight 0 until it has agreed long enough. */
    ISOLATED(5),
    /** No answer, or no sample within its stale time. */
    UNREACHABLE(6),
    /** Nothing usable yet. */
    NO_DATA(7),
    /** Agrees with the selection, but a better-ranked source is used (a node's own sources). */
    CANDIDATE(8);

    /** The largest wire code. */
    public static final int WIRE_CODE_MAX = 8;
    private static final Verdict[] BY_WIRE_CODE = new Verdict[WIRE_CODE_MAX + 1];

    static {
        for (Verdict v : values()) {
            if (BY_WIRE_CODE[v.wireCode] != null) {
                throw new ExceptionInInitializerError("two verdicts with wire code " + v.wireCode);
            }
            BY_WIRE_CODE[v.wireCode] = v;
        }
    }

    private final int wireCode;

    Verdict(int wireCode) {
        this.wireCode = wireCode;
    }

    /** The verdict's number on the Clocklink wire. */
    public int wireCode() {
        return wireCode;
    }

    /** The verdict with this wire code, or null when there is none. */
    public static Verdict ofWireCode(int code) {
        return code >= 0 && code <= WIRE_CODE_MAX ? BY_WIRE_CODE[code] : null;
    }
}
