package io.ionclock.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lays out an appliance's {@code /api/v1/status} (as parsed JSON) for a person, as {@code chronyc tracking},
 * {@code sources} and {@code clients} do, and as stable-keyed maps for scripts ({@code --json}). Pure: no I/O, no
 * clock; the ages printed are the ones the status carries.
 */
public final class StatusFormat {
    /** The selection state as chrony's one-character symbol. */
    static final String LEGEND = "S: * selected, + candidate, - outlier or excluded, x falseticker or isolated,"
            + " ~ no majority, ? unreachable or no data";

    private StatusFormat() {
    }

    /** chrony's symbol for a verdict ({@code core.select.Verdict} names; "NONE" and unknown names are '?'). */
    static char symbol(String verdict) {
        return switch (verdict == null ? "" : verdict) {
            case "SELECTED" -> '*';
            case "CANDIDATE" -> '+';
            case "OUTLIER", "EXCLUDED" -> '-';
            case "FALSETICKER", "ISOLATED" -> 'x';
            case "NO_MAJORITY" -> '~';
            default -> '?';
        };
    }

    // ---- status (chronyc tracking) ----

    /** {@code ionclock status}: the clock as {@code chronyc tracking} shows it. */
    public static String tracking(JsonNode s) {
        JsonNode t = s.path("time");
        JsonNode c = s.path("clock");
        JsonNode ref = s.path("reference");
        JsonNode leap = s.path("leap");
        StringBuilder b = new StringBuilder();
        line(b, "Reference ID", t.path("source").asText("NONE") + " (" + ref.path("kind").asText("none")
                + (ref.path("alive").asBoolean(true) ? "" : ", not answering") + ")");
        line(b, "Status", t.path("status").asText("?"));
        line(b, "Profile", s.path("profile").asText("?"));
        line(b, "Time", t.path("time").asText("?") + " (" + t.path("timescale").asText("?") + ")");
        line(b, "Bound", "+/- " + seconds(t.path("boundNanos").asLong()) + " seconds");
        long sys = c.path("systemClockOffsetNanos").asLong();
        line(b, "System time", seconds(Math.abs(sys)) + " seconds " + (sys >= 0 ? "fast" : "slow") + " of ionclock time");
        line(b, "Offset", signedSeconds(c.path("offsetNanos").asLong()) + " seconds (still being slewed out)");
        line(b, "Last offset", signedSeconds(c.path("lastOffsetNanos").asLong()) + " seconds");
        line(b, "RMS offset", seconds(Math.round(c.path("jitterNanos").asDouble())) + " seconds");
        double ppm = c.path("frequencyPpb").asDouble() / 1000;
        line(b, "Frequency", String.format(Locale.ROOT, "%.3f ppm %s", Math.abs(ppm), ppm >= 0 ? "fast" : "slow"));
        line(b, "Skew", String.format(Locale.ROOT, "%.3f ppm", c.path("frequencyErrorPpb").asDouble() / 1000));
        long age = c.path("lastSampleAgeNanos").asLong(-1);
        line(b, "Last sample", (age < 0 ? "none" : String.format(Locale.ROOT, "%.1f seconds ago", age / 1e9))
                + " (" + c.path("sampleCount").asInt() + " in the fit)");
        long interval = ref.path("details").path("intervalNanos").asLong(0);
        if (interval > 0) {
            line(b, "Update interval", String.format(Locale.ROOT, "%.1f seconds", interval / 1e9));
        }
        line(b, "Leap status", leapStatus(leap, t));
        line(b, "Monotonic errs", c.path("monotonicViolations").asText("0") + " (steps " + c.path("steps").asText("0") + ")");
        JsonNode sync = s.path("sync");
        if (sync.isObject()) {
            line(b, "Clocklink", sync.path("role").asText() + " " + sync.path("nodeId").asText() + ", leader "
                    + (sync.path("leader").asBoolean() ? "this node" : sync.path("leaderName").asText("none"))
                    + ", term " + sync.path("term").asLong() + ", " + sync.path("peers").size() + " peers");
        }
        JsonNode host = s.path("hostClock");
        if (host.isObject()) {
            line(b, "Host clock", host.path("mode").asText("?"));
        }
        return b.toString();
    }

    private static String leapStatus(JsonNode leap, JsonNode t) {
        String announced = leap.path("announced").asText(t.path("leap").asText("NONE"));
        String word = switch (announced) {
            case "NONE" -> "Normal";
            case "INSERT" -> "Insert second";
            case "DELETE" -> "Delete second";
            default -> announced;
        };
        JsonNode list = leap.path("list");
        return word + " (policy " + leap.path("policy").asText("?") + ", list " + list.path("state").asText("?")
                + (list.path("expired").asBoolean() ? ", expired" : "") + ")";
    }

