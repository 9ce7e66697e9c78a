package io.ionclock.core.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit log's JSON: one flat object a line, written with its keys in a fixed order (numbers as integers,
 * strings escaped as RFC 8259 requires, booleans), and read back by a strict parser of exactly that shape (a flat
 * object of strings, integers, booleans and null; nothing nested). Untrusted input: a line that is not such an object
 * is refused with a message, never an exception other than {@link IllegalArgumentException}.
 */
public final class AuditJson {
    /** A line longer than this is not a record (the writer never writes one: see {@link AuditFormat#LINE_BYTES_MAX}). */
    public static final int LINE_CHARS_MAX = 8192;
    /** Fields in one object, at most. */
    public static final int FIELDS_MAX = 64;

    private AuditJson() {
    }

    /** Appends {@code value} as a JSON string (quoted, escaped). */
    public static void appendString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c)); // ASCII only: the line's bytes are its chars
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Appends one value: String, Long/Integer, Boolean; anything else is a programming error. */
    public static void appendValue(StringBuilder out, Object value) {
        if (value instanceof String s) {
            appendString(out, s);
        } else if (value instanceof Long || value instanceof Integer) {
            out.append(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else {
            throw new IllegalArgumentException("audit field value must be String, Long, Integer or Boolean: " + value);
        }
    }

    /**
     * Parses one flat object. Values: String, Long, Boolean, or the {@link #NULL} marker.
     *
     * @throws IllegalArgumentException naming the column of the first fault
     */
    public static Map<String, Object> parse(String line) {
        if (line.length() > LINE_CHARS_MAX) {
            throw new IllegalArgumentException("longer than " + LINE_CHARS_MAX + " characters");
        }
        Parser p = new Parser(line);
        Map<String, Object> out = new LinkedHashMap<>();
        p.expect('{');
        if (p.peek() == '}') {
            p.pos++;
        } else {
            while (true) {
                String key = p.string();
                p.expect(':');
                Object value = p.value();
                if (out.putIfAbsent(key, value) != null) {
                    throw new IllegalArgumentException("key '" + key + "' twice");
                }
                if (out.size() > FIELDS_MAX) {
                    throw new IllegalArgumentException("more than " + FIELDS_MAX + " fields");
                }
                char c = p.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw p.fault("',' or '}' expected");
                }
            }
        }
        if (p.pos != line.length()) {
            throw p.fault("text after the object");
        }
        return out;
    }

    /** The JSON null, as a value in {@link #parse}'s map. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException fault(String what) {
            return new IllegalArgumentException(what + " at column " + (pos + 1));
        }

        char peek() {
            if (pos >= s.length()) {
                throw fault("unexpected end");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                pos--;
                throw fault("'" + c + "' expected");
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw fault("control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw fault("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fault("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw fault("bad escape");
                }
            }
        }

        Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return NULL;
            }
            int start = pos;
            if (c == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos == start || (pos == start + 1 && c == '-')) {
                throw fault("a value expected");
            }
            try {
                return Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException ex) {
                pos = start;
                throw fault("integer out of range");
            }
        }
    }
}
