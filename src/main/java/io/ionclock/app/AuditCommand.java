package io.ionclock.app;

import io.ionclock.adapter.storage.AuditDirectory;
import io.ionclock.core.audit.AuditVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ionclock audit verify [--data-dir DIR] [FILE...]}: checks an audit log's chain (all of
 * {@code DATA_DIR/audit}, oldest first, or the files given, in the order given). Prints {@code OK} with the counts, or
 * each problem as {@code FILE:LINE: what}; exit 0 when intact, 1 when not, 2 on a usage or read error.
 */
final class AuditCommand {
    static final String USAGE = "usage: ionclock audit verify [--data-dir DIR] [FILE...]";

    private AuditCommand() {
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || !"verify".equals(args[0])) {
            err.println(USAGE);
            return 2;
        }
        String dataDir = System.getProperty("ionclock.data-dir", env.getOrDefault("IONCLOCK_DATA_DIR", "data"));
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if ("--data-dir".equals(args[i]) && i + 1 < args.length) {
                dataDir = args[++i];
            } else if (args[i].startsWith("-")) {
                err.println("unknown option '" + args[i] + "'\n" + USAGE);
                return 2;
            } else {
                files.add(Path.of(args[i]));
            }
        }
        Path dir = AuditService.directory(dataDir);
        List<AuditVerifier.NamedFile> named;
        try {
            named = files.isEmpty() ? AuditDirectory.readAll(dir) : AuditDirectory.readFiles(files);
        } catch (IOException e) {
            err.println("cannot read the audit log: " + e);
            return 2;
        }
        if (named.isEmpty()) {
            err.println("no audit files in " + dir);
            return 2;
        }
        AuditVerifier.Report report = AuditVerifier.verify(named, files.isEmpty());
        for (String note : report.notes()) {
            out.println("note: " + note);
        }
        for (AuditVerifier.Problem p : report.problems()) {
            out.println(p);
        }
        if (report.ok()) {
            out.printf("OK: %d record(s) in %d file(s), chain intact%n", report.records(), report.files());
            return 0;
        }
        out.printf("FAILED: %d problem(s) in %d record(s), %d file(s)%n", report.problems().size(), report.records(),
                report.files());
        return 1;
    }
}
