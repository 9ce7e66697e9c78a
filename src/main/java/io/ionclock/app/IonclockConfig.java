package io.ionclock.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * All of ionclock's configuration, prefix {@code ionclock} (environment: {@code IONCLOCK_...}). A device
 * profile ({@code device-profiles/NAME.properties}) sets board values under the same keys; explicit
 * settings win over the profile. Ranges are checked at start by {@link ConfigCheck}.
 */
@ConfigMapping(prefix = "ionclock")
public interface IonclockConfig {

    /** Device profile name: a file {@code device-profiles/NAME.properties}. */
    @WithDefault("sim")
    String profile();

    /** Where the drift file (and later the audit log) live. */
    @WithDefault("data")
    String dataDir();

    /** Which reference feeds the clock: {@code sim}, {@code gnss}, or {@code none}. Set by the profile. */
    @WithDefault("none")
    String reference();

    /** Readiness requires SYNCHRONIZED and a bound under this. */
    @WithDefault("1ms")
    Duration readyBound();

    /** Bound past which the clock is FREE_RUNNING. */
    @WithDefault("1s")
    Duration boundMax();

    /** Sample age past which a synchronized clock is in HOLDOVER. */
    @WithDefault("5s")
    Duration holdoverAfter();

    /** Oscillator wander allowed for in the bound while coasting (ClockBound max_drift_ppb). */
    @WithDefault("15000")
    long maxDriftPpb();

    /** Fastest slew of corrections after the first synchronisation (500 ppm). */
    @WithDefault("500000")
    long slewRatePpb();

    /** The local oscillator's tolerance: larger frequency errors are impossible. */
    @WithDefault("500000")
    long frequencyTolerancePpb();

    /** How a leap second is applied: {@code smear} or {@code step}. */
    @WithDefault("smear")
    LeapPolicy leapPolicy();

    /** The IERS/NIST leap-seconds list (its hash and expiry are checked). */
    @WithDefault("/usr/share/zoneinfo/leap-seconds.list")
    String leapFile();

    /** How often the learned frequency is written to the drift file. */
    @WithDefault("10m")
    Duration driftSaveInterval();

    /**
     * What ionclock does with the host's own clock (README: Feeding chrony): {@code none}, or {@code chrony-sock} (a
     * sample to chronyd's SOCK refclock at each update of the clock). Default: {@code chrony-sock} when a chronyd
     * process runs at start, else {@code none}. {@code discipline}: ionclock steers the system clock (clock_adjtime;
     * opt-in, needs CAP_SYS_TIME, refused while chronyd, ntpd or systemd-timesyncd disciplines it).
     */
    Optional<String> hostClock();

    ChronySock chronySock();

    Mqtt mqtt();

    Sync sync();

    Ntp ntp();

    Gnss gnss();

    Pps pps();

    Sim sim();

    enum LeapPolicy {
        SMEAR,
        STEP
    }

    /** {@code ionclock.host-clock=chrony-sock}: the socket chronyd binds and the largest error sent. */
    interface ChronySock {
        /** chrony.conf's {@code refclock SOCK PATH}: chronyd creates it; ionclock only sends to it. */
        @WithDefault("/run/chrony/ionclock.sock")
        String path();

        /**
         * A sample goes to chrony only while ionclock's bound (plus half the read of the two clocks) is within this
         * (100 µs; below a millisecond Quarkus durations are ISO-8601: PT0.0001S). Keep chrony.conf's
         * {@code delay} at twice it.
         */
        @WithDefault("PT0.0001S")
        Duration boundMax();
    }

    interface Mqtt {
        /** {@code embedded} (the appliance's own MQTT server), {@code external} (a site's broker) or {@code off}. */
        @WithDefault("embedded")
        String mode();

        /** The embedded MQTT server's port (0: any free port, for tests; the log names the bound port). */
        @WithDefault("1883")
        int port();

        /** The address the embedded server binds. */
        @WithDefault("0.0.0.0")
        String host();

        /** External mode: {@code tcp://host:port} or {@code ssl://host:port}. */
        Optional<String> broker();

