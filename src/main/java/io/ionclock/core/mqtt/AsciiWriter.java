package io.ionclock.core.mqtt;

import java.util.Arrays;

/**
 * Writes ASCII JSON into a reusable byte array: no allocation on the hot path once the array is sized.
 * Owned by one thread. Text outside printable ASCII is escaped as {@code \\uXXXX}, so the output is
 * always valid UTF-8 JSON.
 */
public final class AsciiWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] LONG_MIN = Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private byte[] bytes;
    private int length;

    public AsciiWriter(int initialCapacityBytes) {
        bytes = new byte[initialCapacityBytes];
    }

    public AsciiWriter reset() {
        length = 0;
        return this;
    }

    public int length() {
        return length;
    }

    /** Cuts back to an earlier length (to rewrite a tail). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("truncate to " + newLength + " of " + length);
        }
        length = newLength;
    }

    /** The backing array; valid up to {@link #length()}. */
    public byte[] array() {
        return bytes;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    /** Appends ASCII text as is (callers pass constants: keys and punctuation). */
    public AsciiWriter raw(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    public AsciiWriter raw(byte[] ascii) {
        return raw(ascii, 0, ascii.length);
    }

    public AsciiWriter raw(byte[] ascii, int offset, int count) {
        ensure(count);
        System.arraycopy(ascii, offset, bytes, length, count);
        length += count;
        return this;
    }

    /** Appends a JSON string literal, quoted and escaped. */
    public AsciiWriter string(String s) {
        ensure(s.length() * 6 + 2);
        bytes[length++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c >= 0x20 && c < 0x7f) {
                bytes[length++] = (byte) c;
            } else {
                bytes[length++] = '\\';
                bytes[length++] = 'u';
                bytes[length++] = HEX[(c >> 12) & 0xf];
                bytes[length++] = HEX[(c >> 8) & 0xf];
                bytes[length++] = HEX[(c >> 4) & 0xf];
                bytes[length++] = HEX[c & 0xf];
            }
        }
        bytes[length++] = '"';
        return this;
    }

    /** Appends a decimal integer without allocating. */
    public AsciiWriter number(long v) {
        if (v == Long.MIN_VALUE) {
            return raw(LONG_MIN);
        }
        ensure(20);
        if (v < 0) {
            bytes[length++] = '-';
            v = -v;
        }
        int start = length;
        do {
            bytes[length++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = length - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
        return this;
    }
}
