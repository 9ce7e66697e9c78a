package io.ionclock.adapter.net;

import com.sun.jna.Pointer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The {@code InetAddress} of a received datagram's sender, reused while the sender stays in a small direct-mapped
 * cache of {@link #ENTRIES} addresses, so that a few peers talking cost no allocation per datagram. One thread.
 */
final class SenderAddresses {

    /** Addresses kept (a power of two). */
    static final int ENTRIES = 16;

    private final byte[] scratch4 = new byte[LinuxNet.IPV4_ADDRESS_BYTES];
    private final byte[] scratch16 = new byte[LinuxNet.IPV6_ADDRESS_BYTES];
    private final byte[][] bytes = new byte[ENTRIES][];
    private final int[] scopes = new int[ENTRIES];
    private final InetAddress[] addresses = new InetAddress[ENTRIES];
    private long misses;

    /**
     * The address in a sockaddr the kernel filled ({@code nameBytes} long), or null when it is neither a complete
     * sockaddr_in nor sockaddr_in6. An IPv4-mapped IPv6 address is an Inet4Address.
     */
    InetAddress address(Pointer sockaddr, int nameBytes) {
        int family = sockaddr.getShort(LinuxNet.SOCKADDR_FAMILY_OFFSET);
        byte[] scratch;
        int scope = 0;
        if (family == LinuxNet.AF_INET && nameBytes >= LinuxNet.SOCKADDR_IN_SIZE_BYTES) {
            scratch = scratch4;
            sockaddr.read(LinuxNet.SOCKADDR_IN_ADDR_OFFSET, scratch, 0, scratch.length);
        } else if (family == LinuxNet.AF_INET6 && nameBytes >= LinuxNet.SOCKADDR_IN6_SIZE_BYTES) {
            scratch = scratch16;
            sockaddr.read(LinuxNet.SOCKADDR_IN6_ADDR_OFFSET, scratch, 0, scratch.length);
            scope = sockaddr.getInt(LinuxNet.SOCKADDR_IN6_SCOPE_OFFSET);
        } else {
            return null;
        }
        int slot = (Arrays.hashCode(scratch) * 31 + scope) & (ENTRIES - 1);
        if (addresses[slot] != null && scopes[slot] == scope && Arrays.equals(bytes[slot], scratch)) {
            return addresses[slot];
        }
        misses++;
        byte[] copy = scratch.clone();
        InetAddress address;
        try {
            address = scope != 0 && !isV4Mapped(copy)
                    ? Inet6Address.getByAddress(null, copy, scope)
                    : InetAddress.getByAddress(copy);
        } catch (UnknownHostException e) {
            return null; // not reached: the lengths are 4 and 16
        }
        bytes[slot] = copy;
        scopes[slot] = scope;
        addresses[slot] = address;
        return address;
    }

    /** Addresses made because the sender was not cached. */
    long misses() {
        return misses;
    }

    private static boolean isV4Mapped(byte[] address16) {
        for (int i = 0; i < LinuxNet.V4_MAPPED_PREFIX_BYTES - 2; i++) {
            if (address16[i] != 0) {
                return false;
            }
        }
        return address16[LinuxNet.V4_MAPPED_PREFIX_BYTES - 2] == (byte) 0xff
                && address16[LinuxNet.V4_MAPPED_PREFIX_BYTES - 1] == (byte) 0xff;
    }
}
