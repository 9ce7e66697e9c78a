package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.EpochClock;
import io.ionclock.core.mqtt.GatewayTopics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code ionclock probe --broker tcp://HOST:PORT [--gateway ID] [--count N] [--mqtt 5|3.1.1]}: the
 * sensor's view, like sntp. Runs N request/response exchanges over MQTT and prints, for each, the offset
 * ({@code local - gateway}, NTP's formula, positive: this host is ahead), the round-trip delay, the bound
 * the gateway gave, and the error of the offset ({@code bound + delay/2}); then a summary. Without
 * {@code --gateway} it takes the first gateway whose retained status it sees. MQTT 5 uses the Response
 * Topic and Correlation Data (and sends {@code replyTo} and {@code id} too, for a gateway behind a site's
 * broker, which speaks 3.1.1); 3.1.1 the {@code replyTo} and {@code id} fields. Plain sockets and Netty's
 * MQTT codec: no Vert.x, no HTTP server. Exit 0 when at least one answer came, 1 when none, 2 on bad usage.
 */
public final class MqttProbe {
    static final String USAGE = "usage: ionclock probe --broker tcp://HOST:PORT [--gateway ID] [--count N] [--mqtt 5|3.1.1]"
            + " [--timeout-millis MS] [--username U --password P]";
    /** Most exchanges one run makes. */
    static final int COUNT_MAX = 10_000;
    /** Longest a reply (or the status, when discovering) is awaited. */
    static final int TIMEOUT_MILLIS_DEFAULT = 2_000;
    /** Largest packet the probe accepts. */
    static final int PACKET_BYTES_MAX = 65_536;
    /** One socket read at most. */
    static final int READ_BUFFER_BYTES = 8_192;
    static final Pattern LONG_FIELD = Pattern.compile("\"(t1Nanos|t2Nanos|t3Nanos|boundNanos)\":(-?\\d{1,19})");
    static final Pattern STRING_FIELD = Pattern.compile("\"(status|error|source)\":\"([^\"]*)\"");

    private final EpochClock hostClock;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private EmbeddedChannel codec;
    private final byte[] readBuffer = new byte[READ_BUFFER_BYTES];

    MqttProbe(EpochClock hostClock) {
        this.hostClock = hostClock;
    }

    /** One exchange's result. */
    public record Exchange(long offsetNanos, long delayNanos, long boundNanos, String status) {
        public long errorNanos() {
            return boundNanos + delayNanos / 2;
        }
    }

    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        String broker = null;
        String gateway = null;
        int count = 4;
        boolean v5 = true;
        int timeoutMillis = TIMEOUT_MILLIS_DEFAULT;
        String username = null;
        String password = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--broker" -> broker = need(v, a);
                    case "--gateway" -> gateway = need(v, a);
                    case "--count" -> count = Integer.parseInt(need(v, a));
                    case "--mqtt" -> v5 = switch (need(v, a)) {
                        case "5" -> true;
                        case "3.1.1", "3" -> false;
                        default -> throw new IllegalArgumentException("--mqtt is 5 or 3.1.1");
                    };
                    case "--timeout-millis" -> timeoutMillis = Integer.parseInt(need(v, a));
                    case "--username" -> username = need(v, a);
                    case "--password" -> password = need(v, a);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (broker == null) {
                throw new IllegalArgumentException("--broker is required");
            }
            if (count < 1 || count > COUNT_MAX || timeoutMillis < 1) {
                throw new IllegalArgumentException("--count is 1.." + COUNT_MAX + ", --timeout-millis > 0");
            }
            if (gateway != null && !GatewayTopics.isValidGatewayId(gateway)) {
                throw new IllegalArgumentException("--gateway '" + gateway + "' is not a gateway id");
            }
        } catch (RuntimeException e) {
            stderr.println("probe: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        ExternalBrokerOptions.Endpoint endpoint;
        try {
            endpoint = ExternalBrokerOptions.parse(broker);
        } catch (IllegalArgumentException e) {
            stderr.println("probe: --broker " + e.getMessage());
            return 2;
        }
        MqttProbe probe = new MqttProbe(SystemMonoClock.HOST_EPOCH);
        try {
            return probe.probe(endpoint, gateway, count, v5, timeoutMillis, username, password, stdout, stderr);
        } catch (IOException | RuntimeException e) {
            stderr.println("probe: " + broker + ": " + e);
            return 1;
        } finally {
            probe.close();
        }
    }

    private static String need(String v, String option) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return v;
    }

    int probe(ExternalBrokerOptions.Endpoint endpoint, String gateway, int count, boolean v5, int timeoutMillis,
            String username, String password, PrintStream stdout, PrintStream stderr) throws IOException {
        connect(endpoint, v5, timeoutMillis, username, password);
        if (gateway == null) {
            gateway = discover(timeoutMillis);
            if (gateway == null) {
                stderr.println("probe: no gateway status seen within " + timeoutMillis + " ms (give --gateway)");
                return 1;
            }
        }
        GatewayTopics topics = new GatewayTopics(gateway);
        String replyTopic = topics.replyPrefix + "probe-" + HexFormat.of().formatHex(randomBytes(6));
        send(MqttMessageBuilders.subscribe().messageId(2).addSubscription(MqttQoS.AT_MOST_ONCE, replyTopic).build());
        if (await(MqttMessageType.SUBACK, timeoutMillis) == null) {
            stderr.println("probe: no SUBACK");
            return 1;
        }
        stdout.printf("probe %s:%d gateway %s, MQTT %s, %d exchange(s)%n", endpoint.host(), endpoint.port(), gateway,
                v5 ? "5" : "3.1.1", count);
        List<Exchange> answers = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            Exchange x = exchange(topics, replyTopic, seq, v5, timeoutMillis);
            if (x == null) {
                stdout.printf("%d: no answer within %d ms%n", seq, timeoutMillis);
                continue;
            }
            answers.add(x);
            stdout.printf("%d: offsetNanos %+d delayNanos %d boundNanos %d errorNanos %d status %s%n", seq,
                    x.offsetNanos(), x.delayNanos(), x.boundNanos(), x.errorNanos(), x.status());
        }
        if (answers.isEmpty()) {
            stdout.printf("summary: 0/%d answered%n", count);
            return 1;
        }
        long[] offsets = answers.stream().mapToLong(Exchange::offsetNanos).sorted().toArray();
        long[] delays = answers.stream().mapToLong(Exchange::delayNanos).sorted().toArray();
        Exchange best = answers.stream().min((a, b) -> Long.compare(a.delayNanos(), b.delayNanos())).orElseThrow();
        stdout.printf("summary: %d/%d answered; offsetNanos min %+d median %+d max %+d; delayNanos min %d median %d"
                + " max %d; best (least delay): offsetNanos %+d +- %d%n", answers.size(), count, offsets[0],
                offsets[offsets.length / 2], offsets[offsets.length - 1], delays[0], delays[delays.length / 2],
                delays[delays.length - 1], best.offsetNanos(), best.errorNanos());
        return 0;
    }

    private void connect(ExternalBrokerOptions.Endpoint endpoint, boolean v5, int timeoutMillis, String username,
            String password) throws IOException {
        socket = endpoint.ssl() ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        codec = new EmbeddedChannel(MqttEncoder.INSTANCE, new MqttDecoder(PACKET_BYTES_MAX));
        var connect = MqttMessageBuilders.connect().clientId("ionclock-probe-" + HexFormat.of().formatHex(randomBytes(4)))
                .protocolVersion(v5 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1).cleanSession(true).keepAlive(60);
        if (username != null) {
            connect.hasUser(true).username(username).hasPassword(true).password(bytes(password == null ? "" : password));
        }
        send(connect.build());
        MqttMessage ack = await(MqttMessageType.CONNACK, timeoutMillis);
        if (ack == null) {
            throw new IOException("no CONNACK within " + timeoutMillis + " ms");
        }
        MqttConnectReturnCode code = ((MqttConnAckMessage) ack).variableHeader().connectReturnCode();
        if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            throw new IOException("connection refused: " + code);
        }
    }

    private String discover(int timeoutMillis) throws IOException {
        send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "ionclock/+/status").build());
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            MqttMessage m = await(MqttMessageType.PUBLISH, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (m instanceof MqttPublishMessage p) {
                String[] levels = p.variableHeader().topicName().split("/");
                String payload = p.payload().toString(StandardCharsets.UTF_8);
                p.release();
                if (levels.length == 3 && payload.contains("\"online\":true")) {
                    send(MqttMessageBuilders.unsubscribe().messageId(3).addTopicFilter("ionclock/+/status").build());
                    return levels[1];
                }
            }
        }
        return null;
    }

    private Exchange exchange(GatewayTopics topics, String replyTopic, int seq, boolean v5, int timeoutMillis)
            throws IOException {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        byte[] correlation = ByteBuffer.allocate(8).putLong(seq).array();
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), replyTopic));
            props.add(new MqttProperties.BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), correlation));
        }
        long t1Nanos = hostClock.epochNanos();
        // replyTo and id as well under MQTT 5: a site's broker may forward the request to a 3.1.1 gateway
        String body = "{\"t1Nanos\":" + t1Nanos + ",\"replyTo\":\"" + replyTopic + "\",\"id\":" + seq + "}";
        send(MqttMessageBuilders.publish().topicName(topics.request).qos(MqttQoS.AT_MOST_ONCE).retained(false)
                .messageId(0).payload(Unpooled.wrappedBuffer(bytes(body))).properties(props).build());
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            MqttMessage m = await(MqttMessageType.PUBLISH, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            long t4Nanos = lastReadEpochNanos;
            if (!(m instanceof MqttPublishMessage p)) {
                continue;
            }
            String json = p.payload().toString(StandardCharsets.UTF_8);
            MqttProperties.MqttProperty<?> cd = p.variableHeader().properties()
                    .getProperty(MqttPropertyType.CORRELATION_DATA.value());
            p.release();
            boolean ours = cd != null ? Arrays.equals((byte[]) cd.value(), correlation) : json.contains("\"id\":" + seq + ",");
            if (!ours) {
                continue; // a late answer to an earlier exchange
            }
            return parse(json, t1Nanos, t4Nanos);
        }
        return null;
    }

    /** The exchange from a reply: offset = ((t1 - t2) + (t4 - t3)) / 2, delay = (t4 - t1) - (t3 - t2). */
    static Exchange parse(String json, long t1Nanos, long t4Nanos) {
        long t2 = 0;
        long t3 = 0;
        long bound = -1;
        long echoed = Long.MIN_VALUE;
        Matcher m = LONG_FIELD.matcher(json);
        while (m.find()) {
            long v = Long.parseLong(m.group(2));
            switch (m.group(1)) {
                case "t1Nanos" -> echoed = v;
                case "t2Nanos" -> t2 = v;
                case "t3Nanos" -> t3 = v;
                default -> bound = v;
            }
        }
        String status = "?";
        Matcher s = STRING_FIELD.matcher(json);
        while (s.find()) {
            if ("error".equals(s.group(1))) {
                throw new IllegalStateException("the gateway refused the request: " + json);
            }
            if ("status".equals(s.group(1))) {
                status = s.group(2);
            }
        }
        if (echoed != t1Nanos || bound < 0) {
            throw new IllegalStateException("not a reply to this request: " + json);
        }
        long offsetNanos = ((t1Nanos - t2) + (t4Nanos - t3)) / 2;
        long delayNanos = (t4Nanos - t1Nanos) - (t3 - t2);
        return new Exchange(offsetNanos, delayNanos, bound, status);
    }

    private long lastReadEpochNanos;

    private void send(MqttMessage m) throws IOException {
        codec.writeOutbound(m);
        ByteBuf b;
        while ((b = codec.readOutbound()) != null) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.write(bytes);
        }
        out.flush();
    }

    /** The next message of {@code type} within the timeout, or null; others are skipped. */
    private MqttMessage await(MqttMessageType type, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            Object o;
            while ((o = codec.readInbound()) != null) {
                MqttMessage m = (MqttMessage) o;
                if (m.decoderResult().isFailure()) {
                    throw new IOException("bad packet from the broker: " + m.decoderResult().cause());
                }
                if (m.fixedHeader().messageType() == type) {
                    return m;
                }
                if (m instanceof MqttPublishMessage p) {
                    p.release();
                }
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, leftMillis));
            int n;
            try {
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                return null;
            }
            lastReadEpochNanos = hostClock.epochNanos();
            if (n < 0) {
                throw new IOException("the broker closed the connection");
            }
            codec.writeInbound(Unpooled.copiedBuffer(readBuffer, 0, n));
        }
    }

    private void close() {
        try {
            if (socket != null && socket.isConnected() && codec != null) {
                send(MqttMessageBuilders.disconnect().build());
            }
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // nothing left to do
        }
        if (codec != null) {
            codec.finishAndReleaseAll();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
