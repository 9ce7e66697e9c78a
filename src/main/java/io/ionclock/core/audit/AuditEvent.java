package io.ionclock.core.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing that happened, before it is written: its type and its fields (String, Long, Integer or Boolean values, in
 * the order given). The writer stamps it with its sequence number and the appliance's time when it writes it.
 */
public record AuditEvent(String type, Map<String, Object> fields) {
    public static final String FILE_START = "file_start";
    public static final String START = "start";
    public static final String SOURCE_SELECTED = "source_selected";
    public static final String SOURCE_LOST = "source_lost";
    public static final String STATUS = "status";
    public static final String CLOCK_STEP = "clock_step";
    public static final String FREQUENCY_STEP = "frequency_step";
    public static final String WINDOW_RESET = "window_reset";
    public static final String LEAP_ANNOUNCED = "leap_announced";
    public static final String CLOCKLINK_LEADER = "clocklink_leader";
    public static final String ISOLATED = "isolated";
    public static final String RETURNED = "returned";
    public static final String KEY_CHANGE = "key_change";
    public static final String DROPS_OVER_THRESHOLD = "drops_over_threshold";
    public static final String AUDIT_GAP = "audit_gap";

    public AuditEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** An event from key, value pairs. */
    public static AuditEvent of(String type, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs expected");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new AuditEvent(type, m);
    }
}
