package io.ionclock.adapter.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Values from linux/include/uapi/asm-generic/termbits.h, written in octal as there. */
class LinuxTtyTest {

    @Test
    void baudCodesMatchTheKernelHeader() {
        assertEquals(0000014, LinuxTty.baudCode(4800));
        assertEquals(0000015, LinuxTty.baudCode(9600));
        assertEquals(0000016, LinuxTty.baudCode(19200));
        assertEquals(0000017, LinuxTty.baudCode(38400));
        assertEquals(0010001, LinuxTty.baudCode(57600));
        assertEquals(0010002, LinuxTty.baudCode(115200));
        assertEquals(0010003, LinuxTty.baudCode(230400));
        assertEquals(0010004, LinuxTty.baudCode(460800));
        assertEquals(0010007, LinuxTty.baudCode(921600));
        assertThrows(IllegalArgumentException.class, () -> LinuxTty.baudCode(110));
    }

    @Test
    void cflagIs8n1WithReceiverOnModemLinesIgnoredAndNoHardwareFlowControl() {
        int parenb = 0000400;
        int cstopb = 0000100;
        int cs7 = 0000040;
        int crtscts = 020000000000;
        int hupcl = 0002000;
        int b38400 = 0000017;
        int cibaudSet = 0000017 << 16;
        int before = parenb | cstopb | cs7 | crtscts | hupcl | b38400 | cibaudSet;

        int cflag = LinuxTty.raw8n1Cflag(before, LinuxTty.baudCode(9600));

        int cs8 = 0000060;
        int cread = 0000200;
        int clocal = 0004000;
        assertEquals(cs8 | cread | clocal | hupcl | 0000015, cflag);
    }

    @Test
    void iflagOflagLflagAreRaw() {
        int allIflags = 0777777;
        int iflag = LinuxTty.rawIflag(allIflags);
        int ignpar = 0000004;
        int iutf8 = 0040000;
        assertEquals(allIflags & ~(0000001 | 0000002 | 0000010 | 0000020 | 0000040 | 0000100 | 0000200 | 0000400
                | 0001000 | 0002000 | 0004000 | 0010000 | 0020000), iflag);
        assertEquals(ignpar | iutf8, iflag & (ignpar | iutf8));

        assertEquals(0000004, LinuxTty.rawOflag(0000005));

        int echoe = 0000020;
        int lflag = LinuxTty.rawLflag(0000001 | 0000002 | 0000010 | 0000100 | 0100000 | echoe);
        assertEquals(echoe, lflag);
    }
}
