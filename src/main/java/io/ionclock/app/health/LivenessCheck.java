package io.ionclock.app.health;

import io.ionclock.app.ClockService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the discipline loop and the reference's loop keep running. */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {
    @Inject
    ClockService clock;

    @Override
    public HealthCheckResponse call() {
        boolean loop = clock.loopAlive();
        boolean source = clock.sourceAlive();
        return HealthCheckResponse.named("ionclock-loops")
                .status(loop && source)
                .withData("disciplineLoop", loop)
                .withData("disciplineHeartbeatAgeNanos", clock.loopHeartbeatAgeNanos())
                .withData("referenceLoop", source)
                .build();
    }
}