    /** {@code ionclock status --json}. */
    public static Map<String, Object> trackingJson(JsonNode s) {
        JsonNode t = s.path("time");
        JsonNode c = s.path("clock");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", t.path("source").asText("NONE"));
        m.put("referenceKind", s.path("reference").path("kind").asText("none"));
        m.put("status", t.path("status").asText());
        m.put("epochNanos", t.path("epochNanos").asLong());
        m.put("timescale", t.path("timescale").asText());
        m.put("boundNanos", t.path("boundNanos").asLong());
        m.put("systemClockOffsetNanos", c.path("systemClockOffsetNanos").asLong());
        m.put("offsetNanos", c.path("offsetNanos").asLong());
        m.put("lastOffsetNanos", c.path("lastOffsetNanos").asLong());
        m.put("jitterNanos", c.path("jitterNanos").asDouble());
        m.put("frequencyPpb", c.path("frequencyPpb").asDouble());
        m.put("frequencyErrorPpb", c.path("frequencyErrorPpb").asDouble());
        m.put("lastSampleAgeNanos", c.path("lastSampleAgeNanos").asLong(-1));
        m.put("sampleCount", c.path("sampleCount").asInt());
        m.put("leap", s.path("leap").path("announced").asText(t.path("leap").asText("NONE")));
        m.put("leapPolicy", s.path("leap").path("policy").asText(null));
        m.put("monotonicViolations", c.path("monotonicViolations").asLong());
        JsonNode sync = s.path("sync");
        m.put("clocklinkLeader", sync.isObject() ? sync.path("leaderName").asText(null) : null);
        return m;
    }

    // ---- sources (chronyc sources) ----

    /** One row of {@code ionclock sources}. */
    record SourceRow(char symbol, String name, String kind, String stratum, String poll, String reach, long ageNanos,
            long offsetNanos, long boundNanos, String state) {
    }

    static List<SourceRow> sourceRows(JsonNode s) {
        List<SourceRow> rows = new ArrayList<>();
        Map<String, JsonNode> ntp = new LinkedHashMap<>();
        for (JsonNode n : s.path("ntp").path("servers")) {
            ntp.put("NTP:" + n.path("name").asText(), n);
        }
        for (JsonNode src : s.path("sources")) {
            String name = src.path("name").asText();
            String state = src.path("state").asText("NO_DATA");
            JsonNode last = src.path("lastSample");
            JsonNode n = ntp.get(name);
            if (n != null) {
                JsonNode v = n.path("server");
                long poll = v.path("pollNanos").asLong();
                rows.add(new SourceRow(symbol(state), name, "ntp", v.path("stratum").asText("-"),
                        poll > 0 ? Long.toString(63 - Long.numberOfLeadingZeros(poll / 1_000_000_000L)) : "-",
                        n.path("reach").asText("0"), last.isObject() ? last.path("ageNanos").asLong() : -1,
                        n.path("offsetNanos").asLong(), n.path("boundNanos").asLong(-1), state));
            } else {
                rows.add(new SourceRow(symbol(state), name, name.equals("CLOCKLINK") ? "clocklink" : "reference", "-",
                        "-", "-", last.isObject() ? last.path("ageNanos").asLong() : -1,
                        last.isObject() ? last.path("offsetNanos").asLong() : 0,
                        last.isObject() ? last.path("refBoundNanos").asLong() + last.path("measurementErrorNanos").asLong() : -1,
                        state));
            }
        }
        for (JsonNode p : s.path("sync").path("peers")) {
            String verdict = p.path("verdict").asText("NONE");
            rows.add(new SourceRow(symbol(verdict), "  " + p.path("name").asText(p.path("label").asText()),
                    "link " + p.path("role").asText(), "-", "-", "-", p.path("lastResponseAgeNanos").asLong(-1),
                    p.path("offsetNanos").asLong(), p.path("boundNanos").asLong(-1),
                    verdict + " " + p.path("state").asText()));
        }
        return rows;
    }

    /** {@code ionclock sources}: one line a source, Clocklink links indented under CLOCKLINK. */
    public static String sources(JsonNode s) {
        StringBuilder b = new StringBuilder();
        b.append(LEGEND).append('\n');
        b.append(String.format(Locale.ROOT, "%-1s %-26s %-14s %7s %4s %5s %8s %12s %12s  %s%n", "S", "Name", "Kind",
                "Stratum", "Poll", "Reach", "LastRx", "Offset", "Bound", "State"));
        b.append("=".repeat(110)).append('\n');
        for (SourceRow r : sourceRows(s)) {
            b.append(String.format(Locale.ROOT, "%c %-26s %-14s %7s %4s %5s %8s %12s %12s  %s%n", r.symbol(),
                    clip(r.name(), 26), clip(r.kind(), 14), r.stratum(), r.poll(), r.reach(), age(r.ageNanos()),
                    duration(r.offsetNanos(), true), r.boundNanos() < 0 ? "-" : "+/- " + duration(r.boundNanos(), false),
                    r.state()));
        }
        return b.toString();
    }

