package io.ionclock.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * One audit record: one line of ASCII JSON,
 * {@code {"seq":N,"monoNanos":M,"epochNanos":E,"type":"T",<type's fields>,"prev":"<64 hex>","hash":"<64 hex>"}}
 * and a newline. {@code hash} is the lowercase hex SHA-256 of the line's bytes with its final
 * {@code ,"hash":"<64 hex>"} removed (so the hashed text ends {@code "prev":"<64 hex>"}}), without the newline;
 * {@code prev} is the previous record's {@code hash} (64 zeros for the first record of the chain). See docs/audit.md.
 */
public final class AuditFormat {
    /** A record line is at most this long (the writer refuses longer ones: a programming error). */
    public static final int LINE_BYTES_MAX = 4096;
    public static final String ZERO_HASH = "0".repeat(64);
    /** What ends every line before the newline, but the 64 hex digits and the closing {@code "}}. */
    static final String HASH_FIELD = ",\"hash\":\"";
    /** Keys every record has; type fields may not use them. */
    public static final Set<String> RESERVED = Set.of("seq", "monoNanos", "epochNanos", "type", "prev", "hash");
    private static final HexFormat HEX = HexFormat.of();

    private AuditFormat() {
    }

    /** The line, without its newline. */
    public static String line(long seq, long monoNanos, long epochNanos, String type, Map<String, Object> fields,
            String prevHex) {
        if (seq < 1 || prevHex.length() != 64) {
            throw new IllegalArgumentException("seq " + seq + ", prev " + prevHex);
        }
        StringBuilder b = new StringBuilder(256);
        b.append("{\"seq\":").append(seq).append(",\"monoNanos\":").append(monoNanos)
                .append(",\"epochNanos\":").append(epochNanos).append(",\"type\":");
        AuditJson.appendString(b, type);
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (RESERVED.contains(f.getKey())) {
                throw new IllegalArgumentException("reserved audit field " + f.getKey());
            }
            b.append(',');
            AuditJson.appendString(b, f.getKey());
            b.append(':');
            AuditJson.appendValue(b, f.getValue());
        }
        b.append(",\"prev\":\"").append(prevHex).append("\"}");
        String hash = sha256Hex(b.toString().getBytes(StandardCharsets.US_ASCII));
        b.setLength(b.length() - 1);
        b.append(HASH_FIELD).append(hash).append("\"}");
        if (b.length() > LINE_BYTES_MAX) {
            throw new IllegalArgumentException("audit record longer than " + LINE_BYTES_MAX + " bytes: " + type);
        }
        return b.toString();
    }

    /**
     * The hash a line should carry: SHA-256 of the line without its final {@code ,"hash":"<64 hex>"}; null when the
     * line does not end that way.
     */
    public static String expectedHash(String line) {
        int suffixChars = HASH_FIELD.length() + 64 + 2;
        if (line.length() < suffixChars + 2 || !line.endsWith("\"}")) {
            return null;
        }
        int at = line.length() - suffixChars;
        if (!line.startsWith(HASH_FIELD, at)) {
            return null;
        }
        String content = line.substring(0, at) + "}";
        return sha256Hex(content.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static boolean isHex64(Object value) {
        if (!(value instanceof String s) || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The name of file {@code number}: {@code audit-NNNNNN.jsonl}. */
    public static String fileName(long number) {
        return String.format("audit-%06d.jsonl", number);
    }

    /** The number in a file name {@code audit-NNNNNN.jsonl}; -1 when it is not one. */
    public static long fileNumber(String name) {
        if (!name.matches("audit-[0-9]{6,12}\\.jsonl")) {
            return -1;
        }
        return Long.parseLong(name.substring(6, name.length() - 6));
    }
}
