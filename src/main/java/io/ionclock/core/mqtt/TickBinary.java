package io.ionclock.core.mqtt;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;

/**
 * The tick in a fixed binary layout for sensors that cannot parse JSON: {@link #SIZE_BYTES} bytes,
 * big-endian (network order), two's complement.
 *
 * <pre>
 * offset size field
 *  0     1    version       {@link #VERSION}
 *  1     1    status        0 UNSYNCHRONIZED, 1 SYNCHRONIZED, 2 HOLDOVER, 3 FREE_RUNNING
 *  2     1    leap          0 NONE, 1 INSERT, 2 DELETE
 *  3     1    source        0 NONE, 1 SIM, 2 GNSS, 3 GNSS+PPS, 4 PPS, 5 CLOCKLINK, 255 other
 *  4     4    seq           unsigned, wraps
 *  8     8    epochNanos    ns since the Unix epoch (UTC)
 * 16     8    boundNanos    true time lies within epochNanos +- boundNanos
 * </pre>
 */
public final class TickBinary {
    public static final int SIZE_BYTES = 24;
    public static final int VERSION = 1;
    public static final int SOURCE_OTHER = 255;
    static final String[] SOURCES = {"NONE", "SIM", "GNSS", "GNSS+PPS", "PPS", "CLOCKLINK"};

    private TickBinary() {
    }

    /** Writes the tick at {@code offset}; returns the offset after it. */
    public static int write(byte[] out, int offset, long seq, ClockSnapshot s) {
        if (offset < 0 || offset + SIZE_BYTES > out.length) {
            throw new IllegalArgumentException("no room for " + SIZE_BYTES + " bytes at " + offset);
        }
        out[offset] = (byte) VERSION;
        out[offset + 1] = (byte) s.status().ordinal();
        out[offset + 2] = (byte) s.leap().ordinal();
        out[offset + 3] = (byte) sourceCode(s.source());
        putInt(out, offset + 4, (int) seq);
        putLong(out, offset + 8, s.epochNanos());
        putLong(out, offset + 16, s.boundNanos());
        return offset + SIZE_BYTES;
    }

    public static int sourceCode(String source) {
        for (int i = 0; i < SOURCES.length; i++) {
            if (SOURCES[i].equals(source)) {
                return i;
            }
        }
        return SOURCE_OTHER;
    }

    /** A decoded tick (for tests, the probe and sensors written in Java). */
    public record Tick(int version, ClockStatus status, LeapIndicator leap, int sourceCode, long seq, long epochNanos,
            long boundNanos) {
    }

    /** Reads a tick; throws IllegalArgumentException on a wrong size, version or code. */
    public static Tick read(byte[] in, int offset, int length) {
        if (length != SIZE_BYTES || offset < 0 || offset + length > in.length) {
            throw new IllegalArgumentException("a binary tick is " + SIZE_BYTES + " bytes, got " + length);
        }
        int version = in[offset] & 0xff;
        int status = in[offset + 1] & 0xff;
        int leap = in[offset + 2] & 0xff;
        if (version != VERSION || status >= ClockStatus.values().length || leap >= LeapIndicator.values().length) {
            throw new IllegalArgumentException("bad version/status/leap " + version + "/" + status + "/" + leap);
        }
        return new Tick(version, ClockStatus.values()[status], LeapIndicator.values()[leap], in[offset + 3] & 0xff,
                getInt(in, offset + 4) & 0xffff_ffffL, getLong(in, offset + 8), getLong(in, offset + 16));
    }

    static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static void putLong(byte[] b, int o, long v) {
        putInt(b, o, (int) (v >>> 32));
        putInt(b, o + 4, (int) v);
    }

    static int getInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | b[o + 3] & 0xff;
    }

    static long getLong(byte[] b, int o) {
        return (long) getInt(b, o) << 32 | getInt(b, o + 4) & 0xffff_ffffL;
    }
}
