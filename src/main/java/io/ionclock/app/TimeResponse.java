package io.ionclock.app;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.Rfc3339;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code GET /api/v1/time}: the time, with the interval true time lies in. Times are integers, ns since
 * the Unix epoch, and RFC 3339 text with nine fractional digits, on {@code timescale}: {@code UTC} (a leap second
 * shown as 23:59:59.999999999 held for one second) or {@code UTC-SMEARED} (the leap spread over the 24 h from noon
 * to noon); the bound holds against that timescale. {@code leap} is the leap second announced for the end of the day.
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
        String leap,
        String timescale) {

    static TimeResponse of(ClockSnapshot s, String timescale) {
        return new TimeResponse(s.epochNanos(), s.earliestNanos(), s.latestNanos(), s.boundNanos(),
                Rfc3339.ofEpochNanos(s.epochNanos()), Rfc3339.ofEpochNanos(s.earliestNanos()),
                Rfc3339.ofEpochNanos(s.latestNanos()), s.status().name(), s.source(), s.leap().name(), timescale);
    }
}
