package io.ionclock.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged appliance ({@code java -jar quarkus-run.jar run}) as a separate process, on free ports: HTTP on port
 * 0 (read back from the log), MQTT off unless the caller says otherwise. For the multi-process tests and benchmarks.
 */
public final class ApplianceProcess implements AutoCloseable {
    public static final Duration START_DEADLINE = Duration.ofSeconds(30);
    public static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
    static final Pattern HTTP_PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort = -1;

    private ApplianceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code jar} with its data directory {@code dir/NAME}, its log {@code dir/NAME.log}, and {@code env} on
     * top of: {@code QUARKUS_HTTP_PORT=0}, {@code IONCLOCK_MQTT_MODE=off}; waits until HTTP listens.
     */
    public static ApplianceProcess start(String jar, Path dir, String name, Map<String, String> env) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Path log = dir.resolve(name + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", jar, "run"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        e.put("IONCLOCK_DATA_DIR", data.toString());
        e.put("QUARKUS_HTTP_PORT", "0");
        e.put("IONCLOCK_MQTT_MODE", "off");
        e.putAll(env);
        ApplianceProcess p = new ApplianceProcess(name, pb.start(), log);
        p.httpPort = p.awaitLog(HTTP_PORT);
        return p;
    }

    /** Waits for {@code pattern} (with one group, a number) in the log; returns the number. */
    public int awaitLog(Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if it dies
        }
        throw new AssertionError(name + ": '" + pattern + "' not logged within " + START_DEADLINE + ":\n" + logText());
    }

    /** The UDP port Clocklink listens on, from the log. */
    public int awaitSyncPort() throws Exception {
        return awaitLog(Pattern.compile("Clocklink \\w+ \\S+ listening on UDP port (\\d+)"));
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    public int httpPort() {
        return httpPort;
    }

    public String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGTERM, then SIGKILL after {@link #EXIT_DEADLINE}. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
