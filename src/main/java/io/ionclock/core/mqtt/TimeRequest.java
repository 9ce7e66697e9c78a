package io.ionclock.core.mqtt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A sensor's time request, {@code {"t1Nanos": <its transmit time>, "replyTo": "<topic>", "id": ..}}, and
 * its parser. The parser accepts one flat JSON object whose values are strings, numbers, true, false or
 * null; unknown keys are ignored; anything else is a {@link RequestError}. Every length is limited, the
 * parse is one pass, and no input makes it throw. A holder is reused by one thread.
 */
public final class TimeRequest {
    /** Longest request accepted, in bytes (the configured payload limit may be lower). */
    public static final int REQUEST_BYTES_MAX = 4096;
    /** Keys a request may have (including unknown ones). */
    public static final int KEYS_MAX = 16;
    /** Longest string (key or value), in chars. */
    public static final int STRING_CHARS_MAX = TopicFilter.TOPIC_CHARS_MAX;
    /** Longest id, in chars (a string id) or digits. */
    public static final int ID_CHARS_MAX = 64;

    /** The sensor's transmit time, as the sensor's clock tells it (ns since the Unix epoch). */
    public long t1Nanos;
    public boolean hasT1;
    /** The 3.1.1 reply topic, or null. */
    public String replyTo;
    /** The id as a JSON token to echo (a quoted, escaped string or an integer), or null. */
    public String idJson;

