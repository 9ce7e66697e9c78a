package io.ionclock.app;

import io.ionclock.adapter.mqtt.MqttProbe;
import io.ionclock.app.cli.ApplianceCommand;
import io.ionclock.core.nmea.DecodeNmea;
import io.ionclock.sim.SimCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ionclock [SUBCOMMAND [ARGS...]]}: {@code run} (the default) starts the appliance; the other
 * subcommands are tools that run without starting the HTTP server.
 */
@QuarkusMain
public final class IonclockMain {
    static final String USAGE = """
            usage: ionclock [run]             start the appliance (HTTP, health, metrics)
                   ionclock decode-nmea FILE  decode NMEA time sentences (FILE or - for stdin), one JSON per line
                   ionclock sim SCENARIO [--seed N] [--plot FILE.svg]  run a fleet scenario (JSON file or built-in name), print one JSON
                   ionclock probe --broker tcp://HOST:PORT [--gateway ID] [--count N] [--mqtt 5|3.1.1]
                                              ask a gateway the time over MQTT, as a sensor does (like sntp)
                   ionclock audit verify [--data-dir DIR] [FILE...]
                                              check the audit log's hash chain (DATA_DIR/audit by default)
                   ionclock status|sources|clients [--url URL] [--json]
                                              a running appliance's state, as chronyc tracking/sources/clients
                   ionclock help              this text
            configuration: application.properties keys ionclock.*, environment IONCLOCK_*, -Dionclock.*""";

    private IonclockMain() {
    }

    public static void main(String... args) {
        String command = args.length == 0 ? "run" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "run" -> Quarkus.run(rest);
            case "decode-nmea" -> System.exit(DecodeNmea.run(rest, System.in, System.out, System.err));
            case "sim" -> System.exit(SimCommand.run(rest, System.out, System.err));
            case "probe" -> System.exit(MqttProbe.run(rest, System.out, System.err));
            case "audit" -> System.exit(AuditCommand.run(rest, System.getenv(), System.out, System.err));
            case "status", "sources", "clients" ->
                    System.exit(ApplianceCommand.run(command, rest, System.getenv(), System.out, System.err));
            case "help", "-h", "--help" -> System.out.println(USAGE);
            default -> exit(System.err, "unknown subcommand '" + command + "'\n" + USAGE, 2);
        }
    }

    private static void exit(PrintStream err, String message, int code) {
        err.println(message);
        System.exit(code);
    }
}
