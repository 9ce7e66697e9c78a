package io.ionclock.app;

import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.ntp.NtpSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The NTP client's settings ({@code ionclock.ntp.*}), checked at start: every error names its key. */
final class NtpSettings {
    /** The fastest poll this client takes (chrony's minpoll -6: 1/64 s, for a LAN server of one's own). */
    static final Duration POLL_MIN = Duration.ofMillis(15);
    /** The slowest (chrony's maxpoll 17: 36 h). */
    static final Duration POLL_MAX = Duration.ofSeconds(1L << 17);
    /** Re-resolving names more often than this is pointless load on DNS. */
    static final Duration RESOLVE_INTERVAL_MIN = Duration.ofSeconds(10);

    private NtpSettings() {
    }

    /** The client's problems with the configuration, one message per bad key (empty: none, or no servers set). */
    static List<String> check(IonclockConfig c) {
        List<String> errors = new ArrayList<>();
        IonclockConfig.Ntp n = c.ntp();
        if (n.servers().isEmpty() || n.servers().get().isBlank()) {
            return errors;
        }
        try {
            NtpClientUdp.parseServers(n.servers().get());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (n.poll().compareTo(POLL_MIN) < 0 || n.poll().compareTo(POLL_MAX) > 0) {
            errors.add("ionclock.ntp.poll: " + n.poll() + " is not in " + POLL_MIN + ".." + POLL_MAX);
        }
        if (n.pollMax().compareTo(n.poll()) < 0 || n.pollMax().compareTo(POLL_MAX) > 0) {
            errors.add("ionclock.ntp.poll-max: " + n.pollMax() + " is not in ionclock.ntp.poll.." + POLL_MAX);
        }
        if (!SyncSettings.TIMESTAMPING.contains(n.timestamping())) {
            errors.add("ionclock.ntp.timestamping: '" + n.timestamping() + "' is not one of " + SyncSettings.TIMESTAMPING);
        }
        if (n.resolveInterval().compareTo(RESOLVE_INTERVAL_MIN) < 0) {
            errors.add("ionclock.ntp.resolve-interval: " + n.resolveInterval() + " is under " + RESOLVE_INTERVAL_MIN);
        }
        return errors;
    }

    /** The client's options; call after {@link #check} found nothing. */
    static NtpClientUdp.Options clientOptions(IonclockConfig c, DisciplineConfig discipline) {
        IonclockConfig.Ntp n = c.ntp();
        NtpSource.Config source = new NtpSource.Config(n.poll().toNanos(), n.pollMax().toNanos(), n.xleave(),
                c.frequencyTolerancePpb(), ClocklinkConfig.WANDER_PPB_PER_SQRT_SECOND_DEFAULT,
                c.sync().filterWindow().toNanos(), c.sync().timestampErrorNanos());
        return new NtpClientUdp.Options(NtpClientUdp.parseServers(n.servers().get()), source, n.timestamping(),
                n.resolveInterval().toNanos());
    }
}
