package io.ionclock.app;

import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.core.SourceSelector;
import io.ionclock.adapter.net.NtpServerUdp;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.DriftAllowance;
import io.ionclock.core.Sample;
import io.ionclock.core.SourceStats;
import io.ionclock.core.clocklink.PeerStatus;
import io.ionclock.core.hostclock.ChronyFeedPolicy;
import io.ionclock.core.hostclock.FeedResult;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/status}: the clock state, the reference, each source's statistics and state in the selection,
 * Clocklink ({@code sync}, null when {@code ionclock.sync.role} is off), the NTP client ({@code ntp}, null when
 * {@code ionclock.ntp.servers} is not set) and the NTP server ({@code ntpServer}, null when {@code ionclock.ntp.server}
 * is off), and what ionclock does with the host's clock ({@code hostClock}, always present; the last field).
 */
@RegisterForReflection(targets = {ClocklinkUdp.View.class, PeerStatus.class, NtpClientUdp.ServerView.class,
        NtpServerUdp.View.class})
public record StatusResponse(
        String profile,
        TimeResponse time,
        ClockState clock,
        Reference reference,
        List<SourceState> sources,
        ClocklinkUdp.View sync,
        NtpClient ntp,
        NtpServerUdp.View ntpServer,
        Leap leap,
        HostClock hostClock) {

    /**
     * Leap seconds: the {@code policy} and the {@code timescale} served, the leap {@code announced} for the end of the
     * day and who decided it ({@code decidedBy}: {@code list}, {@code sources} or {@code none}), the pending leap's
     * midnight ({@code pendingEpochSeconds}, 0 if none), the leaps folded into the clock since start
     * ({@code offsetNanos}), samples dropped within a leap's guard, and the list: {@code state} valid, missing or
     * invalid, {@code expired} (an expired list is not used: no leap is invented from it), its expiry.
     */
    @RegisterForReflection
    public record Leap(String policy, String timescale, String announced, String decidedBy, long pendingEpochSeconds,
            long offsetNanos, long guardDrops, LeapList list) {
    }

    @RegisterForReflection
    public record LeapList(String path, String state, boolean expired, long expiresEpochSeconds, String expires,
            int entries, String note) {
    }

    /**
     * {@code ionclock.host-clock}: the {@code mode} in force and why ({@code reason}); for chrony-sock the socket
     * {@code path}, {@code boundNanosMax}, samples {@code sent}, updates {@code skipped} by reason and sends that failed
     * ({@code failed}: no_socket, queue_full, send_error) with the {@code lastError}; {@code lastSentOffsetNanos} is
     * ionclock's time minus the system clock in the last sample sent (chrony's sign: positive when the system clock is
     * behind) and {@code lastSentBoundNanos} the error it carried (-1: none sent).
     */
    @RegisterForReflection
    public record HostClock(String mode, String reason, String path, long boundNanosMax, long sent,
            Map<String, Long> skipped, Map<String, Long> failed, String lastError, long lastSentOffsetNanos,
            long lastSentBoundNanos, Discipline discipline) {
    }

    /**
     * {@code ionclock.host-clock=discipline}: whether the loop runs, the system clock minus ionclock's UTC at the last
     * update ({@code offsetNanos}), the learned base frequency and the frequency set in the kernel (ppb), updates,
     * steps (only before the first synchronisation), steps refused (slewed instead) and kernel errors.
     */
    @RegisterForReflection
    public record Discipline(boolean started, boolean everSynchronized, long offsetNanos, double baseFrequencyPpb,
            double frequencyPpb, long updates, long steps, long stepsRefused, long kernelErrors, String lastKernelError) {
    }

    /** The NTP client: its socket and each upstream server. */
    @RegisterForReflection
    public record NtpClient(int localPort, String timestamping, String timestampingNote, long unknownSenders,
            long failures, List<NtpServer> servers) {
    }

    /**
     * One upstream NTP server: {@code selection} is its state in the selection (as in {@code sources}),
     * {@code offsetNanos} our clock minus the server's (its newest sample, at the selection) and {@code boundNanos}
     * that sample's honest half-width there; {@code server} is the protocol's own state (reach in octal as chrony's,
     * poll, stratum, reference id, root delay and dispersion, the newest round trip, answers, drops by reason).
     */
    @RegisterForReflection
    public record NtpServer(String name, String selection, long offsetNanos, long boundNanos, String reach,
            NtpClientUdp.ServerView server) {
    }

    /**
     * The discipline's state; offsets are {@code local - reference} (positive: we are ahead).
     * {@code systemClockOffsetNanos} is the host's system clock minus ionclock's time (positive: the system clock is
     * ahead), read back to back, as chronyc tracking's "System time".
     */
    @RegisterForReflection
    public record ClockState(long offsetNanos, long lastOffsetNanos, double frequencyPpb, double frequencyErrorPpb,
            double jitterNanos, long lastSampleAgeNanos, int sampleCount, long monotonicViolations, long steps,
            long windowResets, long windowRestores, int queuedSamples, long systemClockOffsetNanos,
            DriftState driftAllowance) {
    }

    /**
     * The oscillator allowance the bound uses: the profile's {@code configuredPpb}, the {@code inForcePpb} (wider after
     * the samples proved the crystal moved faster; {@code widened}), how often that happened, the evidence then (a lower
     * bound on how far the frequency had moved from its window's mean, ppb) and how long ago (-1: never).
     */
    @RegisterForReflection
    public record DriftState(long configuredPpb, long inForcePpb, boolean widened, long widenings, double lastEvidencePpb,
            long lastWideningAgeNanos) {
    }

    @RegisterForReflection
    public record Reference(String kind, boolean alive, Map<String, Object> details) {
    }

    /**
     * One source of samples: {@code state} in the selection (SELECTED feeds the discipline; CANDIDATE agrees but a
     * better source is used; FALSETICKER, OUTLIER, NO_MAJORITY, UNREACHABLE, NO_DATA), and what became of its samples.
     */
    @RegisterForReflection
    public record SourceState(String name, String state, long accepted, long rejectedSuspect, long rejectedStale,
            long droppedQueueFull, long notSelected, LastSample lastSample) {
    }

    /** The last accepted sample: {@code offsetNanos} against the clock before it was applied. */
    @RegisterForReflection
    public record LastSample(long monoNanos, long refEpochNanos, long refBoundNanos, long measurementErrorNanos,
            long offsetNanos, long ageNanos) {
    }

    static StatusResponse of(ClockService service, String profile, NtpServerUdp.View ntpServer) {
        ClockSnapshot s = service.snapshot();
        var c = service.clock();
        ClockState clock = new ClockState(s.offsetNanos(), s.lastOffsetNanos(), s.frequencyPpb(), s.frequencyErrorPpb(),
                s.jitterNanos(), s.lastSampleAgeNanos(), s.sampleCount(), c.monotonicViolations(), c.steps(),
                c.windowResets(), c.windowRestores(), service.queuedSamples(), service.systemClockOffsetNanos(),
                driftState(c.driftAllowance(), s.monoNanos()));
        Reference reference = service.reference()
                .map(r -> new Reference(r.kind(), service.referenceAlive(), r.details()))
                .orElse(new Reference("none", true, Map.of()));
        List<SourceState> sources = service.sources().stream().map(src -> sourceState(service, src, s.monoNanos())).toList();
        ClocklinkUdp.View sync = service.clocklink().map(ClocklinkUdp::view).orElse(null);
        NtpClient ntp = service.ntpClient().map(n -> ntpClient(service, n, s.monoNanos())).orElse(null);
        return new StatusResponse(profile, TimeResponse.of(s, service.timescale()), clock, reference, sources, sync, ntp,
                ntpServer, leap(service, s), hostClock(service));
    }

    static Leap leap(ClockService service, ClockSnapshot s) {
        var f = service.leapFile();
        var schedule = service.clock().leapSchedule();
        LeapList list = new LeapList(f.path().toString(), f.state(), f.list() != null && f.list().expired(s.epochNanos()),
                f.list() == null ? 0 : f.list().expiresEpochSeconds(),
                f.list() == null ? null : java.time.Instant.ofEpochSecond(f.list().expiresEpochSeconds()).toString(),
                f.list() == null ? 0 : f.list().entries(), f.note());
        return new Leap(service.leapPolicy().name(), service.timescale(), s.leap().name(),
                service.discipline().leapDecidedBy(), schedule.leapEpochSeconds(), schedule.offsetNanos(),
                service.discipline().leapGuardDrops(), list);
    }

    static HostClock hostClock(ClockService service) {
        HostClockSettings.Mode mode = service.hostClockMode();
        ChronyFeedPolicy p = service.chronyFeedPolicy().orElse(null);
        if (p == null) {
            Discipline d = service.hostDiscipline().map(h -> new Discipline(h.started(), h.everSynchronized(),
                    h.lastOffsetNanos(), h.baseFrequencyPpb(), h.frequencyPpb(), h.updateCount(), h.stepCount(),
                    h.stepsRefusedCount(), h.kernelErrorCount(), h.lastKernelError())).orElse(null);
            return new HostClock(mode.mode(), mode.reason(), null, 0, 0, Map.of(), Map.of(), "", 0, -1, d);
        }
        Map<String, Long> skipped = new java.util.LinkedHashMap<>();
        Map<String, Long> failed = new java.util.LinkedHashMap<>();
        for (FeedResult r : FeedResult.values()) {
            if (r == FeedResult.SENT || !r.isOutcome()) {
                continue;
            }
            (r.name().startsWith("SKIPPED_") ? skipped : failed).put(r.label().replace("skipped_", ""), p.count(r));
        }
        return new HostClock(mode.mode(), mode.reason(), service.chronyFeed().map(f -> f.path()).orElse(null),
                p.boundNanosMax(), p.count(FeedResult.SENT), skipped, failed,
                service.chronyFeed().map(f -> f.lastError()).orElse(""), p.lastSentTrueMinusSystemNanos(),
                p.lastSentBoundNanos(), null);
    }

    private static NtpClient ntpClient(ClockService service, NtpClientUdp n, long nowMonoNanos) {
        List<SourceSelector.SourceView> selection = service.selection();
        List<NtpServer> servers = n.views().stream().map(v -> {
            SourceSelector.SourceView sv = selection.stream().filter(x -> x.name().equals(NtpClientUdp.KIND_PREFIX + v.name())).findFirst()
                    .orElse(null);
            return new NtpServer(v.name(), sv == null ? "NO_DATA" : sv.stateAt(nowMonoNanos).name(),
                    sv == null ? 0 : sv.offsetNanos(), sv == null ? -1 : sv.boundNanos(),
                    Integer.toOctalString(v.reach()), v);
        }).toList();
        return new NtpClient(n.localPort(), n.timestamping(), n.timestampingNote(), n.unknownSenders(), n.failures(),
                servers);
    }

    private static DriftState driftState(DriftAllowance d, long nowMonoNanos) {
        return new DriftState(d.configuredPpb(), d.inForcePpb(), d.widened(), d.widenings(), d.lastEvidencePpb(),
                d.lastWideningMonoNanos() == Long.MIN_VALUE ? -1 : nowMonoNanos - d.lastWideningMonoNanos());
    }

    private static SourceState sourceState(ClockService service, SourceStats.Source src, long nowMonoNanos) {
        Sample last = src.lastSample();
        LastSample lastSample = last == null ? null
                : new LastSample(last.monoNanos(), last.refEpochNanos(), last.refBoundNanos(),
                        last.measurementErrorNanos(), src.lastOffsetNanos(), nowMonoNanos - last.monoNanos());
        return new SourceState(src.name, service.sourceState(src.name, nowMonoNanos).name(), src.accepted.get(),
                src.rejectedSuspect.get(), src.rejectedStale.get(), src.droppedQueueFull.get(), src.notSelected.get(),
                lastSample);
    }
}
