package io.ionclock.adapter.pps;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Linux PPS API (RFC 2783 as implemented by linux/pps.h), through JNA interface mapping.
 * Structures are explicit offsets (no JNA Structure, so native-image needs no field reflection).
 *
 * <p>The ioctl request numbers encode the size of a <em>pointer</em>, not of the structure:
 * {@code #define PPS_FETCH _IOWR('p', 0xa4, struct pps_fdata *)}. They are computed for the running
 * process from {@link Native#POINTER_SIZE}:
 * <pre>
 *                 64-bit pointers (x86_64, aarch64)   32-bit pointers (armhf)
 * PPS_GETPARAMS   0x800870a1                          0x800470a1
 * PPS_SETPARAMS   0x400870a2                          0x400470a2
 * PPS_GETCAP      0x800870a3                          0x800470a3
 * PPS_FETCH       0xc00870a4                          0xc00470a4
 * </pre>
 * The structure layouts below hold where a 64-bit integer is 8-byte aligned (x86_64, aarch64, armhf EABI:
 * checked with gcc against linux/pps.h for all three). i386 packs them differently and is not supported.
 */
final class LinuxPps {

    static final int IOC_WRITE = 1;
    static final int IOC_READ = 2;
    static final int IOC_NR_SHIFT = 0;
    static final int IOC_TYPE_SHIFT = 8;
    static final int IOC_SIZE_SHIFT = 16;
    static final int IOC_DIR_SHIFT = 30;
    static final int IOC_SIZE_MAX = (1 << 14) - 1;
    static final int PPS_IOC_TYPE = 'p';

    static final int PPS_CAPTUREASSERT = 0x01;
    static final int PPS_CAPTURECLEAR = 0x02;
    static final int PPS_CANWAIT = 0x100;
    static final int PPS_TIME_INVALID = 0x1;

    /** struct pps_ktime { __s64 sec; __s32 nsec; __u32 flags; }. */
    static final int KTIME_SEC_OFFSET = 0;
    static final int KTIME_NSEC_OFFSET = 8;
    static final int KTIME_FLAGS_OFFSET = 12;
    /** struct pps_fdata { struct pps_kinfo info; struct pps_ktime timeout; }. */
    static final int FDATA_SIZE_BYTES = 64;
    static final int FDATA_ASSERT_SEQUENCE_OFFSET = 0;
    static final int FDATA_ASSERT_TU_OFFSET = 8;
    static final int FDATA_TIMEOUT_OFFSET = 48;
    /** struct pps_kparams { int api_version; int mode; struct pps_ktime assert_off_tu, clear_off_tu; }. */
    static final int KPARAMS_SIZE_BYTES = 40;
    static final int KPARAMS_MODE_OFFSET = 4;

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;


    /** The libc functions used; {@code unsigned long} is NativeLong. */
    interface PpsLibC extends Library {
        int open(String path, int flags);

        int close(int fd);

        int ioctl(int fd, NativeLong request, Pointer arg);
    }

    static final class Holder {
        static final PpsLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, PpsLibC.class);
        static final NativeLong GETPARAMS = request(ppsGetParams(Native.POINTER_SIZE));
        static final NativeLong SETPARAMS = request(ppsSetParams(Native.POINTER_SIZE));
        static final NativeLong GETCAP = request(ppsGetCap(Native.POINTER_SIZE));
        static final NativeLong FETCH = request(ppsFetch(Native.POINTER_SIZE));

        private static NativeLong request(int request) {
            return new NativeLong(Integer.toUnsignedLong(request), true);
        }
    }

    private LinuxPps() {
    }

    /** The kernel's {@code _IOC(dir, type, nr, size)}, as the 32 bits the kernel compares. */
    static int ioc(int dir, int type, int nr, int sizeBytes) {
        if (sizeBytes < 0 || sizeBytes > IOC_SIZE_MAX) {
            throw new IllegalArgumentException("ioctl size out of range: " + sizeBytes);
        }
        return (dir << IOC_DIR_SHIFT) | (sizeBytes << IOC_SIZE_SHIFT) | (type << IOC_TYPE_SHIFT)
                | (nr << IOC_NR_SHIFT);
    }

    /** {@code _IOR('p', 0xa1, struct pps_kparams *)}. */
    static int ppsGetParams(int pointerSizeBytes) {
        return ioc(IOC_READ, PPS_IOC_TYPE, 0xa1, pointerSizeBytes);
    }

    /** {@code _IOW('p', 0xa2, struct pps_kparams *)}. */
    static int ppsSetParams(int pointerSizeBytes) {
        return ioc(IOC_WRITE, PPS_IOC_TYPE, 0xa2, pointerSizeBytes);
    }

    /** {@code _IOR('p', 0xa3, int *)}. */
    static int ppsGetCap(int pointerSizeBytes) {
        return ioc(IOC_READ, PPS_IOC_TYPE, 0xa3, pointerSizeBytes);
    }

    /** {@code _IOWR('p', 0xa4, struct pps_fdata *)}. */
    static int ppsFetch(int pointerSizeBytes) {
        return ioc(IOC_READ | IOC_WRITE, PPS_IOC_TYPE, 0xa4, pointerSizeBytes);
    }

    /** Whether the structure layouts above match this process (see class comment). */
    static boolean layoutSupported() {
        return Native.POINTER_SIZE == 8 || Platform.isARM();
    }
}
