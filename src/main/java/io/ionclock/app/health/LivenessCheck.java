package io.ionclock.app.health;

import io.ionclock.app.ClockService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/** Live while the discipline loop, the reference's loop and (when sync is on) Clocklink's loop keep running. */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {
    @Inject
    ClockService clock;

    @Override
    public HealthCheckResponse call() {
        boolean loop = clock.loopAlive();
        boolean reference = clock.referenceAlive();
        boolean sync = clock.syncAlive();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("ionclock-loops")
                .status(loop && reference && sync)
                .withData("disciplineLoop", loop)
                .withData("disciplineHeartbeatAgeNanos", clock.loopHeartbeatAgeNanos())
                .withData("referenceLoop", reference);
        clock.clocklink().ifPresent(c -> b.withData("syncLoop", sync)
                .withData("syncHeartbeatAgeNanos", c.heartbeatAgeNanos(clock.mono().monoNanos())));
        return b.build();
    }
}