    private byte[] in;
    private int pos;
    private int end;
    private final StringBuilder text = new StringBuilder();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Parses {@code length} bytes at {@code offset}; returns null when the request is well formed. */
    public RequestError parse(byte[] bytes, int offset, int length) {
        hasT1 = false;
        t1Nanos = 0;
        replyTo = null;
        idJson = null;
        if (length > REQUEST_BYTES_MAX) {
            return RequestError.TOO_LARGE;
        }
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            return RequestError.MALFORMED_JSON;
        }
        in = bytes;
        pos = offset;
        end = offset + length;
        try {
            return object();
        } finally {
            in = null;
        }
    }

    private RequestError object() {
        skipSpace();
        if (!take('{')) {
            return RequestError.MALFORMED_JSON;
        }
        skipSpace();
        int keys = 0;
        boolean seenT1 = false;
        boolean seenReplyTo = false;
        boolean seenId = false;
        if (!take('}')) {
            while (true) {
                if (++keys > KEYS_MAX) {
                    return RequestError.TOO_MANY_KEYS;
                }
                skipSpace();
                RequestError e = string();
                if (e != null) {
                    return e;
                }
                String key = text.toString();
                skipSpace();
                if (!take(':')) {
                    return RequestError.MALFORMED_JSON;
                }
                skipSpace();
                switch (key) {
                    case "t1Nanos" -> {
                        if (seenT1) {
                            return RequestError.DUPLICATE_KEY;
                        }
                        seenT1 = true;
                        e = t1();
                    }
                    case "replyTo" -> {
                        if (seenReplyTo) {
                            return RequestError.DUPLICATE_KEY;
                        }
                        seenReplyTo = true;
                        if (peek() != '"') {
                            e = skipValue() == null ? RequestError.BAD_REPLY_TO : RequestError.MALFORMED_JSON;
                        } else {
                            e = string();
                            replyTo = e == null ? text.toString() : null;
                        }
                    }
                    case "id" -> {
                        if (seenId) {
                            return RequestError.DUPLICATE_KEY;
                        }
                        seenId = true;
                        e = id();
                    }
                    default -> e = skipValue();
                }
                if (e != null) {
                    return e;
                }
                skipSpace();
                if (take('}')) {
                    break;
                }
                if (!take(',')) {
                    return RequestError.MALFORMED_JSON;
                }
            }
        }
        skipSpace();
        if (pos != end) {
            return RequestError.MALFORMED_JSON;
        }
        return hasT1 ? null : RequestError.MISSING_T1;
    }

    private RequestError t1() {
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            return skipValue() == null ? RequestError.BAD_T1 : RequestError.MALFORMED_JSON;
        }
        int start = pos;
        boolean negative = take('-');
        long v = 0;
        int digits = 0;
        while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
            int d = in[pos++] - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return RequestError.BAD_T1;
            }
            v = v * 10 + d;
            digits++;
        }
        if (digits == 0 || digits > 1 && in[start + (negative ? 1 : 0)] == '0') {
            return RequestError.BAD_T1;
        }
        if (pos < end && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E')) {
            return RequestError.BAD_T1;
        }
        t1Nanos = negative ? -v : v;
        hasT1 = true;
        return null;
    }

    private RequestError id() {
        int c = peek();
        if (c == '"') {
            RequestError e = string();
            if (e != null) {
                return e;
            }
            if (text.length() > ID_CHARS_MAX) {
                return RequestError.BAD_ID;
            }
            AsciiWriter w = new AsciiWriter(text.length() + 8);
            idJson = w.string(text.toString()).toString();
            return null;
        }
        if (c == '-' || c >= '0' && c <= '9') {
            int start = pos;
            take('-');
            while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
            int digits = pos - start;
            if (digits == 0 || digits > ID_CHARS_MAX || pos < end && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E')
                    || in[start] == '-' && digits == 1) {
                return RequestError.BAD_ID;
            }
            idJson = new String(in, start, digits, StandardCharsets.US_ASCII);
            return null;
        }
        return skipValue() == null ? RequestError.BAD_ID : RequestError.MALFORMED_JSON;
    }

    /** Skips a scalar value; objects and arrays are refused. */
    private RequestError skipValue() {
        int c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '{' || c == '[') {
            return RequestError.NESTED_VALUE;
        }
        if (literal("true") || literal("false") || literal("null")) {
            return null;
        }
        if (c == '-' || c >= '0' && c <= '9') {
            take('-');
            int digits = 0;
            while (pos < end && (in[pos] >= '0' && in[pos] <= '9' || in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E'
                    || in[pos] == '+' || in[pos] == '-')) {
                pos++;
                if (++digits > STRING_CHARS_MAX) {
                    return RequestError.STRING_TOO_LONG;
                }
            }
            return digits == 0 ? RequestError.MALFORMED_JSON : null;
        }
        return RequestError.MALFORMED_JSON;
    }

    private boolean literal(String word) {
        if (end - pos < word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (in[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        pos += word.length();
        return true;
    }

    /** Reads a JSON string into {@link #text}. */
    private RequestError string() {
        if (!take('"')) {
            return RequestError.MALFORMED_JSON;
        }
        text.setLength(0);
        int rawStart = -1;
        while (true) {
            if (pos >= end) {
                return RequestError.MALFORMED_JSON;
            }
            int b = in[pos] & 0xff;
            if (b == '"') {
                pos++;
                break;
            }
            if (text.length() > STRING_CHARS_MAX) {
                return RequestError.STRING_TOO_LONG;
            }
            if (b < 0x20) {
                return RequestError.MALFORMED_JSON;
            }
            if (b == '\\') {
                if (pos + 1 >= end) {
                    return RequestError.MALFORMED_JSON;
                }
                int e = in[pos + 1];
                pos += 2;
                switch (e) {
                    case '"' -> text.append('"');
                    case '\\' -> text.append('\\');
                    case '/' -> text.append('/');
                    case 'b' -> text.append('\b');
                    case 'f' -> text.append('\f');
                    case 'n' -> text.append('\n');
                    case 'r' -> text.append('\r');
                    case 't' -> text.append('\t');
                    case 'u' -> {
                        if (end - pos < 4) {
                            return RequestError.MALFORMED_JSON;
                        }
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int h = Character.digit(in[pos + i], 16);
                            if (h < 0) {
                                return RequestError.MALFORMED_JSON;
                            }
                            v = v << 4 | h;
                        }
                        pos += 4;
                        text.append((char) v);
                    }
                    default -> {
                        return RequestError.MALFORMED_JSON;
                    }
                }
            } else if (b < 0x80) {
                text.append((char) b);
                pos++;
            } else {
                // A run of non-ASCII bytes: strict UTF-8.
                rawStart = pos;
                while (pos < end && (in[pos] & 0x80) != 0) {
                    pos++;
                }
                try {
                    CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(in, rawStart, pos - rawStart));
                    text.append(chars);
                } catch (CharacterCodingException ex) {
                    return RequestError.MALFORMED_JSON;
                }
            }
        }
        return text.length() > STRING_CHARS_MAX ? RequestError.STRING_TOO_LONG : null;
    }

    private void skipSpace() {
        while (pos < end && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
            pos++;
        }
    }

    private int peek() {
        return pos < end ? in[pos] & 0xff : -1;
    }

    private boolean take(char c) {
        if (pos < end && in[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }
}
