package io.ionclock.core.ntp;

/**
 * The NTP header (RFC 5905 figure 8): 48 bytes, big-endian, read from and written into the caller's buffer at
 * explicit offsets. Mutable and reused (one per socket); the four timestamps are kept raw (64-bit NTP format, see
 * {@link NtpTime}) so that an origin timestamp is echoed bit for bit.
 *
 * <pre>
 *  0 LI(2) VN(3) Mode(3)   1 stratum   2 poll (s8, log2 s)   3 precision (s8, log2 s)
 *  4 root delay (short)    8 root dispersion (short)          12 reference id
 * 16 reference timestamp  24 origin timestamp  32 receive timestamp  40 transmit timestamp
 * </pre>
 * Anything after byte 48 (extension fields, a MAC) is not part of this type: see {@link NtpDropReason}.
 */
public final class NtpPacket {
    public static final int SIZE_BYTES = 48;
    /** Longest request this appliance reads at all (a header, extension fields, a MAC); longer is dropped unread. */
    public static final int DATAGRAM_BYTES_MAX = 1024;

    public static final int OFF_FLAGS = 0;
    public static final int OFF_STRATUM = 1;
    public static final int OFF_POLL = 2;
    public static final int OFF_PRECISION = 3;
    public static final int OFF_ROOT_DELAY = 4;
    public static final int OFF_ROOT_DISPERSION = 8;
    public static final int OFF_REFERENCE_ID = 12;
    public static final int OFF_REFERENCE_TS = 16;
    public static final int OFF_ORIGIN_TS = 24;
    public static final int OFF_RECEIVE_TS = 32;
    public static final int OFF_TRANSMIT_TS = 40;

    /** Modes (RFC 5905 figure 10), as on the wire. */
    public static final int MODE_SYMMETRIC_ACTIVE = 1;
    public static final int MODE_SYMMETRIC_PASSIVE = 2;
    public static final int MODE_CLIENT = 3;
    public static final int MODE_SERVER = 4;
    public static final int MODE_BROADCAST = 5;
    public static final int MODE_CONTROL = 6;
    public static final int MODE_PRIVATE = 7;

    /** Leap indicator values on the wire. */
    public static final int LI_NONE = 0;
    public static final int LI_INSERT = 1;
    public static final int LI_DELETE = 2;
    public static final int LI_UNSYNCHRONIZED = 3;

    /** Versions this appliance answers (RFC 5905 servers answer 1..4; ours 3 and 4 and, as chrony, 1 and 2). */
    public static final int VERSION_MIN = 1;
    public static final int VERSION = 4;

    /** Stratum 0 in a server packet: a Kiss-o'-Death (its reference id is the kiss code). */
    public static final int STRATUM_KOD = 0;
    /** Stratum of an unsynchronised server (RFC 5905: 16). */
    public static final int STRATUM_UNSYNCHRONIZED = 16;

    public static final int KISS_RATE = ascii("RATE");
    public static final int KISS_DENY = ascii("DENY");
    public static final int KISS_RSTR = ascii("RSTR");
    public static final int REFID_GPS = ascii("GPS\0");
    public static final int REFID_PPS = ascii("PPS\0");
    /** chrony's reference id for an unsynchronised server's "local" clock is its own; RFC 5905 sends "INIT". */
    public static final int REFID_INIT = ascii("INIT");

    public int leap;
    public int version;
    public int mode;
    public int stratum;
    public int poll;
    public int precision;
    /** Root delay, short format (16.16 s, unsigned, as read). */
    public long rootDelay;
    /** Root dispersion, short format. */
    public long rootDispersion;
    public int referenceId;
    public long referenceTimestamp;
    public long originTimestamp;
    public long receiveTimestamp;
    public long transmitTimestamp;

    /** Reads the header at {@code off}; the caller has checked that {@link #SIZE_BYTES} bytes are there. */
    public NtpPacket read(byte[] buf, int off) {
        int b0 = buf[off + OFF_FLAGS] & 0xFF;
        leap = b0 >>> 6;
        version = (b0 >>> 3) & 7;
        mode = b0 & 7;
        stratum = buf[off + OFF_STRATUM] & 0xFF;
        poll = buf[off + OFF_POLL];
        precision = buf[off + OFF_PRECISION];
        rootDelay = u32(buf, off + OFF_ROOT_DELAY);
        rootDispersion = u32(buf, off + OFF_ROOT_DISPERSION);
        referenceId = (int) u32(buf, off + OFF_REFERENCE_ID);
        referenceTimestamp = u64(buf, off + OFF_REFERENCE_TS);
        originTimestamp = u64(buf, off + OFF_ORIGIN_TS);
        receiveTimestamp = u64(buf, off + OFF_RECEIVE_TS);
        transmitTimestamp = u64(buf, off + OFF_TRANSMIT_TS);
        return this;
    }

    /** Writes the header at {@code off}; returns {@link #SIZE_BYTES}. */
    public int write(byte[] buf, int off) {
        if (leap < 0 || leap > 3 || version < 0 || version > 7 || mode < 0 || mode > 7 || stratum < 0 || stratum > 255) {
            throw new IllegalArgumentException("NTP header field out of range");
        }
        buf[off + OFF_FLAGS] = (byte) (leap << 6 | version << 3 | mode);
        buf[off + OFF_STRATUM] = (byte) stratum;
        buf[off + OFF_POLL] = (byte) poll;
        buf[off + OFF_PRECISION] = (byte) precision;
        putU32(buf, off + OFF_ROOT_DELAY, rootDelay);
        putU32(buf, off + OFF_ROOT_DISPERSION, rootDispersion);
        putU32(buf, off + OFF_REFERENCE_ID, referenceId & 0xFFFF_FFFFL);
        putU64(buf, off + OFF_REFERENCE_TS, referenceTimestamp);
        putU64(buf, off + OFF_ORIGIN_TS, originTimestamp);
        putU64(buf, off + OFF_RECEIVE_TS, receiveTimestamp);
        putU64(buf, off + OFF_TRANSMIT_TS, transmitTimestamp);
        return SIZE_BYTES;
    }

    /** Zeroes every field. */
    public NtpPacket clear() {
        leap = version = mode = stratum = poll = precision = referenceId = 0;
        rootDelay = rootDispersion = referenceTimestamp = originTimestamp = receiveTimestamp = transmitTimestamp = 0;
        return this;
    }

    /** The reference id as text when it is a kiss code or a stratum-1 source name, e.g. "RATE", "GPS". */
    public static String refIdText(int referenceId) {
        StringBuilder s = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (referenceId >>> shift) & 0xFF;
            if (c == 0) {
                break;
            }
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }

    /** Four ASCII characters (NUL-padded) as a reference id. */
    public static int ascii(String fourChars) {
        if (fourChars.length() != 4) {
            throw new IllegalArgumentException("a reference id is 4 characters: " + fourChars);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | (fourChars.charAt(i) & 0xFF);
        }
        return v;
    }

    static long u32(byte[] b, int o) {
        return (b[o] & 0xFFL) << 24 | (b[o + 1] & 0xFFL) << 16 | (b[o + 2] & 0xFFL) << 8 | (b[o + 3] & 0xFFL);
    }

    static long u64(byte[] b, int o) {
        return u32(b, o) << 32 | u32(b, o + 4);
    }

    static void putU32(byte[] b, int o, long v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static void putU64(byte[] b, int o, long v) {
        putU32(b, o, v >>> 32);
        putU32(b, o + 4, v);
    }
}