        /** Embedded: the user name clients must send (with the password); external: the one we send. */
        Optional<String> username();

        Optional<String> password();

        /** The {@code {gatewayId}} of the topics; default the host name. */
        Optional<String> gatewayId();

        /** Connected clients (and stored persistent sessions) at most. */
        @WithDefault("10000")
        int clientsMax();

        @WithDefault("16")
        int subscriptionsPerClientMax();

        /** Messages to one client not yet flushed (QoS 0) or acknowledged (QoS 1); past it messages to it are dropped. */
        @WithDefault("16")
        int inflightPerClientMax();

        /** Largest payload a client may send (a request, a will). */
        @WithDefault("512")
        int payloadBytesMax();

        /** Time requests a second per client (token bucket rate). */
        @WithDefault("10")
        int requestsPerSecondMax();

        /** Time requests a client may send at once (token bucket size). */
        @WithDefault("20")
        int requestBurstMax();

        /** Time requests a second over all clients (both modes). */
        @WithDefault("50000")
        int requestsPerSecondTotalMax();

        /** Longest a persistent session's subscriptions are kept after its client disconnects. */
        @WithDefault("1h")
        Duration sessionExpiryMax();

        /** External: give up a connection attempt whose CONNACK has not come within this. */
        @WithDefault("10s")
        Duration connackTimeout();

        /** External: the first reconnect delay, doubled after each failure up to {@code reconnect-backoff-max}. */
        @WithDefault("100ms")
        Duration reconnectBackoffMin();

        @WithDefault("30s")
        Duration reconnectBackoffMax();

        /** External: MQTT keep-alive; an unanswered ping drops the connection. */
        @WithDefault("30s")
        Duration keepAlive();

        Tls tls();

        interface Tls {
            /** Embedded: serve MQTT over TLS with this PEM certificate (chain), with {@code key}. */
            Optional<String> cert();

            /** Embedded: the PEM private key of {@code cert}. */
            Optional<String> key();

            /** External, ssl://: a PEM CA bundle to trust (default: the JVM's trust store). */
            Optional<String> trust();
        }
    }

    /** Clocklink (docs/clocklink.md); checked by {@link SyncSettings}. */
    interface Sync {
        /** {@code off} (the default), {@code master} (has a reference, serves gateways) or {@code gateway}. */
        @WithDefault("off")
        String role();

        /** Clocklink's UDP port (0: any free port; the log says {@code Clocklink ... listening on UDP port N}). */
        @WithDefault("7372")
        int port();

        /** The address the UDP socket binds. */
        @WithDefault("0.0.0.0")
        String host();

        /** Comma-separated {@code host:port}: a gateway's upstream servers, a master's other masters. */
        Optional<String> peers();

        /** The keyfile, chrony's format ({@code ID SHA256 HEX:...}); default {@code DATA_DIR/clocklink.keys}. */
        Optional<String> keyFile();

        /** The key id this node signs with; default the first key in the file (a rotation switches it). */
        java.util.OptionalLong sendKeyId();

        /** The node's name on the wire, 1..31 bytes of UTF-8; default the host name. */
        Optional<String> nodeId();

        /** The masters' round, and a gateway's poll while fast-tracking. */
        @WithDefault("100ms")
        Duration round();

        /** A gateway's fastest poll of its upstream servers (default: the round); a busy server asks for slower. */
        Optional<Duration> poll();

        /** Bound on the error of this node's own send and receive timestamps (user space: tens of µs). */
        @WithDefault("50000")
        long timestampErrorNanos();

        /** Joined clients served at most (a master's gateways, a relay's children). */
        @WithDefault("64")
        int clientsMax();

        /** A gateway answers joined children with its own time (a relay in a tree). */
        @WithDefault("false")
        boolean relay();

        /** Each link's longest filter window: the node sizes each link's window within it from its jitter and poll. */
        @WithDefault("1024s")
        Duration filterWindow();

        /** A gateway's steady traffic budget, UDP payload bytes a second (0: none; more bytes buy accuracy). */
        @WithDefault("250")
        long budgetBytesPerSecond();

