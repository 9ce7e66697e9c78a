package io.ionclock.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * {@code ionclock status|sources|clients [--url URL] [--json]}: reads a running appliance's {@code /api/v1/status}
 * (default {@value #URL_DEFAULT}, or {@code IONCLOCK_URL}) and prints it as {@code chronyc tracking}, {@code sources}
 * or {@code clients} would ({@link StatusFormat}), or as JSON with stable keys. Exit 0, 1 when no appliance answers
 * (or it answers with an error), 2 for bad usage.
 */
public final class ApplianceCommand {
    public static final String URL_DEFAULT = "http://localhost:8080";
    public static final int EXIT_OK = 0;
    public static final int EXIT_NO_APPLIANCE = 1;
    public static final int EXIT_USAGE = 2;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A status larger than this is not an appliance's. */
    static final int STATUS_BYTES_MAX = 4 * 1024 * 1024;
    static final String USAGE = "usage: ionclock status|sources|clients [--url URL] [--json]"
            + "   (URL default " + URL_DEFAULT + ", or IONCLOCK_URL)";

    private ApplianceCommand() {
    }

    public static int run(String command, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String url = env.getOrDefault("IONCLOCK_URL", URL_DEFAULT);
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--url") && i + 1 < args.length) {
                url = args[++i];
            } else if (a.startsWith("--url=")) {
                url = a.substring(6);
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return EXIT_OK;
            } else {
                err.println(command + ": unexpected argument '" + a + "'\n" + USAGE);
                return EXIT_USAGE;
            }
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri;
        try {
            uri = URI.create(base + "/api/v1/status");
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            err.println(command + ": bad --url '" + url + "': " + e.getMessage());
            return EXIT_USAGE;
        }
        JsonNode status;
        try {
            status = fetch(uri);
        } catch (IOException e) {
            err.println("no appliance answers at " + url + ": " + e.getMessage());
            return EXIT_NO_APPLIANCE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(command + ": interrupted");
            return EXIT_NO_APPLIANCE;
        }
        return print(command, status, json, out, err);
    }

    /** Prints a status already fetched (the formatting half, testable without a server). */
    static int print(String command, JsonNode status, boolean json, PrintStream out, PrintStream err) {
        try {
            if (json) {
                Object m = switch (command) {
                    case "status" -> StatusFormat.trackingJson(status);
                    case "sources" -> StatusFormat.sourcesJson(status);
                    case "clients" -> StatusFormat.clientsJson(status);
                    default -> throw new IllegalArgumentException(command);
                };
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            } else {
                out.print(switch (command) {
                    case "status" -> StatusFormat.tracking(status);
                    case "sources" -> StatusFormat.sources(status);
                    case "clients" -> StatusFormat.clients(status);
                    default -> throw new IllegalArgumentException(command);
                });
            }
            return EXIT_OK;
        } catch (IOException e) {
            err.println(command + ": " + e.getMessage());
            return EXIT_NO_APPLIANCE;
        }
    }

    static JsonNode fetch(URI uri) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IOException("connection refused", e);
        } catch (HttpConnectTimeoutException e) {
            throw new IOException("connect timed out after " + TIMEOUT.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer within " + TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + uri);
        }
        if (response.body().length > STATUS_BYTES_MAX) {
            throw new IOException("status larger than " + STATUS_BYTES_MAX + " bytes");
        }
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new IOException("not an ionclock status (not JSON) at " + uri, e);
        }
        if (node == null || !node.path("time").isObject() || !node.path("clock").isObject()) {
            throw new IOException("not an ionclock status (no time and clock) at " + uri);
        }
        return node;
    }
}
