package io.ionclock.bench;

import io.ionclock.adapter.net.TimestampingSocket;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Costs of {@link TimestampingSocket} on loopback, per datagram, on one thread: {@code send} (on loopback the
 * syscall also runs the kernel's receive path), receiving a burst of {@value #BURST} datagrams and their
 * {@value #BURST} transmit reports with {@code poll(0)}, and a whole exchange one datagram at a time (send, poll
 * the receiver, poll the sender). Run: {@code ./ionclock bench TimestampingSocketBench -bm avgt -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TimestampingSocketBench {
    static final int BURST = 32;
    static final int MESSAGE_BYTES = 132;

    /** Two sockets on 127.0.0.1 and a receiver that only adds up what it is handed. */
    public abstract static class Pair {
        TimestampingSocket sender;
        TimestampingSocket receiver;
        InetAddress to;
        int toPort;
        final byte[] message = new byte[MESSAGE_BYTES];
        long sink;
        final TimestampingSocket.Receiver counting = new TimestampingSocket.Receiver() {
            @Override
            public void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxRealtimeNanos) {
                sink += len + rxRealtimeNanos;
            }

            @Override
            public void transmitted(long key, long txRealtimeNanos) {
                sink += key + txRealtimeNanos;
            }
        };

        @Setup(Level.Trial)
        public void open() {
            sender = TimestampingSocket.open("127.0.0.1", 0, 512, 1 << 20, null);
            receiver = TimestampingSocket.open("127.0.0.1", 0, 512, 1 << 20, null);
            to = InetAddress.getLoopbackAddress();
            toPort = receiver.localPort();
        }

        @TearDown(Level.Trial)
        public void close() {
            sender.close();
            receiver.close();
        }

        long send() {
            return sender.send(message, 0, MESSAGE_BYTES, to, toPort);
        }
    }

    /** Both sockets emptied before each invocation (not measured). */
    @State(Scope.Thread)
    public static class Drained extends Pair {
        @Setup(Level.Invocation)
        public void drain() {
            while (receiver.poll(0, counting) > 0 || sender.poll(0, counting) > 0) {
                // bounded by what the kernel holds
            }
        }
    }

    /** A burst sent before each invocation (not measured). */
    @State(Scope.Thread)
    public static class Loaded extends Pair {
        @Setup(Level.Invocation)
        public void load() {
            for (int i = 0; i < BURST; i++) {
                send();
            }
        }
    }

    /** Nothing between invocations. */
    @State(Scope.Thread)
    public static class Plain extends Pair {
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long sendBurst(Drained pair) {
        long keys = 0;
        for (int i = 0; i < BURST; i++) {
            keys += pair.send();
        }
        return keys;
    }

    /** Per datagram: its share of the receiver's polls and of the sender's polls for the transmit reports. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public long receiveBurst(Loaded pair) {
        int datagrams = 0;
        while (datagrams < BURST) {
            datagrams += pair.receiver.poll(0, pair.counting);
        }
        int reports = 0;
        while (reports < BURST) {
            reports += pair.sender.poll(0, pair.counting);
        }
        return pair.sink;
    }

    @Benchmark
    public long exchange(Plain pair) {
        pair.send();
        int handed = 0;
        while (handed < 1) {
            handed += pair.receiver.poll(0, pair.counting);
        }
        while (handed < 2) {
            handed += pair.sender.poll(0, pair.counting);
        }
        return pair.sink;
    }
}
