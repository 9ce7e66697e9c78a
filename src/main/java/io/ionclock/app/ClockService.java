package io.ionclock.app;

import com.pi4j.Pi4J;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.gnss.GnssReferenceSource;
import io.ionclock.adapter.pps.GpioPpsInput;
import io.ionclock.adapter.pps.LinuxPpsDevice;
import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.adapter.sim.SimReferenceSource;
import io.ionclock.adapter.storage.DriftFile;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.SimulatedOscillator;
import io.ionclock.core.SimulatedReference;
import io.ionclock.core.SourceStats;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Owns the disciplined clock and its single writer thread: sources submit samples into a bounded queue,
 * the loop applies them, saves the drift file, and beats the liveness heartbeat. Everything that
 * publishes time reads {@link #snapshot()}.
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

    @Inject
    IonclockConfig config;

    private final ArrayBlockingQueue<Sample> queue = new ArrayBlockingQueue<>(SAMPLE_QUEUE_MAX);
    private final SourceStats stats = new SourceStats();
    private MonoClock mono;
    private DisciplinedClock clock;
    private DriftFile driftFile;
    private Optional<ReferenceSource> source = Optional.empty();
    private Thread loop;
    private volatile boolean running;
    private volatile boolean started;
    private volatile long heartbeatMonoNanos;

    void onStart(@Observes StartupEvent event) {
        DisciplineConfig disciplineConfig = ConfigCheck.disciplineConfig(config);
        mono = "sim".equals(config.reference())
                ? new SimulatedOscillator(SystemMonoClock.INSTANCE, config.sim().oscillatorPpb())
                : SystemMonoClock.INSTANCE;
        driftFile = new DriftFile(Path.of(config.dataDir()), config.profile());
        double driftPpb = driftFile.readFrequencyPpb(disciplineConfig.frequencyPpbMax());
        long startMonoNanos = mono.monoNanos();
        clock = new DisciplinedClock(disciplineConfig, startMonoNanos, SystemMonoClock.HOST_EPOCH.epochNanos(), driftPpb);
        LOG.infof("ionclock: profile %s, reference %s, drift file %s (%s ppb)", config.profile(), config.reference(),
                driftFile.path(), Double.isNaN(driftPpb) ? "none" : String.format("%.1f", driftPpb));
        running = true;
        heartbeatMonoNanos = startMonoNanos;
        loop = Thread.ofPlatform().daemon().name("ionclock-discipline").start(this::loop);
        source = createSource();
        source.ifPresent(s -> s.start(this::submit));
        started = true;
    }

    private Optional<ReferenceSource> createSource() {
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
        source.ifPresent(ReferenceSource::close);
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        saveDrift();
    }

    /** Hands a sample to the discipline loop; never blocks. Returns false (counted) when the queue is full. */
    public boolean submit(Sample sample) {
        if (queue.offer(sample)) {
            return true;
        }
        stats.recordDropped(sample.sourceName());
        return false;
    }

    private void loop() {
        long driftSaveIntervalNanos = config.driftSaveInterval().toNanos();
        long lastDriftSaveMonoNanos = mono.monoNanos();
        while (running) {
            Sample sample;
            try {
                sample = queue.poll(LOOP_TICK_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
            long nowMonoNanos = mono.monoNanos();
            heartbeatMonoNanos = nowMonoNanos;
            if (sample != null) {
                try {
                    long offsetNanos = clock.offsetNanos(sample);
                    stats.record(sample, clock.onSample(sample, nowMonoNanos), offsetNanos);
                } catch (RuntimeException e) {
                    // A bug, not bad input (samples are validated at construction): keep the loop alive.
                    LOG.errorf(e, "discipline rejected sample %s", sample);
                }
            }
            if (nowMonoNanos - lastDriftSaveMonoNanos >= driftSaveIntervalNanos) {
                lastDriftSaveMonoNanos = nowMonoNanos;
                saveDrift();
            }
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

    public boolean sourceAlive() {
        return source.map(s -> s.alive(mono.monoNanos())).orElse(true);
    }

    public Optional<ReferenceSource> source() {
        return source;
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
