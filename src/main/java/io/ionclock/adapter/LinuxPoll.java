package io.ionclock.adapter;

/** poll(2) on Linux: the event bits and {@code struct pollfd { int fd; short events; short revents; }} at explicit offsets. */
public final class LinuxPoll {
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int POLLFD_SIZE_BYTES = 8;
    public static final int POLLFD_FD_OFFSET = 0;
    public static final int POLLFD_EVENTS_OFFSET = 4;
    public static final int POLLFD_REVENTS_OFFSET = 6;

    private LinuxPoll() {
    }
}
