package io.ionclock.adapter.gnss;

import io.ionclock.adapter.pps.GpioPpsInput;
import io.ionclock.adapter.pps.PpsReader;
import io.ionclock.adapter.pps.PpsSource;
import io.ionclock.adapter.serial.SerialLineReader;
import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.gnss.GnssPairing;
import io.ionclock.core.nmea.NmeaParser;
import io.ionclock.core.nmea.NmeaTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A GNSS receiver: NMEA lines from a tty, PPS edges from {@code /dev/ppsN} (or a GPIO line), paired in
 * {@link GnssPairing}. Serial and PPS arrive on their own threads; this class serialises them.
 */
public final class GnssReferenceSource implements ReferenceSource {
    /** How the PPS reaches us: the adapter, started with the sink for its edges. */
    @FunctionalInterface
    public interface PpsInput {
        Pps start(io.ionclock.adapter.pps.PpsSink sink);
    }

    /** A running PPS adapter. */
    public interface Pps extends AutoCloseable {
        boolean alive();

        Map<String, Object> details();

        @Override
        void close();
    }

    private final SerialPortConfig serialConfig;
    private final PpsInput ppsInput;
    private final NmeaParser parser;
    private final NmeaTime fix = new NmeaTime();
    private GnssPairing pairing;
    private SerialLineReader serial;
    private Pps pps;

    /**
     * @param ppsInput             the PPS adapter, or null for a receiver without PPS
     * @param notBeforeEpochMillis NMEA dates before this (the build date) are not valid time
     */
    public GnssReferenceSource(SerialPortConfig serialConfig, PpsInput ppsInput, long notBeforeEpochMillis) {
        this.serialConfig = serialConfig;
        this.ppsInput = ppsInput;
        this.parser = new NmeaParser(notBeforeEpochMillis);
    }

    /** Kernel PPS through the Linux PPS API. */
    public static PpsInput kernelPps(PpsSource.Opener opener) {
        return sink -> {
            PpsReader reader = new PpsReader(opener, sink);
            reader.start();
            return wrap(reader, PpsReader::alive, r -> Map.of("kind", "kernel", "edges", r.edges(),
                    "timeouts", r.timeouts(), "sequenceGaps", r.sequenceGaps(),
                    "implausibleDropped", r.implausibleDropped(), "reopens", r.reopens(), "errors", r.errors(),
                    "connected", r.connected(), "lastError", String.valueOf(r.lastError())));
        };
    }

    /** A GPIO line timestamped in user space: the fallback where there is no PPS device. */
    public static PpsInput gpioPps(Function<io.ionclock.adapter.pps.PpsSink, GpioPpsInput> factory) {
        return sink -> {
            GpioPpsInput input = factory.apply(sink);
            input.start();
            // Edges arrive by callback, there is no loop to watch: alive unless the line failed and never pulsed.
            return wrap(input, i -> i.errors() == 0 || i.edges() > 0, i -> Map.of("kind", "gpio",
                    "gpioLine", i.gpioLine(), "edges", i.edges(), "errors", i.errors(),
                    "edgeErrorNanos", GpioPpsInput.EDGE_ERROR_NANOS, "lastError", String.valueOf(i.lastError())));
        };
    }

    private static <T extends AutoCloseable> Pps wrap(T adapter, java.util.function.Predicate<T> alive,
            Function<T, Map<String, Object>> details) {
        return new Pps() {
            @Override
            public boolean alive() {
                return alive.test(adapter);
            }

            @Override
            public Map<String, Object> details() {
                return details.apply(adapter);
            }

            @Override
            public void close() {
                try {
                    adapter.close();
                } catch (Exception e) {
                    // closing a device that already failed: nothing more to do
                }
            }
        };
    }

    @Override
    public String kind() {
        return "gnss";
    }

    @Override
    public synchronized void start(Consumer<Sample> sink) {
        pairing = new GnssPairing(sink);
        serial = new SerialLineReader(serialConfig, this::onLine);
        serial.start();
        if (ppsInput != null) {
            pps = ppsInput.start((assertMonoNanos, sequence, edgeErrorNanos) -> onEdge(assertMonoNanos, edgeErrorNanos));
        }
    }

    private synchronized void onLine(byte[] buf, int off, int len, long rxMonoNanos) {
        if (parser.parse(buf, off, len, fix) && fix.valid() && fix.dateKnown()) {
            pairing.onNmeaTime(fix.epochMillis(), rxMonoNanos);
        }
    }

    private synchronized void onEdge(long assertMonoNanos, long edgeErrorNanos) {
        pairing.onPpsEdge(assertMonoNanos, edgeErrorNanos);
    }

    @Override
    public boolean alive(long nowMonoNanos) {
        return serial != null && serial.alive() && (pps == null || pps.alive());
    }

    @Override
    public synchronized Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("device", serialConfig.devicePath());
        d.put("baud", serialConfig.baud());
        if (serial != null) {
            d.put("connected", serial.connected());
            d.put("bytes", serial.bytes());
            d.put("lines", serial.lines());
            d.put("overlongDropped", serial.overlongDropped());
            d.put("reopens", serial.reopens());
            d.put("serialErrors", serial.errors());
            d.put("lastError", String.valueOf(serial.lastError()));
        }
        d.put("sentences", parser.sentences());
        d.put("checksumErrors", parser.checksumErrors());
        d.put("malformed", parser.malformed());
        d.put("guardRejected", parser.guardRejected());
        if (pairing != null) {
            d.put("pairs", pairing.pairs());
            d.put("nmeaDelayCalibrated", pairing.calibrated());
            d.put("nmeaDelayMinNanos", pairing.delayMinNanos());
            d.put("nmeaDelayMeanNanos", pairing.delayMeanNanos());
            d.put("nmeaDelayMaxNanos", pairing.delayMaxNanos());
            d.put("ambiguousDropped", pairing.ambiguousDropped());
            d.put("unpairedNmea", pairing.unpairedNmea());
            d.put("labelConflicts", pairing.labelConflicts());
            d.put("heldLabels", pairing.heldLabels());
            d.put("unlabelledEdges", pairing.unlabelledEdges());
            d.put("nmeaOnlySamples", pairing.nmeaOnlySamples());
            d.put("impreciseEdges", pairing.impreciseEdges());
        }
        d.put("pps", pps == null ? Map.of("kind", "none") : pps.details());
        return d;
    }

    @Override
    public synchronized void close() {
        if (pps != null) {
            pps.close();
        }
        if (serial != null) {
            serial.close();
        }
    }
}