    /** {@code ionclock sources --json}: {@code {"sources": [...]}}. */
    public static Map<String, Object> sourcesJson(JsonNode s) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SourceRow r : sourceRows(s)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("symbol", String.valueOf(r.symbol()));
            m.put("name", r.name().strip());
            m.put("kind", r.kind());
            m.put("stratum", r.stratum().equals("-") ? null : Integer.valueOf(r.stratum()));
            m.put("pollLog2Seconds", r.poll().equals("-") ? null : Integer.valueOf(r.poll()));
            m.put("reachOctal", r.reach().equals("-") ? null : r.reach());
            m.put("lastSampleAgeNanos", r.ageNanos());
            m.put("offsetNanos", r.offsetNanos());
            m.put("boundNanos", r.boundNanos());
            m.put("state", r.state());
            list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sources", list);
        return m;
    }

    // ---- clients (chronyc clients) ----

    /** {@code ionclock clients}: what the status has about who asks this appliance the time (aggregates). */
    public static String clients(JsonNode s) {
        Map<String, Object> m = clientsJson(s);
        StringBuilder b = new StringBuilder();
        b.append("The status carries aggregate counts only, no per-client rows.\n");
        b.append(String.format(Locale.ROOT, "%-10s %8s %10s %10s %10s %10s%n", "Service", "Clients", "ClientsMax",
                "Requests", "Answers", "Drops"));
        b.append("=".repeat(63)).append('\n');
        for (String service : List.of("clocklink", "ntp")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> v = (Map<String, Object>) m.get(service);
            if (v == null) {
                b.append(String.format(Locale.ROOT, "%-10s %s%n", service, "off"));
                continue;
            }
            b.append(String.format(Locale.ROOT, "%-10s %8s %10s %10s %10s %10s%n", service, v.get("clients"),
                    v.get("clientsMax") == null ? "-" : v.get("clientsMax"), v.get("requests"), v.get("answers"),
                    v.get("drops")));
        }
        return b.toString();
    }

    /**
     * {@code ionclock clients --json}: {@code clocklink} (clients: the Clocklink downstream nodes this one serves;
     * requests: messages received; answers: messages sent) and {@code ntp} (the NTP server), null when off.
     */
    public static Map<String, Object> clientsJson(JsonNode s) {
        Map<String, Object> m = new LinkedHashMap<>();
        JsonNode sync = s.path("sync");
        if (sync.isObject()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("clients", sync.path("clients").asLong());
            c.put("clientsMax", null);
            c.put("requests", sync.path("messagesReceived").asLong());
            c.put("answers", sync.path("messagesSent").asLong());
            c.put("drops", sum(sync.path("dropped")));
            m.put("clocklink", c);
        } else {
            m.put("clocklink", null);
        }
        JsonNode ntp = s.path("ntpServer");
        if (ntp.isObject()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("clients", ntp.path("clients").asLong());
            c.put("clientsMax", ntp.path("clientsMax").asLong());
            c.put("requests", ntp.path("requests").asLong());
            c.put("answers", ntp.path("responsesBasic").asLong() + ntp.path("responsesInterleaved").asLong()
                    + ntp.path("responsesKod").asLong());
            c.put("drops", sum(ntp.path("drops")));
            c.put("clientsSeen", ntp.path("clientsSeen").asLong());
            c.put("requestsPerSecond", ntp.path("requestsPerSecond").asDouble());
            m.put("ntp", c);
        } else {
            m.put("ntp", null);
        }
        m.put("perClient", false);
        return m;
    }

    // ---- helpers ----

    private static long sum(JsonNode counts) {
        long total = 0;
        for (JsonNode v : counts) {
            total += v.asLong();
        }
        return total;
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "%-16s: %s%n", label, value));
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%d.%09d", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    static String signedSeconds(long nanos) {
        return (nanos < 0 ? "-" : "+") + seconds(Math.abs(nanos));
    }

    /** chrony's compact unit: ns, us, ms, s, with a sign when asked. */
    static String duration(long nanos, boolean signed) {
        String sign = signed ? (nanos < 0 ? "-" : "+") : (nanos < 0 ? "-" : "");
        long a = Math.abs(nanos);
        if (a < 10_000) {
            return sign + a + "ns";
        } else if (a < 10_000_000) {
            return sign + a / 1000 + "us";
        } else if (a < 10_000_000_000L) {
            return sign + a / 1_000_000 + "ms";
        }
        return sign + a / 1_000_000_000L + "s";
    }

    static String age(long nanos) {
        if (nanos < 0) {
            return "-";
        } else if (nanos < 1_000_000_000L) {
            return nanos / 1_000_000 + "ms";
        } else if (nanos < 600_000_000_000L) {
            return nanos / 1_000_000_000L + "s";
        }
        return nanos / 60_000_000_000L + "m";
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
