package io.ionclock.bench;

import io.ionclock.core.nmea.DecodeNmea;
import io.ionclock.core.nmea.GpsdCaptures;
import io.ionclock.core.nmea.NmeaParser;
import io.ionclock.core.nmea.NmeaTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link NmeaParser} over real receiver output: a gpsd capture, comments removed,
 * pre-split into lines (terminators kept) in one buffer. One operation is one pass over the whole
 * capture; the {@code bytes} and {@code lines} counters give bytes/s and lines/s directly.
 *
 * <pre>
 * ./ionclock bench NmeaParserBench -prof gc
 * </pre>
 *
 * The captures are the tests' copies in {@code src/test/resources/gpsd/}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NmeaParserBench {

    /**
     * ublox-neo-m9n-nmea: a clean modern multi-GNSS stream (mostly GSV/GSA, 1 in 5 lines timed);
     * gp-320fw: the dirtiest (checksum errors, run-together and truncated lines).
     */
    @Param({"ublox-neo-m9n-nmea.log", "gp-320fw-2019-04-07-coldboot.log"})
    public String capture;

    private byte[] buf;
    private int[] lineOff;
    private int[] lineLen;
    private long captureBytes;
    private NmeaParser parser;
    private NmeaTime out;

    /** Per-iteration counters, reported by JMH as rates (per second). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long bytes;
        public long lines;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
            lines = 0;
        }
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        byte[] data = Files.readAllBytes(GpsdCaptures.dir().resolve(capture));
        ByteArrayOutputStream kept = new ByteArrayOutputStream(data.length);
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                int end = Math.min(i + 1, data.length); // keep the terminator
                if (end > start && data[start] != '#') {
                    lines.add(new int[] {kept.size(), end - start});
                    kept.write(data, start, end - start);
                }
                start = i + 1;
            }
        }
        buf = kept.toByteArray();
        lineOff = lines.stream().mapToInt(l -> l[0]).toArray();
        lineLen = lines.stream().mapToInt(l -> l[1]).toArray();
        captureBytes = buf.length;
        parser = new NmeaParser(DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        out = new NmeaTime();
    }

    /** One pass over the capture; returns the number of valid times (consumed by JMH). */
    @Benchmark
    public int parseCapture(Counters counters) {
        int valid = 0;
        for (int i = 0; i < lineOff.length; i++) {
            if (parser.parse(buf, lineOff[i], lineLen[i], out) && out.valid()) {
                valid++;
            }
        }
        counters.bytes += captureBytes;
        counters.lines += lineOff.length;
        return valid;
    }
}
