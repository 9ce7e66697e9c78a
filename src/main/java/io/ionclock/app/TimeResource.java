package io.ionclock.app;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TimeResource {
    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Inject
    NtpServerService ntpServer;

    @GET
    @Path("/time")
    public TimeResponse time() {
        return TimeResponse.of(clock.snapshot(), clock.timescale());
    }

    @GET
    @Path("/status")
    public StatusResponse status() {
        return StatusResponse.of(clock, config.profile(), ntpServer.view());
    }
}
