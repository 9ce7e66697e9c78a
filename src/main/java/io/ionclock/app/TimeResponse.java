package io.ionclock.app;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.Rfc3339;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code GET /api/v1/time}: the time, with the interval true time lies in. Times are integers, ns since
 * the Unix epoch (UTC), and RFC 3339 text with nine fractional digits.
 */
@RegisterForReflection
public record TimeResponse(
        long epochNanos,
        long earliestNanos,
        long latestNanos,
        long boundNanos,
        String time,
        String earliest,
        String latest,
        String status,
        String source,
        String leap) {

    static TimeResponse of(ClockSnapshot s) {
        return new TimeResponse(s.epochNanos(), s.earliestNanos(), s.latestNanos(), s.boundNanos(),
                Rfc3339.ofEpochNanos(s.epochNanos()), Rfc3339.ofEpochNanos(s.earliestNanos()),
                Rfc3339.ofEpochNanos(s.latestNanos()), s.status().name(), s.source(), s.leap().name());
    }
}
