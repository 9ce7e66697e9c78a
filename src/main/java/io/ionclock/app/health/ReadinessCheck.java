package io.ionclock.app.health;

import io.ionclock.app.ClockService;
import io.ionclock.app.IonclockConfig;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when SYNCHRONIZED with a bound under {@code ionclock.ready-bound}. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    /** The leap-seconds list's state: valid, expired, missing or invalid (it does not make the appliance unready). */
    private String leapList(ClockSnapshot s) {
        var f = clock.leapFile();
        if (f == null) {
            return "unknown";
        }
        return f.list() != null && f.list().expired(s.epochNanos()) ? "expired" : f.state();
    }

    @Override
    public HealthCheckResponse call() {
        ClockSnapshot s = clock.snapshot();
        long readyBoundNanos = config.readyBound().toNanos();
        boolean ready = s.status() == ClockStatus.SYNCHRONIZED && s.boundNanos() <= readyBoundNanos;
        return HealthCheckResponse.named("ionclock-synchronized")
                .status(ready)
                .withData("status", s.status().name())
                .withData("boundNanos", s.boundNanos())
                .withData("readyBoundNanos", readyBoundNanos)
                .withData("source", s.source())
                .withData("leapList", leapList(s))
                .build();
    }
}
