package io.ionclock.adapter.pps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

/**
 * PPS ioctl request numbers. The expected values are computed here from the _IOC formula of
 * include/uapi/asm-generic/ioctl.h and compared with the literals gcc gives for linux/pps.h on x86_64/aarch64
 * (pointer size 8) and armhf (pointer size 4).
 */
class LinuxPpsTest {

    /** _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr; _IOC_WRITE = 1, _IOC_READ = 2. */
    private static long expectedIoc(long dir, char type, long nr, long size) {
        return (dir << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    private static long unsigned(int request) {
        return Integer.toUnsignedLong(request);
    }

    @Test
    void requestsFor64BitPointersMatchTheKernelHeader() {
        assertEquals(expectedIoc(2, 'p', 0xa1, 8), unsigned(LinuxPps.ppsGetParams(8)));
        assertEquals(expectedIoc(1, 'p', 0xa2, 8), unsigned(LinuxPps.ppsSetParams(8)));
        assertEquals(expectedIoc(2, 'p', 0xa3, 8), unsigned(LinuxPps.ppsGetCap(8)));
        assertEquals(expectedIoc(3, 'p', 0xa4, 8), unsigned(LinuxPps.ppsFetch(8)));

        assertEquals(0x800870a1L, unsigned(LinuxPps.ppsGetParams(8)));
        assertEquals(0x400870a2L, unsigned(LinuxPps.ppsSetParams(8)));
        assertEquals(0x800870a3L, unsigned(LinuxPps.ppsGetCap(8)));
        assertEquals(0xc00870a4L, unsigned(LinuxPps.ppsFetch(8)));
    }

    @Test
    void requestsFor32BitPointersMatchTheKernelHeader() {
        assertEquals(expectedIoc(2, 'p', 0xa1, 4), unsigned(LinuxPps.ppsGetParams(4)));
        assertEquals(expectedIoc(3, 'p', 0xa4, 4), unsigned(LinuxPps.ppsFetch(4)));

        assertEquals(0x800470a1L, unsigned(LinuxPps.ppsGetParams(4)));
        assertEquals(0x400470a2L, unsigned(LinuxPps.ppsSetParams(4)));
        assertEquals(0x800470a3L, unsigned(LinuxPps.ppsGetCap(4)));
        assertEquals(0xc00470a4L, unsigned(LinuxPps.ppsFetch(4)));
    }

    @Test
    void requestsInUseAreThoseForThisProcessPointerSize() {
        assertEquals(unsigned(LinuxPps.ppsGetParams(Native.POINTER_SIZE)),
                LinuxPps.Holder.GETPARAMS.longValue());
        assertEquals(unsigned(LinuxPps.ppsSetParams(Native.POINTER_SIZE)),
                LinuxPps.Holder.SETPARAMS.longValue());
        assertEquals(unsigned(LinuxPps.ppsGetCap(Native.POINTER_SIZE)), LinuxPps.Holder.GETCAP.longValue());
        assertEquals(unsigned(LinuxPps.ppsFetch(Native.POINTER_SIZE)), LinuxPps.Holder.FETCH.longValue());
        if (Native.POINTER_SIZE == 8) {
            assertEquals(0xc00870a4L, LinuxPps.Holder.FETCH.longValue());
        }
    }

    @Test
    void iocRejectsSizesThatDoNotFitTheSizeField() {
        assertThrows(IllegalArgumentException.class, () -> LinuxPps.ioc(LinuxPps.IOC_READ, 'p', 1, 1 << 14));
        assertThrows(IllegalArgumentException.class, () -> LinuxPps.ioc(LinuxPps.IOC_READ, 'p', 1, -1));
    }
}
