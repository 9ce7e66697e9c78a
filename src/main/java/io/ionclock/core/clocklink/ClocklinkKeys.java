package io.ionclock.core.clocklink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The Clocklink keys, read from a file in chrony's keyfile format: one key a line,
 * {@code ID TYPE KEY}, where ID is 1..4294967295, TYPE must be {@code SHA256} (the only MAC Clocklink
 * speaks) and KEY is {@code HEX:...} or {@code ASCII:...} (or bare ASCII, as chrony allows); {@code #}
 * starts a comment. Every key in the file is accepted on receive; the node signs with
 * {@link #sendKeyId()} (the first key in the file unless configured), so a rotation is: add the new key
 * everywhere, switch the send key everywhere, remove the old key.
 *
 * <p>Key material never appears in {@link #toString()}, exceptions or logs: errors name the line number.
 */
public final class ClocklinkKeys {
    /** Keys one file may hold. */
    public static final int KEYS_MAX = 16;
    /** Shortest key accepted (128 bits: below that HMAC-SHA-256's security is the key's). */
    public static final int KEY_BYTES_MIN = 16;
    /** Longest key accepted (HMAC-SHA-256 hashes longer keys anyway). */
    public static final int KEY_BYTES_MAX = 64;
    /** Longest line considered; a longer one is an error (not a key). */
    public static final int LINE_CHARS_MAX = 512;
    /** chrony's key types: an error may name these, never anything else found where the type should be. */
    static final Set<String> CHRONY_KEY_TYPES = Set.of("MD5", "SHA1", "SHA256", "SHA384", "SHA512", "SHA3-224",
            "SHA3-256", "SHA3-384", "SHA3-512", "RMD128", "RMD160", "RMD256", "RMD320", "TIGER", "WHIRLPOOL", "AES128",
            "AES256");

    private final long[] ids;
    private final byte[][] secrets;
    private final long sendKeyId;

    private ClocklinkKeys(long[] ids, byte[][] secrets, long sendKeyId) {
        this.ids = ids;
        this.secrets = secrets;
        this.sendKeyId = sendKeyId;
    }

    /** Parses a keyfile's text; the send key is the first key. */
    public static ClocklinkKeys parse(String text) {
        return parse(text, -1);
    }

    /**
     * Parses a keyfile's text.
     *
     * @param sendKeyId the key to sign with, or -1 for the first key in the file
     * @throws IllegalArgumentException naming the line (never the key) when the file is not valid
     */
    public static ClocklinkKeys parse(String text, long sendKeyId) {
        List<Long> ids = new ArrayList<>();
        List<byte[]> secrets = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            int lineNo = n + 1;
            if (line.length() > LINE_CHARS_MAX) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": longer than " + LINE_CHARS_MAX + " characters");
            }
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": expected 'ID SHA256 HEX:...', found "
                        + fields.length + " fields");
            }
            long id;
            try {
                id = Long.parseLong(fields[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": key id is not a number");
            }
            if (id < 1 || id > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": key id must be 1..4294967295");
            }
            if (!fields[1].equals("SHA256")) {
                // Name the type only when it is one of chrony's: a line with its columns swapped has the key here.
                throw new IllegalArgumentException("keyfile line " + lineNo + ": key type must be SHA256 (Clocklink uses"
                        + " HMAC-SHA-256), found " + (CHRONY_KEY_TYPES.contains(fields[1]) ? fields[1] : "another word"));
            }
            byte[] secret = decodeSecret(fields[2], lineNo);
            if (ids.contains(id)) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": key id " + id + " appears twice");
            }
            if (ids.size() == KEYS_MAX) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": more than " + KEYS_MAX + " keys");
            }
            ids.add(id);
            secrets.add(secret);
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("keyfile holds no key");
        }
        long send = sendKeyId == -1 ? ids.get(0) : sendKeyId;
        if (!ids.contains(send)) {
            throw new IllegalArgumentException("send key id " + send + " is not in the keyfile");
        }
        long[] idArray = new long[ids.size()];
        for (int i = 0; i < idArray.length; i++) {
            idArray[i] = ids.get(i);
        }
        return new ClocklinkKeys(idArray, secrets.toArray(new byte[0][]), send);
    }

    /** Keys given directly (tests, the simulator). */
    public static ClocklinkKeys of(long sendKeyId, long[] ids, byte[][] secrets) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            sb.append(ids[i]).append(" SHA256 HEX:").append(hex(secrets[i])).append('\n');
        }
        return parse(sb.toString(), sendKeyId);
    }

    private static byte[] decodeSecret(String field, int lineNo) {
        byte[] secret;
        if (field.startsWith("HEX:")) {
            String hex = field.substring(4);
            if (hex.length() % 2 != 0) {
                throw new IllegalArgumentException("keyfile line " + lineNo + ": HEX key has an odd number of digits");
            }
            secret = new byte[hex.length() / 2];
            for (int i = 0; i < secret.length; i++) {
                int hi = Character.digit(hex.charAt(2 * i), 16);
                int lo = Character.digit(hex.charAt(2 * i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("keyfile line " + lineNo + ": HEX key has a non-hex character");
                }
                secret[i] = (byte) (hi << 4 | lo);
            }
        } else {
            String ascii = field.startsWith("ASCII:") ? field.substring(6) : field;
            secret = ascii.getBytes(StandardCharsets.US_ASCII);
        }
        if (secret.length < KEY_BYTES_MIN || secret.length > KEY_BYTES_MAX) {
            Arrays.fill(secret, (byte) 0);
            throw new IllegalArgumentException("keyfile line " + lineNo + ": key must be " + KEY_BYTES_MIN + ".."
                    + KEY_BYTES_MAX + " bytes (chronyc keygen ID SHA256 256 makes one)");
        }
        return secret;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return sb.toString().toUpperCase();
    }

    public int size() {
        return ids.length;
    }

    public long id(int index) {
        return ids[index];
    }

    /** The index of key {@code id}, or -1. */
    public int indexOf(long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    public long sendKeyId() {
        return sendKeyId;
    }

    /** The secret of key {@code index}: for {@link ClocklinkAuth} only. */
    byte[] secret(int index) {
        return secrets[index];
    }

    /** Key ids only: never the key material. */
    @Override
    public String toString() {
        return "ClocklinkKeys{ids=" + Arrays.toString(ids) + ", send=" + sendKeyId + "}";
    }
}
