package io.ionclock.app.health;

import io.ionclock.app.ClockService;
import io.ionclock.app.IonclockConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the configuration is valid, the clock exists and the reference has been started. */
@Startup
@ApplicationScoped
public class StartupCheck implements HealthCheck {
    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("ionclock-started")
                .status(clock.started())
                .withData("profile", config.profile())
                .withData("reference", config.reference())
                .build();
    }
}