        /**
         * Where Clocklink's packets are timestamped: {@code kernel} (Linux SO_TIMESTAMPING, with interleaved exchanges;
         * user space where the kernel refuses, said in status and metrics) or {@code user} (Vert.x UDP).
         */
        @WithDefault("kernel")
        String timestamping();

        /**
         * A network interface whose hardware timestamps to use (SIOCSHWTSTAMP; needs CAP_NET_ADMIN): the kernel's
         * software timestamps where it is refused, said in status and metrics.
         */
        Optional<String> hwTimestamps();
    }

    /** NTP, both ways (README: NTP); checked at start. */
    interface Ntp {
        /** Answer NTP clients (RFC 5905 server). On in the device profiles; the {@code sim} profile turns it off. */
        @WithDefault("true")
        boolean server();

        /** The server's UDP port (0: any free port, for tests; the log names it). */
        @WithDefault("123")
        int port();

        /** Comma-separated addresses the server binds (one socket each). */
        @WithDefault("0.0.0.0")
        String bind();

        /** Requests a second one client address may send on average (token bucket rate). */
        @WithDefault("16")
        int clientRequestsPerSecondMax();

        /** Requests one client address may send at once (token bucket size). */
        @WithDefault("32")
        int clientRequestBurstMax();

        /** Client addresses the server remembers (rate limits, interleaved state); the least recent is evicted. */
        @WithDefault("4096")
        int clientsMax();

        /** {@code kernel} (SO_TIMESTAMPING receive and transmit times, interleaved mode) or {@code user}. */
        @WithDefault("kernel")
        String timestamping();

        /** Comma-separated {@code host:port} (port default 123) of upstream NTP servers: a source when set. */
        Optional<String> servers();

        /** The fastest poll of each upstream server (chrony's minpoll; 64 s is polite to public servers). */
        @WithDefault("64s")
        Duration poll();

        /** The slowest poll: where backoff (no answer, KoD RATE) stops (chrony's maxpoll). */
        @WithDefault("1024s")
        Duration pollMax();

        /** Ask upstream servers for interleaved mode (chrony's {@code xleave}); kernel timestamps needed. */
        @WithDefault("true")
        boolean xleave();

        /** How often DNS names in {@code servers} are resolved again. */
        @WithDefault("1h")
        Duration resolveInterval();
    }

    interface Gnss {
        /** The receiver's tty, e.g. /dev/ttyAMA0 (set by the profile). */
        Optional<String> device();

        @WithDefault("9600")
        int baud();
    }

    interface Pps {
        /** The kernel PPS device, e.g. /dev/pps0 (the accurate path). */
        Optional<String> device();

        /** Whether ionclock owns the PPS device and may set its parameters (false when chrony also uses it). */
        @WithDefault("false")
        boolean owner();

        /** A GPIO line for the user-space fallback where there is no PPS device (BCM number). */
        java.util.OptionalInt gpioLine();

        /** The chip of {@code gpio-line}: gpiochip0 on Pi 4 and 5 (gpiochip4 on Pi 5 kernels before 6.6.47). */
        @WithDefault("gpiochip0")
        String gpioChip();
    }

    interface Sim {
        /** The simulated local oscillator's frequency error. */
        @WithDefault("25000")
        long oscillatorPpb();

        /** The simulated oscillator's frequency random walk: a Gaussian step of this x sqrt(1 s) each second. */
        @WithDefault("0")
        double wanderPpbPerSqrtSecond();

        /** Amplitude of the simulated oscillator's temperature cycle. */
        @WithDefault("0")
        long temperaturePpb();

        /** Period of the simulated oscillator's temperature cycle. */
        @WithDefault("15m")
        Duration temperaturePeriod();

        /** Standard deviation of the simulated reference's noise. */
        @WithDefault("500")
        long noiseNanos();

        @WithDefault("1")
        long seed();

        /** Interval between simulated PPS samples. */
        @WithDefault("1s")
        Duration interval();
    }
}
