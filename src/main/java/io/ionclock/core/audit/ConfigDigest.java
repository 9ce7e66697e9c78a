package io.ionclock.core.audit;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 of the effective configuration, for the {@code start} record: the {@code key=value} lines of every key
 * given, sorted by key, each ending in a newline, secrets left out (a key whose name contains {@code key},
 * {@code secret}, {@code password}, {@code token} or {@code credential}). Two starts with one digest ran with the same
 * configuration.
 */
public final class ConfigDigest {
    private static final String[] SECRET_WORDS = {"key", "secret", "password", "token", "credential"};

    private ConfigDigest() {
    }

    public static boolean secret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String w : SECRET_WORDS) {
            if (n.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** The text the digest is taken of (for a person to compare two starts). */
    public static String canonical(Map<String, String> properties) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            if (!secret(e.getKey())) {
                b.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
        return b.toString();
    }

    public static String sha256Hex(Map<String, String> properties) {
        return AuditFormat.sha256Hex(canonical(properties).getBytes(StandardCharsets.UTF_8));
    }
}
