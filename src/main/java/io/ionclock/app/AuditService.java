package io.ionclock.app;

import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.adapter.storage.AuditLog;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.SourceSelector;
import io.ionclock.core.SourceStats;
import io.ionclock.core.audit.AuditEvent;
import io.ionclock.core.audit.AuditWatch;
import io.ionclock.core.audit.AuditWriter;
import io.ionclock.core.audit.ConfigDigest;
import io.ionclock.core.clocklink.PeerStatus;
import io.ionclock.core.select.Verdict;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The audit log of sync events ({@code ionclock.audit.*}, docs/audit.md): opened after {@link ClockService} starts,
 * with a {@code start} record carrying the configuration's digest; then once every {@link #LOOK_MILLIS} it reads the
 * clock's snapshot, the selection and Clocklink's view, and {@link AuditWatch} turns what changed into events for the
 * log's own thread. Nothing here waits for the disk.
 */
@ApplicationScoped
public class AuditService {
    private static final Logger LOG = Logger.getLogger(AuditService.class);
    /** Runs after ClockService's start observer (default priority 2500). */
    static final int START_PRIORITY = 3_000;
    /** How often the appliance is looked at for transitions. */
    static final long LOOK_MILLIS = 1_000;
    /** The audit directory under {@code ionclock.data-dir}. */
    static final String DIRECTORY = "audit";
    /** Properties of the digest, at most. */
    static final int CONFIG_PROPERTIES_MAX = 10_000;

    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Inject
    AuditConfig audit;

    @Inject
    Vertx vertx;

    private volatile AuditLog log;
    private AuditWatch watch;
    private long timerId = -1;

    static Path directory(String dataDir) {
        return Path.of(dataDir).resolve(DIRECTORY);
    }

    /** The limits, checked: a bad value stops the service with a message naming the key. */
    static AuditWriter.Limits limits(AuditConfig c) {
        try {
            return new AuditWriter.Limits(c.fileBytesMax(), c.filesMax(), c.ageMax().toNanos());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("ionclock.audit.file-bytes-max, files-max, age-max: " + e.getMessage(), e);
        }
    }

    void onStart(@Observes @Priority(START_PRIORITY) StartupEvent event) {
        if (!audit.enabled()) {
            LOG.info("audit log: off (ionclock.audit.enabled=false)");
            return;
        }
        AuditWriter.Limits limits = limits(audit);
        if (audit.dropsThreshold() < 0 || !(audit.frequencyStepPpb() > 0)) {
            throw new IllegalStateException("ionclock.audit.drops-threshold must be >= 0 and"
                    + " ionclock.audit.frequency-step-ppb > 0");
        }
        ClockReading reading = new ClockReading(); // the writer's thread only
        AuditWriter.Clock stamp = new AuditWriter.Clock() {
            @Override
            public long monoNanos() {
                return clock.mono().monoNanos();
            }

            @Override
            public long epochNanos() {
                clock.read(reading);
                return reading.epochNanos;
            }
        };
        AuditLog l = new AuditLog(directory(config.dataDir()), limits, stamp);
        l.start();
        log = l;
        watch = new AuditWatch(audit.dropsThreshold(), audit.frequencyStepPpb());
        String digest = configDigest(ConfigProvider.getConfig());
        l.submit(AuditEvent.of(AuditEvent.START, "config_sha256", digest, "profile", config.profile(), "reference",
                config.reference(), "sync_role", config.sync().role(), "timescale", clock.timescale(),
                "recovered_partial_bytes", l.recoveredPartialBytes()));
        LOG.infof("audit log: %s (files of %d bytes at most, %d kept, rotated after %s; configuration sha256 %s)",
                l.dir(), limits.fileBytesMax(), limits.filesMax(), audit.ageMax(), digest);
        look();
        timerId = vertx.setPeriodic(LOOK_MILLIS, id -> look());
    }

    /** The digest of every {@code ionclock.*} and {@code quarkus.*} property in force, secrets left out. */
    static String configDigest(Config c) {
        Map<String, String> properties = new TreeMap<>();
        for (String name : c.getPropertyNames()) {
            if (properties.size() >= CONFIG_PROPERTIES_MAX) {
                break;
            }
            if ((name.startsWith("ionclock.") || name.startsWith("quarkus.")) && !ConfigDigest.secret(name)) {
                try {
                    c.getOptionalValue(name, String.class).ifPresent(v -> properties.put(name, v));
                } catch (RuntimeException e) {
                    properties.put(name, "<unreadable>");
                }
            }
        }
        return ConfigDigest.sha256Hex(properties);
    }

    /** One look: what changed becomes events. The event loop; only in-memory reads. */
    private void look() {
        AuditLog l = log;
        if (l == null || !clock.started()) {
            return;
        }
        try {
            for (AuditEvent e : watch.look(observe())) {
                l.submit(e);
            }
        } catch (RuntimeException e) {
            LOG.warnf("audit log: cannot read the appliance's state: %s", e.toString());
        }
    }

    private AuditWatch.Observation observe() {
        ClockSnapshot snap = clock.snapshot();
        long nowMonoNanos = snap.monoNanos();
        String selected = "";
        Map<String, Boolean> reachable = new LinkedHashMap<>();
        for (SourceSelector.SourceView v : clock.selection()) {
            Verdict state = v.stateAt(nowMonoNanos);
            if (state == Verdict.SELECTED) {
                selected = v.name();
            }
            reachable.put(v.name(), state != Verdict.UNREACHABLE && state != Verdict.NO_DATA);
        }
        long drops = 0;
        for (SourceStats.Source s : clock.sources()) {
            drops += s.droppedQueueFull.get();
        }
        String leader = "";
        long term = 0;
        Set<String> isolated = new HashSet<>();
        Optional<ClocklinkUdp.View> view = clock.clocklink().map(ClocklinkUdp::view);
        if (view.isPresent() && view.get() != null) {
            ClocklinkUdp.View v = view.get();
            leader = v.leaderName() == null ? "" : v.leaderName();
            term = v.term();
            for (PeerStatus p : v.peers()) {
                if ("ISOLATED".equals(p.state())) {
                    isolated.add(p.label());
                }
            }
            for (long d : v.dropped().values()) {
                drops += d;
            }
        }
        return new AuditWatch.Observation(snap.status().name(), selected, reachable, snap.leap().name(), leader, term,
                isolated, clock.clock().steps(), clock.clock().windowResets(), snap.frequencyPpb(), drops);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        AuditLog l = log;
        if (l != null) {
            l.close();
        }
    }

    /** The log, when {@code ionclock.audit.enabled} and started. */
    public Optional<AuditLog> log() {
        return Optional.ofNullable(log);
    }
}
