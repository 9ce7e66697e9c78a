package io.ionclock.app;

import io.ionclock.adapter.net.NtpServerUdp;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.SourceSelector;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.leap.LeapSchedule;
import io.ionclock.core.ntp.NtpServer;
import io.ionclock.core.select.Verdict;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The NTP server ({@code ionclock.ntp.server}): answers from the same disciplined clock as every other publisher,
 * with the stratum and reference id of the source the selection uses. Starts after {@link ClockService}.
 */
@ApplicationScoped
public class NtpServerService {
    private static final Logger LOG = Logger.getLogger(NtpServerService.class);
    /** Runs after ClockService's start observer (default priority 2500). */
    static final int START_PRIORITY = 3_000;
    /** How often the request rate for status is taken. */
    static final long RATE_PERIOD_MILLIS = 1_000;

    @Inject
    IonclockConfig config;

    @Inject
    ClockService clock;

    @Inject
    Vertx vertx;

    @Inject
    Instance<NtpServerUpstream> upstreams;

    private volatile NtpServerUdp server;
    private long rateTimer = -1;

    void onStart(@Observes @Priority(START_PRIORITY) StartupEvent event) {
        IonclockConfig.Ntp n = config.ntp();
        if (!n.server()) {
            return;
        }
        List<String> binds = NtpServerSettings.binds(n); // checked at start by ConfigCheck
        LeapSchedule.Policy policy = clock.leapPolicy();
        NtpServer.Clock served = new NtpServer.Clock() {
            @Override
            public long monoNanos() {
                return clock.mono().monoNanos();
            }

            @Override
            public void readAt(long monoNanos, ClockReading out) {
                clock.clock().readAt(monoNanos, out, policy); // the served timescale (smeared or UTC)
            }
        };
        NtpServerUdp s = new NtpServerUdp(clock.mono(), served, this::reference,
                new NtpServerUdp.Options(binds, n.port(), n.timestamping(), n.clientsMax(),
                        n.clientRequestsPerSecondMax(), n.clientRequestBurstMax()));
        s.start();
        server = s;
        List<Integer> ports = s.ports();
        for (int i = 0; i < binds.size(); i++) {
            LOG.infof("NTP server listening on UDP port %d (%s, %s timestamps)", ports.get(i), binds.get(i),
                    s.timestamping());
        }
        rateTimer = vertx.setPeriodic(RATE_PERIOD_MILLIS, id -> s.updateRate(clock.mono().monoNanos()));
    }

    void onStop(@Observes ShutdownEvent event) {
        NtpServerUdp s = server;
        if (s == null) {
            return;
        }
        if (rateTimer >= 0) {
            vertx.cancelTimer(rateTimer);
        }
        s.close();
    }

    /** What the server says about its reference now: the selected source's upstream, the leap, the last sample. */
    NtpServer.Reference reference() {
        ClockSnapshot s = clock.snapshot();
        String name = s.source();
        for (SourceSelector.SourceView v : clock.selection()) {
            if (v.stateAt(s.monoNanos()) == Verdict.SELECTED && !v.sampleName().isEmpty()) {
                name = v.sampleName();
                break;
            }
        }
        NtpServer.Upstream upstream = upstreamOf(name);
        long referenceEpochNanos = s.lastSampleAgeNanos() < 0 ? 0 : s.epochNanos() - s.lastSampleAgeNanos();
        // A smeared clock announces no leap (as the public smeared services): a client must not leap on top of the smear.
        LeapIndicator leap = clock.leapPolicy() == LeapSchedule.Policy.SMEAR ? LeapIndicator.NONE : s.leap();
        return new NtpServer.Reference(upstream, leap, referenceEpochNanos);
    }

    private NtpServer.Upstream upstreamOf(String sampleName) {
        for (NtpServerUpstream u : upstreams) {
            Optional<NtpServer.Upstream> found = u.upstream(sampleName);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return NtpServerSettings.upstreamOf(sampleName);
    }

    /** The server's counters, or null when it is off. */
    public NtpServerUdp.View view() {
        NtpServerUdp s = server;
        return s == null ? null : s.view();
    }

    /** The server, when on and started. */
    public Optional<NtpServerUdp> server() {
        return Optional.ofNullable(server);
    }
}
