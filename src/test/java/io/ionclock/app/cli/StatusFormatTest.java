package io.ionclock.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Golden outputs of {@code ionclock status|sources|clients} (text and --json) from statuses saved from real runs
 * (src/test/resources/status: a sim appliance; a Clocklink master with the NTP server on; a gateway following it over
 * Clocklink with that NTP server as a second source). {@code -Dgolden.update=true} rewrites the goldens.
 */
class StatusFormatTest {
    static final Path DIR = Path.of("src/test/resources/status");

    @ParameterizedTest
    @CsvSource({"sim,status", "sim,sources", "sim,clients", "gateway-clocklink-ntp,status",
            "gateway-clocklink-ntp,sources", "gateway-clocklink-ntp,clients", "master-ntp-server,status",
            "master-ntp-server,sources", "master-ntp-server,clients"})
    void goldens(String fixture, String command) throws IOException {
        JsonNode status = new ObjectMapper().readTree(DIR.resolve(fixture + ".json").toFile());
        check(fixture + "." + command + ".txt", render(command, status, false));
        check(fixture + "." + command + ".json.txt", render(command, status, true));
    }

    @Test
    void symbolsFollowChrony() {
        assertEquals('*', StatusFormat.symbol("SELECTED"));
        assertEquals('+', StatusFormat.symbol("CANDIDATE"));
        assertEquals('-', StatusFormat.symbol("OUTLIER"));
        assertEquals('x', StatusFormat.symbol("FALSETICKER"));
        assertEquals('x', StatusFormat.symbol("ISOLATED"));
        assertEquals('~', StatusFormat.symbol("NO_MAJORITY"));
        assertEquals('?', StatusFormat.symbol("UNREACHABLE"));
        assertEquals('?', StatusFormat.symbol(null));
    }

    @Test
    void noApplianceIsExitOneWithAClearMessage() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nobody listens there
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String url = "http://127.0.0.1:" + port;
        int code = ApplianceCommand.run("status", new String[] {"--url", url}, Map.of(), new PrintStream(out),
                new PrintStream(err));
        assertEquals(ApplianceCommand.EXIT_NO_APPLIANCE, code);
        assertEquals("no appliance answers at " + url + ": connection refused\n", err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ApplianceCommand.EXIT_USAGE, ApplianceCommand.run("status", new String[] {"--bogus"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: ionclock status"));
        assertEquals(ApplianceCommand.EXIT_USAGE, ApplianceCommand.run("status", new String[] {"--url", "ftp://x"},
                Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
    }

    static String render(String command, JsonNode status, boolean json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ApplianceCommand.print(command, status, json, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);
        return out.toString(StandardCharsets.UTF_8);
    }

    static void check(String golden, String actual) throws IOException {
        Path p = DIR.resolve(golden);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, golden);
    }
}
