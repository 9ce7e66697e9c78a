package io.ionclock.app;

import io.ionclock.core.OffsetHistory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /api/v1/history}: the last hour of the clock, one point a second ({@link OffsetHistory}), sampled from
 * {@link ClockService#snapshot()} on a Vert.x timer, so a freshly opened status page shows the past hour.
 */
@ApplicationScoped
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {
    static final long SAMPLE_EVERY_MILLIS = 1000;

    /**
     * The points as columns (smaller than an array of objects), oldest first: ns since the epoch, the offset being
     * slewed out, the last sample's offset, the bound, the status.
     */
    @RegisterForReflection
    public record History(long intervalMillis, int pointsMax, long[] epochNanos, long[] offsetNanos,
            long[] lastOffsetNanos, long[] boundNanos, List<String> status) {
    }

    @Inject
    ClockService clock;

    @Inject
    Vertx vertx;

    private final OffsetHistory history = new OffsetHistory();
    private long timerId = -1;

    void onStart(@Observes StartupEvent event) {
        timerId = vertx.setPeriodic(SAMPLE_EVERY_MILLIS, id -> {
            if (clock.started()) {
                history.record(clock.snapshot());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    @GET
    @Path("/history")
    public History history() {
        OffsetHistory.Point[] p = history.copy();
        long[] epoch = new long[p.length];
        long[] offset = new long[p.length];
        long[] lastOffset = new long[p.length];
        long[] bound = new long[p.length];
        String[] status = new String[p.length];
        for (int i = 0; i < p.length; i++) {
            epoch[i] = p[i].epochNanos();
            offset[i] = p[i].offsetNanos();
            lastOffset[i] = p[i].lastOffsetNanos();
            bound[i] = p[i].boundNanos();
            status[i] = p[i].status().name();
        }
        return new History(SAMPLE_EVERY_MILLIS, OffsetHistory.POINTS_MAX, epoch, offset, lastOffset, bound,
                List.of(status));
    }
}
