package io.ionclock.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code ionclock.audit.*}: the audit log in {@code DATA_DIR/audit} (docs/audit.md). */
@ConfigMapping(prefix = "ionclock.audit")
public interface AuditConfig {
    /** Whether the audit log is written. */
    @WithDefault("true")
    boolean enabled();

    /** A file is rotated before it grows past this many bytes (at least 8192). */
    @WithDefault("4194304")
    long fileBytesMax();

    /** Files kept, the newest included; the oldest beyond are deleted at rotation (at least 2). */
    @WithDefault("8")
    int filesMax();

    /** A file is rotated once it is this old (since it was opened), even if small. */
    @WithDefault("7d")
    Duration ageMax();

    /** Samples and packets dropped within one look (about a second) above which {@code drops_over_threshold} is recorded. */
    @WithDefault("100")
    long dropsThreshold();

    /** A change of the frequency (ppb) from the last one recorded above which {@code frequency_step} is recorded. */
    @WithDefault("1000")
    double frequencyStepPpb();
}
