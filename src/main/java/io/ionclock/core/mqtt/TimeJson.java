package io.ionclock.core.mqtt;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.Rfc3339;

/**
 * The JSON payloads: tick, status (online and the will's offline), request reply and error reply. Times
 * are integers, ns since the Unix epoch (UTC); {@code boundNanos}: true time lies within
 * {@code epochNanos +- boundNanos}.
 */
public final class TimeJson {
    /** The status text of the will and of a clean shutdown. */
    public static final String OFFLINE = "OFFLINE";

    private TimeJson() {
    }

    /** {@code {"seq":..,"epochNanos":..,"earliestNanos":..,"latestNanos":..,"boundNanos":..,"time":"..","status":"..","source":"..","leap":".."}} */
    public static void tick(AsciiWriter w, long seq, ClockSnapshot s) {
        w.raw("{\"seq\":").number(seq)
                .raw(",\"epochNanos\":").number(s.epochNanos())
                .raw(",\"earliestNanos\":").number(s.earliestNanos())
                .raw(",\"latestNanos\":").number(s.latestNanos())
                .raw(",\"boundNanos\":").number(s.boundNanos())
                .raw(",\"time\":").string(Rfc3339.ofEpochNanos(s.epochNanos()))
                .raw(",\"status\":").string(s.status().name())
                .raw(",\"source\":").string(s.source())
                .raw(",\"leap\":").string(s.leap().name()).raw("}");
    }

    /** The retained status while running: {@code {"online":true,"gatewayId":..,"status":..,"source":..,"boundNanos":..,"epochNanos":..,"time":..}} */
    public static void status(AsciiWriter w, String gatewayId, ClockSnapshot s) {
        w.raw("{\"online\":true,\"gatewayId\":").string(gatewayId)
                .raw(",\"status\":").string(s.status().name())
                .raw(",\"source\":").string(s.source())
                .raw(",\"boundNanos\":").number(s.boundNanos())
                .raw(",\"epochNanos\":").number(s.epochNanos())
                .raw(",\"time\":").string(Rfc3339.ofEpochNanos(s.epochNanos())).raw("}");
    }

    /** The will and the clean-shutdown status: {@code {"online":false,"gatewayId":..,"status":"OFFLINE"}} */
    public static void offline(AsciiWriter w, String gatewayId) {
        w.raw("{\"online\":false,\"gatewayId\":").string(gatewayId).raw(",\"status\":").string(OFFLINE).raw("}");
    }

    /**
     * The part of a reply known at receive time: {@code {"t1Nanos":..,"t2Nanos":..,["id":..,]"source":..,"leap":..,}}.
     * {@link #replyEnd} completes it at transmit time.
     *
     * @param idJson the request's id as a JSON token (a quoted string or an integer), or null
     */
    public static void replyStart(AsciiWriter w, long t1Nanos, long t2EpochNanos, String idJson, String source,
            String leap) {
        w.raw("{\"t1Nanos\":").number(t1Nanos).raw(",\"t2Nanos\":").number(t2EpochNanos);
        if (idJson != null) {
            w.raw(",\"id\":").raw(idJson);
        }
        w.raw(",\"source\":").string(source).raw(",\"leap\":").string(leap).raw(",");
    }

    /** Completes a reply with the transmit reading: {@code "status":..,"boundNanos":..,"t3Nanos":..}}. */
    public static void replyEnd(AsciiWriter w, ClockStatus status, long boundNanos, long t3EpochNanos) {
        w.raw("\"status\":").string(status.name()).raw(",\"boundNanos\":").number(boundNanos)
                .raw(",\"t3Nanos\":").number(t3EpochNanos).raw("}");
    }

    /** {@code {"error":"CODE",["id":..,]"message":".."}} */
    public static void error(AsciiWriter w, RequestError error, String idJson) {
        w.raw("{\"error\":").string(error.name());
        if (idJson != null) {
            w.raw(",\"id\":").raw(idJson);
        }
        w.raw(",\"message\":").string(error.message).raw("}");
    }
}
