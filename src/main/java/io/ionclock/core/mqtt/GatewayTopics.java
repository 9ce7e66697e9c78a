package io.ionclock.core.mqtt;

/**
 * The topics of one gateway, all under {@code ionclock/{gatewayId}/}, and who may publish where.
 * Only the appliance publishes under {@code ionclock/}; a sensor publishes only time requests, and a
 * reply may go to any topic outside {@code ionclock/} and {@code $...}, or under this gateway's
 * {@code time/reply/}: never onto a tick or the status, so a request cannot be used to spoof them.
 */
public final class GatewayTopics {
    public static final String ROOT = "ionclock/";
    /** Longest gateway id, in chars; ids are {@code [A-Za-z0-9._-]}. */
    public static final int GATEWAY_ID_CHARS_MAX = 64;

    public final String gatewayId;
    public final String status;
    public final String tick;
    public final String tickBinary;
    public final String request;
    /** Prefix of reply topics inside the gateway's namespace. */
    public final String replyPrefix;

    public GatewayTopics(String gatewayId) {
        if (!isValidGatewayId(gatewayId)) {
            throw new IllegalArgumentException("gateway id '" + gatewayId + "' is not 1.." + GATEWAY_ID_CHARS_MAX
                    + " chars of [A-Za-z0-9._-]");
        }
        this.gatewayId = gatewayId;
        String base = ROOT + gatewayId + "/";
        status = base + "status";
        tick = base + "time/tick";
        tickBinary = base + "time/tick/bin";
        request = base + "time/request";
        replyPrefix = base + "time/reply/";
    }

    public static boolean isValidGatewayId(String id) {
        if (id == null || id.isEmpty() || id.length() > GATEWAY_ID_CHARS_MAX) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A host name made into a gateway id: illegal chars become '-', cut to the maximum length. */
    public static String gatewayIdOf(String hostName) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hostName.length() && b.length() < GATEWAY_ID_CHARS_MAX; i++) {
            char c = hostName.charAt(i);
            b.append(isValidGatewayId(String.valueOf(c)) ? c : '-');
        }
        return b.isEmpty() ? "gateway" : b.toString();
    }

    /**
     * Whether a (valid) filter could match a topic a reply or a will may be published to: any filter
     * whose first level is not {@code ionclock}, or one compatible with this gateway's {@code time/reply/}.
     * The others (a tick or status subscription such as {@code ionclock/+/time/tick}) need never be
     * checked when routing replies.
     */
    public boolean filterMayMatchReplies(String filter) {
        String[] levels = filter.split("/", -1);
        if (!levels[0].equals("ionclock")) {
            return true; // includes "+" and "#": they match topics outside ionclock/ too
        }
        String[] reply = {"ionclock", gatewayId, "time", "reply"};
        for (int i = 1; i < levels.length; i++) {
            if (levels[i].equals("#")) {
                return true;
            }
            if (i >= reply.length) {
                return true; // past time/reply/: anything below it is a reply topic
            }
            if (!levels[i].equals("+") && !levels[i].equals(reply[i])) {
                return false;
            }
        }
        return false; // ends at or above time/reply, which is not itself a reply topic
    }

    /** Whether a reply (or a sensor's will) may be published to {@code topic}. */
    public boolean isAllowedReplyTopic(String topic) {
        if (!TopicFilter.isValidTopicName(topic) || topic.startsWith("$")) {
            return false;
        }
        return !topic.startsWith(ROOT) || topic.startsWith(replyPrefix) && topic.length() > replyPrefix.length();
    }
}
