package io.ionclock.app;

import com.pi4j.Pi4J;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.clockctl.ChronySockFeed;
import io.ionclock.adapter.gnss.GnssReferenceSource;
import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.adapter.clockctl.LinuxTimex;
import io.ionclock.adapter.clockctl.OtherDiscipline;
import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.core.hostclock.HostClockDiscipline;
import io.ionclock.core.hostclock.HostClockDisciplineConfig;
import io.ionclock.adapter.storage.LeapFile;
import io.ionclock.core.leap.LeapSchedule;
import io.ionclock.adapter.pps.GpioPpsInput;
import io.ionclock.adapter.pps.LinuxPpsDevice;
import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.adapter.sim.SimReferenceSource;
import io.ionclock.adapter.storage.DriftFile;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplineLoop;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.DriftAllowance;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.SimulatedOscillator;
import io.ionclock.core.SimulatedReference;
import io.ionclock.core.SourceSelector;
import io.ionclock.core.SourceStats;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkNode;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.hostclock.ChronyFeedPolicy;
import io.ionclock.core.hostclock.ChronySockSample;
import io.ionclock.core.hostclock.FeedResult;
import io.ionclock.core.select.Verdict;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteOrder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Owns the disciplined clock and its single writer thread. A node has several sources at once: its reference
 * ({@code ionclock.reference}: sim or GNSS) and, when {@code ionclock.sync.role} is not off, Clocklink. Every source
 * submits {@link Sample}s into one bounded queue; the loop hands each to the core's {@link DisciplineLoop} (the
 * fault-tolerant {@link SourceSelector}, then the discipline for the selected source's samples only: a node's own
 * reference while it has one, Clocklink without it; the simulator runs the same), records the outcome, tells a
 * Clocklink master whether it is on its own reference, saves the drift file, and beats the liveness heartbeat. Everything that publishes time reads {@link #snapshot()}.
 *
 * <p>On the sim profile the simulated oscillator ({@code ionclock.sim.oscillator-ppb}) is the monotonic clock of the
 * whole process, whatever its reference (but {@code gnss}, whose timestamps come from the host's own clock), so two
 * processes on one host really differ and a gateway has a frequency to learn.
 */
@ApplicationScoped
public class ClockService {
    private static final Logger LOG = Logger.getLogger(ClockService.class);
    /** Samples waiting for the discipline loop; more are dropped and counted per source. */
    static final int SAMPLE_QUEUE_MAX = 256;
    /** The loop wakes at least this often, to beat the heartbeat and save the drift file. */
    static final long LOOP_TICK_NANOS = 500_000_000L;
    /** The loop counts as dead when its heartbeat is older than this. */
    static final long LOOP_STALE_NANOS = 5_000_000_000L;
    /** The selection's order among agreeing sources: a node's own reference first, then Clocklink, then NTP servers. */
    static final int RANK_REFERENCE = 0;
    static final int RANK_CLOCKLINK = 1;
    static final int RANK_NTP = 2;
    /** Reads of the host clock, each between two reads of ours, for {@link #systemClockOffsetNanos()}; the tightest counts. */
    static final int SYSTEM_CLOCK_READS = 5;

    @Inject
    IonclockConfig config;

    @Inject
    Vertx vertx;

    /** A sample and the index of the source that sent it (the selector's index). */
    private record Queued(int source, Sample sample) {
    }

    private final ArrayBlockingQueue<Queued> queue = new ArrayBlockingQueue<>(SAMPLE_QUEUE_MAX);
    private final SourceStats stats = new SourceStats();
    /** Which source sends samples of each name (GNSS sends GNSS+PPS, PPS and GNSS); at most SourceStats.SOURCES_MAX names. */
    private final Map<String, Integer> sourceOfSampleName = new ConcurrentHashMap<>();
    /** Every source, in the selector's order. */
    private final List<ReferenceSource> sources = new ArrayList<>();
    private MonoClock mono;
    private DisciplinedClock clock;
    private DisciplineLoop discipline;
    private SourceSelector selector;
    private DriftFile driftFile;
    private Optional<ReferenceSource> reference = Optional.empty();
    private ClocklinkUdp clocklink;
    private NtpClientUdp ntpClient;
    private LeapFile leapFile;
    private boolean onOwnReference; // loop only: what the master's node was last told
    private HostClockSettings.Mode hostClockMode = new HostClockSettings.Mode(HostClockSettings.NONE, "not started");
    private ChronyFeedPolicy chronyPolicy; // chrony-sock only
    private ChronySockFeed chronyFeed; // chrony-sock only
    private HostClockDiscipline hostDiscipline; // discipline only
    private final ClockReading hostReading = new ClockReading();
    private long lastHostUpdateMonoNanos = Long.MIN_VALUE;
    /** The host loop is updated at most this often. */
    static final long HOST_CLOCK_UPDATE_NANOS = 1_000_000_000L;
    private final byte[] chronySample = new byte[ChronySockSample.SIZE_BYTES]; // loop only
    private final ClockReading feedReading = new ClockReading(); // loop only
    private FeedResult lastChronySend; // loop only: logged when it changes
    private Thread loop;
    private volatile boolean running;
    private volatile boolean started;
    private volatile long heartbeatMonoNanos;

    void onStart(@Observes StartupEvent event) {
        DisciplineConfig disciplineConfig = ConfigCheck.disciplineConfig(config);
        boolean sync = !SyncSettings.ROLE_OFF.equals(config.sync().role());
        SyncInputs syncInputs = sync ? syncInputs() : null; // the keyfile and the peers, before anything starts
        boolean oscillator = "sim".equals(config.profile()) && !"gnss".equals(config.reference());
        IonclockConfig.Sim sim = config.sim();
        mono = oscillator ? new SimulatedOscillator(SystemMonoClock.INSTANCE, sim.oscillatorPpb(),
                sim.wanderPpbPerSqrtSecond(), sim.temperaturePpb(), sim.temperaturePeriod().toNanos() / 1e9, sim.seed())
                : SystemMonoClock.INSTANCE;
        driftFile = new DriftFile(Path.of(config.dataDir()), config.profile());
        double driftPpb = driftFile.readFrequencyPpb(disciplineConfig.frequencyPpbMax());
        long startMonoNanos = mono.monoNanos();
        clock = new DisciplinedClock(disciplineConfig, startMonoNanos, SystemMonoClock.HOST_EPOCH.epochNanos(), driftPpb);
        discipline = new DisciplineLoop(clock);
        selector = discipline.selector();
        LOG.infof("ionclock: profile %s, reference %s, sync %s, drift file %s (%s ppb)%s", config.profile(),
                config.reference(), config.sync().role(), driftFile.path(),
                Double.isNaN(driftPpb) ? "none" : String.format("%.1f", driftPpb),
                oscillator ? String.format(", simulated oscillator %d ppb, wander %.2f ppb/sqrt(s), temperature %d ppb / %s",
                        sim.oscillatorPpb(), sim.wanderPpbPerSqrtSecond(), sim.temperaturePpb(), sim.temperaturePeriod())
                        : "");
        leapFile = LeapFile.read(Path.of(config.leapFile()));
        discipline.configureLeap(leapFile.list(), leapPolicy());
        reference = createReference();
        reference.ifPresent(r -> {
            sources.add(r);
            discipline.addOwnReference(r.kind(), RANK_REFERENCE);
        });
        if (sync) {
            clocklink = new ClocklinkUdp(vertx, mono, syncInputs.config(), wireClock(),
                    new ClocklinkUdp.Options(config.sync().host(), config.sync().port(), syncInputs.addresses(),
                            config.sync().timestamping(), config.sync().hwTimestamps().orElse(null)));
            addSource(clocklink, RANK_CLOCKLINK);
        }
        if (config.ntp().servers().isPresent() && !config.ntp().servers().get().isBlank()) {
            ntpClient = new NtpClientUdp(mono, this::pivotEpochNanos, NtpSettings.clientOptions(config, disciplineConfig));
            for (ReferenceSource s : ntpClient.servers()) {
                addSource(s, RANK_NTP);
            }
        }
        startHostClock();
        running = true;
        heartbeatMonoNanos = startMonoNanos;
        loop = Thread.ofPlatform().daemon().name("ionclock-discipline").start(this::loop);
        for (int i = 0; i < sources.size(); i++) {
            int index = i;
            sources.get(i).start(sample -> submit(index, sample));
        }
        if (ntpClient != null) {
            ntpClient.start();
            LOG.infof("NTP client: %d server(s) %s, from UDP port %d, %s timestamps", ntpClient.views().size(),
                    config.ntp().servers().get(), ntpClient.localPort(), ntpClient.timestamping());
        }
        if (clocklink != null) {
            ClocklinkConfig c = clocklink.config();
            LOG.infof("Clocklink %s %s listening on UDP port %d, %d peer(s), keys %s", c.role().name().toLowerCase(),
                    c.nodeId(), clocklink.port(), c.peers().size(), c.keys());
        }
        started = true;
    }

    /** {@code ionclock.host-clock}: the mode (configured, or chrony-sock where chronyd runs) and its feed. */
    private void startHostClock() {
        hostClockMode = HostClockSettings.resolve(config.hostClock(), () -> HostClockSettings.chronydRunning(Path.of("/proc")));
        if (HostClockSettings.CHRONY_SOCK.equals(hostClockMode.mode())) {
            String path = config.chronySock().path();
            if (!ChronySockFeed.supported()) {
                LOG.warnf("host clock: %s (%s), but feeding chrony needs Linux on x86_64 or aarch64: none", hostClockMode.mode(),
                        hostClockMode.reason());
                hostClockMode = new HostClockSettings.Mode(HostClockSettings.NONE, "chrony-sock is not supported on "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
                return;
            }
            chronyPolicy = new ChronyFeedPolicy(HostClockSettings.nanos(config.chronySock().boundMax()), ByteOrder.nativeOrder());
            chronyFeed = ChronySockFeed.open(path);
            LOG.infof("host clock: chrony-sock (%s): a sample to %s at each update while SYNCHRONIZED and the bound is"
                    + " within %s (chrony.conf: refclock SOCK %s ...)", hostClockMode.reason(), path,
                    config.chronySock().boundMax(), path);
        } else if (HostClockSettings.DISCIPLINE.equals(hostClockMode.mode())) {
            startDiscipline();
        } else {
            LOG.infof("host clock: %s (%s)", hostClockMode.mode(), hostClockMode.reason());
        }
    }

    /**
     * {@code ionclock.host-clock=discipline}: refuses to start (the service stops, naming the key) when another program
     * disciplines the clock, off 64-bit Linux, or without CAP_SYS_TIME; otherwise the kernel PLL is turned off and the
     * loop steers CLOCK_REALTIME from each update ({@link #updateHostClock}).
     */
    private void startDiscipline() {
        Optional<String> other = new OtherDiscipline().refusal();
        if (other.isPresent()) {
            throw new IllegalStateException("ionclock.host-clock=discipline: " + other.get()
                    + "; stop it, or use ionclock.host-clock=chrony-sock to feed it instead");
        }
        LinuxTimex kernel;
        try {
            kernel = new LinuxTimex();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("ionclock.host-clock=discipline: " + e.getMessage(), e);
        }
        hostDiscipline = new HostClockDiscipline(HostClockDisciplineConfig.defaults(), kernel);
        if (!hostDiscipline.start()) {
            throw new IllegalStateException("ionclock.host-clock=discipline: the kernel refused ("
                    + hostDiscipline.lastKernelError() + "); it needs CAP_SYS_TIME (see yocto/README.md)");
        }
        LOG.infof("host clock: discipline (%s): steering CLOCK_REALTIME, slews at most %.0f ppm, a step only before the"
                + " first synchronisation and above %d ms", hostClockMode.reason(),
                HostClockDisciplineConfig.defaults().slewRatePpmMax(),
                HostClockDisciplineConfig.defaults().stepThresholdNanos() / 1_000_000);
    }

    /**
     * One back-to-back read for the host clock's users (the chrony feed, the discipline): the system clock between two
     * reads of ionclock's UTC ({@code readAt}: the readers' floor is not moved), the tightest of
     * {@link #SYSTEM_CLOCK_READS}; ionclock's time is the middle of the two reads. Null if no read was usable.
     */
    private PairRead readPair(ClockReading r) {
        PairRead best = null;
        for (int i = 0; i < SYSTEM_CLOCK_READS; i++) {
            clock.readAt(mono.monoNanos(), r);
            long beforeEpochNanos = r.epochNanos;
            long hostEpochNanos = SystemMonoClock.HOST_EPOCH.epochNanos();
            clock.readAt(mono.monoNanos(), r);
            long spanNanos = r.epochNanos - beforeEpochNanos;
            if (spanNanos >= 0 && (best == null || spanNanos < best.bracketNanos())) {
                best = new PairRead(r.monoNanos, beforeEpochNanos + spanNanos / 2, hostEpochNanos, spanNanos,
                        r.boundNanos, r.status);
            }
        }
        return best;
    }

    /** ionclock's UTC and the system clock read back to back ({@link #readPair}). */
    private record PairRead(long monoNanos, long ionclockEpochNanos, long systemEpochNanos, long bracketNanos,
            long boundNanos, ClockStatus status) {
    }

    /** At most once a second, from the loop: ionclock's UTC and the system clock, back to back, into the host loop. */
    private void updateHostClock(long nowMonoNanos) {
        if (hostDiscipline == null || nowMonoNanos - lastHostUpdateMonoNanos < HOST_CLOCK_UPDATE_NANOS) {
            return;
        }
        PairRead p = readPair(hostReading);
        if (p == null || p.monoNanos() <= lastHostUpdateMonoNanos) {
            return;
        }
        long c = clock.continuousNanosAt(p.monoNanos());
        if (clock.leapSchedule().inGuard(c)) {
            return; // both clocks are inside their leap handling
        }
        lastHostUpdateMonoNanos = p.monoNanos();
        HostClockDiscipline.Update u = hostDiscipline.update(p.monoNanos(), p.ionclockEpochNanos(),
                p.boundNanos() + p.bracketNanos() / 2, p.status(), p.systemEpochNanos(), clock.leapSchedule().announcedAt(c));
        if (u.kernelErrors() > 0 && hostDiscipline.kernelErrorCount() == u.kernelErrors()) {
            LOG.warnf("host clock: the kernel refused a call (%s); counted, and tried again", hostDiscipline.lastKernelError());
        }
    }

    private void addSource(ReferenceSource s, int rank) {
        sources.add(s);
        discipline.addSource(s.kind(), rank);
    }

    /** What Clocklink needs from outside the configuration, read and checked before anything starts. */
    private record SyncInputs(ClocklinkConfig config, List<InetSocketAddress> addresses) {
    }

    private SyncInputs syncInputs() {
        IonclockConfig.Sync s = config.sync();
        try {
            Path keyFile = SyncSettings.keyFile(config);
            ClocklinkKeys keys = SyncSettings.readKeys(keyFile, s.sendKeyId());
            warnIfReadableByOthers(keyFile);
            List<SyncSettings.HostPort> peers = SyncSettings.peers(config);
            List<InetSocketAddress> addresses = SyncSettings.resolve(peers);
            String nodeId = SyncSettings.nodeId(config);
            long hostEpochNanos = SystemMonoClock.HOST_EPOCH.epochNanos();
            ClocklinkConfig c;
            try {
                c = SyncSettings.clocklinkConfig(config, nodeId, SyncSettings.incarnation(hostEpochNanos / 1_000_000_000L),
                        hostEpochNanos ^ System.nanoTime(), keys, SyncSettings.peerTokens(peers));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SyncSettings.keyOf(e.getMessage()) + ": " + e.getMessage());
            }
            return new SyncInputs(c, addresses);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage());
        }
    }

    private static void warnIfReadableByOthers(Path keyFile) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(keyFile);
            if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.GROUP_READ)) {
                LOG.warnf("ionclock.sync.key-file %s is readable by other users (chmod 600 it)", keyFile);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }

    private Optional<ReferenceSource> createReference() {
        return switch (config.reference()) {
            case "sim" -> Optional.of(new SimReferenceSource(mono, SystemMonoClock.HOST_EPOCH,
                    new SimulatedReference(config.sim().seed(), config.sim().noiseNanos()),
                    config.sim().interval().toNanos()));
            case "gnss" -> Optional.of(gnssSource());
            default -> Optional.empty();
        };
    }

    private ReferenceSource gnssSource() {
        IonclockConfig.Pps pps = config.pps();
        GnssReferenceSource.PpsInput ppsInput = null;
        if (pps.device().isPresent()) {
            String device = pps.device().get();
            boolean owner = pps.owner();
            ppsInput = GnssReferenceSource.kernelPps(() -> LinuxPpsDevice.open(device, owner));
        } else if (pps.gpioLine().isPresent()) {
            int line = pps.gpioLine().getAsInt();
            String chip = pps.gpioChip();
            ppsInput = GnssReferenceSource.gpioPps(sink -> new GpioPpsInput(Pi4J.newContextBuilder().noAutoDetect()
                    .add(GpioDDigitalInputProvider.newInstance()).setGpioChipName(chip).build(), line, sink));
        }
        return new GnssReferenceSource(new SerialPortConfig(config.gnss().device().orElseThrow(), config.gnss().baud()),
                ppsInput, BuildInfo.notBeforeEpochMillis());
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        sources.forEach(ReferenceSource::close);
        if (ntpClient != null) {
            ntpClient.close();
        }
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (chronyFeed != null && (loop == null || !loop.isAlive())) {
            chronyFeed.close();
        }
        saveDrift();
    }

    /** Hands source {@code index}'s sample to the discipline loop; never blocks. False (counted) when the queue is full. */
    boolean submit(int index, Sample sample) {
        if (queue.offer(new Queued(index, sample))) {
            return true;
        }
        stats.recordDropped(sample.sourceName());
        return false;
    }

    private void loop() {
        long driftSaveIntervalNanos = config.driftSaveInterval().toNanos();
        long lastDriftSaveMonoNanos = mono.monoNanos();
        while (running) {
            Queued queued;
            try {
                queued = queue.poll(LOOP_TICK_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
            long nowMonoNanos = mono.monoNanos();
            heartbeatMonoNanos = nowMonoNanos;
            try {
                if (queued != null) {
                    apply(queued, nowMonoNanos);
                } else {
                    discipline.refresh(nowMonoNanos);
                }
                tellClocklinkWhetherOnOwnReference();
                updateHostClock(nowMonoNanos);
            } catch (RuntimeException e) {
                // A bug, not bad input (samples are validated at construction): keep the loop alive.
                LOG.errorf(e, "discipline loop: %s", queued);
            }
            if (nowMonoNanos - lastDriftSaveMonoNanos >= driftSaveIntervalNanos) {
                lastDriftSaveMonoNanos = nowMonoNanos;
                saveDrift();
            }
        }
    }

    /** The selection decides whether the sample feeds the discipline. */
    private void apply(Queued queued, long nowMonoNanos) {
        Sample sample = queued.sample();
        if (sourceOfSampleName.size() < SourceStats.SOURCES_MAX) {
            sourceOfSampleName.putIfAbsent(sample.sourceName(), queued.source());
        }
        long wideningsBefore = clock.driftAllowance().widenings();
        DisciplinedClock.Verdict verdict = discipline.offer(queued.source(), sample, nowMonoNanos);
        DriftAllowance drift = clock.driftAllowance();
        if (drift.widenings() > wideningsBefore) {
            LOG.warnf("the oscillator moved faster than its allowance: the samples show at least %.0f ppb from the window's"
                    + " mean; the bound now allows %d ppb (configured %d, ionclock.max-drift-ppb)", drift.lastEvidencePpb(),
                    drift.inForcePpb(), drift.configuredPpb());
        }
        if (verdict != null) {
            stats.record(sample, verdict, discipline.lastOffsetNanos());
            if (verdict == DisciplinedClock.Verdict.ACCEPTED && chronyPolicy != null) {
                feedChrony();
            }
        } else {
            stats.recordNotSelected(sample);
        }
    }

    /**
     * One sample to chrony for one update of the clock: the system clock read between two reads of ours, back to back
     * as {@link #systemClockOffsetNanos()} does (the tightest of {@link #SYSTEM_CLOCK_READS}); the policy decides.
     */
    private void feedChrony() {
        PairRead p = readPair(feedReading);
        if (p == null) {
            return; // the model's time went backwards between two reads: impossible by construction
        }
        long c = clock.continuousNanosAt(p.monoNanos());
        if (clock.leapSchedule().inGuard(c)) {
            return; // within 2 s of a leap second: the system clock is inside its own leap handling (chrony applies it)
        }
        FeedResult result = chronyPolicy.prepare(p.status(), p.boundNanos(), clock.leapSchedule().announcedAt(c),
                p.systemEpochNanos(), p.ionclockEpochNanos(), p.bracketNanos(), p.monoNanos(), chronySample);
        if (result != FeedResult.READY) {
            return;
        }
        FeedResult sent = chronyFeed.send(chronySample, ChronySockSample.SIZE_BYTES);
        chronyPolicy.record(sent);
        if (sent != lastChronySend) {
            if (sent == FeedResult.SENT) {
                LOG.infof("host clock: feeding chrony at %s (ionclock - system clock %d ns)", chronyFeed.path(),
                        chronyPolicy.lastSentTrueMinusSystemNanos());
            } else {
                LOG.warnf("host clock: chrony's socket: %s (%s); counted, and tried again at each update", sent.label(),
                        chronyFeed.lastError());
            }
            lastChronySend = sent;
        }
    }

    /** A master's node leads and votes with its own clock only while the selection uses the master's reference. */
    private void tellClocklinkWhetherOnOwnReference() {
        if (clocklink == null || clocklink.config().role() != ClocklinkConfig.Role.MASTER) {
            return;
        }
        boolean on = discipline.onOwnReference();
        if (on != onOwnReference) {
            onOwnReference = on;
            clocklink.setReferenceAvailable(on);
            LOG.infof("Clocklink: %s", on ? "on the master's own reference" : "the master's own reference is not in use");
        }
    }

    private void saveDrift() {
        if (clock == null) {
            return;
        }
        double frequencyPpb = clock.frequencyPpbForDriftFile();
        if (Double.isNaN(frequencyPpb)) {
            return;
        }
        try {
            driftFile.write(frequencyPpb, clock.snapshot(mono.monoNanos()).frequencyErrorPpb());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot write drift file %s: %s", driftFile.path(), e.toString());
        }
    }

    public ClockSnapshot snapshot() {
        return clock.snapshot(mono.monoNanos());
    }

    /** The allocation-free read, for hot publishers. */
    public void read(ClockReading out) {
        clock.read(mono.monoNanos(), out);
    }

    public boolean started() {
        return started;
    }

    public boolean loopAlive() {
        return running && loop != null && loop.isAlive()
                && mono.monoNanos() - heartbeatMonoNanos <= LOOP_STALE_NANOS;
    }

    public long loopHeartbeatAgeNanos() {
        return mono.monoNanos() - heartbeatMonoNanos;
    }

    /** Whether the reference's loop (sim, GNSS) runs; true when there is none. */
    public boolean referenceAlive() {
        return reference.map(s -> s.alive(mono.monoNanos())).orElse(true);
    }

    /** Whether Clocklink's loop runs; true when sync is off. */
    public boolean syncAlive() {
        return clocklink == null || clocklink.alive(mono.monoNanos());
    }

    /** The reference ({@code ionclock.reference}), if any. */
    public Optional<ReferenceSource> reference() {
        return reference;
    }

    /**
     * The clock as Clocklink reads it: UTC on the wire (a leap second held, never smeared: each node serves its own
     * users by its own policy), and the leap announced with every answer.
     */
    private ClocklinkNode.LocalClock wireClock() {
        DisciplinedClock c = clock;
        return new ClocklinkNode.LocalClock() {
            @Override
            public void read(long monoNanos, ClockReading out) {
                c.readAt(monoNanos, out);
            }

            @Override
            public LeapIndicator leap() {
                return c.leapSchedule().announcedAt(c.continuousNanosAt(mono.monoNanos()));
            }
        };
    }

    /** The leap-seconds list as read at start. */
    public LeapFile leapFile() {
        return leapFile;
    }

    /** The leap policy for what is handed out (HTTP, MQTT, the NTP server, chrony). */
    public LeapSchedule.Policy leapPolicy() {
        return config.leapPolicy() == IonclockConfig.LeapPolicy.SMEAR ? LeapSchedule.Policy.SMEAR : LeapSchedule.Policy.STEP;
    }

    /** The timescale handed out: {@code UTC}, or {@code UTC-SMEARED} under the smear policy. */
    public String timescale() {
        return leapPolicy() == LeapSchedule.Policy.SMEAR ? "UTC-SMEARED" : "UTC";
    }

    /** The discipline loop (its leap decision, for status). */
    public DisciplineLoop discipline() {
        return discipline;
    }

    /** The NTP client, when {@code ionclock.ntp.servers} is set. */
    public Optional<NtpClientUdp> ntpClient() {
        return Optional.ofNullable(ntpClient);
    }

    /**
     * Where an NTP timestamp's era is placed: the clock's time, never before the build date (a gateway without an RTC
     * boots in 1970). Any thread.
     */
    long pivotEpochNanos() {
        ClockReading r = new ClockReading();
        clock.read(mono.monoNanos(), r);
        return Math.max(r.epochNanos, BuildInfo.notBeforeEpochMillis() * 1_000_000L);
    }

    /** Clocklink, when {@code ionclock.sync.role} is not off. */
    public Optional<ClocklinkUdp> clocklink() {
        return Optional.ofNullable(clocklink);
    }

    /** Every source as the last selection saw it. */
    public List<SourceSelector.SourceView> selection() {
        return selector == null ? List.of() : selector.view();
    }

    /**
     * The state of the source that sends samples named {@code sampleName} ("SIM", "GNSS+PPS", "CLOCKLINK"): the
     * selection's state of its source when its newest sample has this name, else UNREACHABLE (the source sends other
     * samples now: GNSS without its PPS).
     */
    public Verdict sourceState(String sampleName, long nowMonoNanos) {
        Integer index = sourceOfSampleName.get(sampleName);
        List<SourceSelector.SourceView> view = selector.view();
        if (index == null || index >= view.size()) {
            return Verdict.NO_DATA;
        }
        SourceSelector.SourceView v = view.get(index);
        return v.sampleName().equals(sampleName) ? v.stateAt(nowMonoNanos) : Verdict.UNREACHABLE;
    }

    /**
     * The host's system clock minus ionclock's time, read back to back (positive: the system clock is ahead), as
     * chronyc tracking's "System time": of {@link #SYSTEM_CLOCK_READS} host reads, each between two of ours, the one
     * with the tightest bracket, against the bracket's middle.
     */
    public long systemClockOffsetNanos() {
        ClockReading r = new ClockReading();
        long bracketNanos = Long.MAX_VALUE;
        long offsetNanos = 0;
        for (int i = 0; i < SYSTEM_CLOCK_READS; i++) {
            clock.read(mono.monoNanos(), r);
            long beforeEpochNanos = r.epochNanos;
            long hostEpochNanos = SystemMonoClock.HOST_EPOCH.epochNanos();
            clock.read(mono.monoNanos(), r);
            long afterEpochNanos = r.epochNanos;
            if (afterEpochNanos - beforeEpochNanos < bracketNanos) {
                bracketNanos = afterEpochNanos - beforeEpochNanos;
                offsetNanos = hostEpochNanos - (beforeEpochNanos + bracketNanos / 2);
            }
        }
        return offsetNanos;
    }

    /** {@code ionclock.host-clock} in force and why. */
    /** The host loop when {@code ionclock.host-clock=discipline}. */
    public Optional<HostClockDiscipline> hostDiscipline() {
        return Optional.ofNullable(hostDiscipline);
    }

    HostClockSettings.Mode hostClockMode() {
        return hostClockMode;
    }

    /** The chrony feed's policy and counters (chrony-sock only). */
    public Optional<ChronyFeedPolicy> chronyFeedPolicy() {
        return Optional.ofNullable(chronyPolicy);
    }

    /** The chrony feed's socket (chrony-sock only). */
    public Optional<ChronySockFeed> chronyFeed() {
        return Optional.ofNullable(chronyFeed);
    }

    public List<SourceStats.Source> sources() {
        return stats.all();
    }

    public SourceStats stats() {
        return stats;
    }

    public DisciplinedClock clock() {
        return clock;
    }

    public MonoClock mono() {
        return mono;
    }

    public int queuedSamples() {
        return queue.size();
    }
}
