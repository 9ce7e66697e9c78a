package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Layouts against golden bytes (values from gcc and the kernel headers on x86_64), and the sender cache. */
class LinuxNetTest {

    @BeforeAll
    static void lp64Linux() {
        assumeTrue(LinuxNet.supported(), "LP64 Linux only");
    }

    @Test
    void controlMessageArithmeticMatchesTheCMacros() {
        assertEquals(20, LinuxNet.cmsgLen(4)); // CMSG_LEN(sizeof(u32))
        assertEquals(24, LinuxNet.cmsgSpace(4)); // CMSG_SPACE(sizeof(u32))
        assertEquals(64, LinuxNet.cmsgSpace(LinuxNet.SCM_TIMESTAMPING_SIZE_BYTES));
        assertEquals(64, LinuxNet.cmsgSpace(LinuxNet.EXTENDED_ERR_SIZE_BYTES + LinuxNet.SOCKADDR_IN6_SIZE_BYTES));
        assertEquals(48, LinuxNet.cmsgAlign(44));
        assertEquals(48, LinuxNet.cmsgAlign(48));
        assertEquals(0x2000 | 0x40, LinuxNet.MSG_ERRQUEUE | LinuxNet.MSG_DONTWAIT);
        // RX_SOFTWARE | TX_SOFTWARE | SOFTWARE | OPT_ID | OPT_TSONLY
        assertEquals(0x89a, LinuxNet.TIMESTAMPING_SOFTWARE);
        assertEquals(0x45, LinuxNet.TIMESTAMPING_HARDWARE);
    }

    @Test
    void writesSockaddrInGoldenBytes() throws Exception {
        try (Memory name = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES)) {
            name.clear();
            name.setLong(8, -1); // the zero padding must be written
            assertEquals(16, LinuxNet.writeSockaddr(name, LinuxNet.AF_INET, InetAddress.getByName("127.0.0.1"),
                    0x1234));
            assertArrayEquals(new byte[] {2, 0, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                    name.getByteArray(0, 16));
            assertEquals(0x1234, LinuxNet.readPort(name));
            assertEquals(-1, LinuxNet.writeSockaddr(name, LinuxNet.AF_INET, InetAddress.getByName("::1"), 1));
        }
    }

    @Test
    void writesSockaddrIn6GoldenBytesIncludingIpv4Mapped() throws Exception {
        try (Memory name = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES)) {
            name.clear();
            assertEquals(28, LinuxNet.writeSockaddr(name, LinuxNet.AF_INET6,
                    Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3), 443));
            byte[] expected = new byte[28];
            expected[0] = 10;
            expected[2] = 1;
            expected[3] = (byte) 0xbb;
            expected[8] = (byte) 0xfe;
            expected[9] = (byte) 0x80;
            expected[23] = 1;
            expected[24] = 3; // scope id, little-endian u32
            assertArrayEquals(expected, name.getByteArray(0, 28));

            assertEquals(28, LinuxNet.writeSockaddr(name, LinuxNet.AF_INET6, InetAddress.getByName("10.1.2.3"), 9));
            byte[] mapped = new byte[28];
            mapped[0] = 10;
            mapped[3] = 9;
            mapped[18] = (byte) 0xff;
            mapped[19] = (byte) 0xff;
            mapped[20] = 10;
            mapped[21] = 1;
            mapped[22] = 2;
            mapped[23] = 3;
            assertArrayEquals(mapped, name.getByteArray(0, 28));
        }
    }

    @Test
    void sendersAreCachedAndMappedAddressesAreIpv4() throws Exception {
        SenderAddresses senders = new SenderAddresses();
        try (Memory name = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES)) {
            name.clear();
            LinuxNet.writeSockaddr(name, LinuxNet.AF_INET, InetAddress.getByName("192.0.2.7"), 5);
            InetAddress first = senders.address(name, 16);
            assertEquals(InetAddress.getByName("192.0.2.7"), first);
            assertSame(first, senders.address(name, 16));
            assertEquals(1, senders.misses());
            assertNull(senders.address(name, 8), "a short name is refused");

            LinuxNet.writeSockaddr(name, LinuxNet.AF_INET6, InetAddress.getByName("192.0.2.7"), 5);
            InetAddress mapped = senders.address(name, 28);
            assertInstanceOf(Inet4Address.class, mapped);
            assertEquals(first, mapped);

            LinuxNet.writeSockaddr(name, LinuxNet.AF_INET6,
                    Inet6Address.getByAddress(null, InetAddress.getByName("fe80::2").getAddress(), 2), 5);
            Inet6Address scoped = (Inet6Address) senders.address(name, 28);
            assertEquals(2, scoped.getScopeId());

            name.setShort(0, (short) 1); // AF_UNIX
            assertNull(senders.address(name, 28));
        }
    }
}
