package io.ionclock.adapter.pps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.Mock;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPIO PPS against Pi4J's mock provider. The context is built as gpio/README.md shows for gpiod: no plugin
 * auto-detection, no platform, only the one provider.
 */
class GpioPpsInputTest {

    private static final int PPS_LINE = 18;
    private static final long WAIT_MILLIS = 2_000;
    private static final long NO_EDGE_WAIT_MILLIS = 100;
    private static final int EDGES_MAX = 100;

    record Edge(long assertMonoNanos, long sequence, long edgeErrorNanos) {
    }

    private final BlockingQueue<Edge> edges = new LinkedBlockingQueue<>(EDGES_MAX);
    private Context pi4j;
    private GpioPpsInput pps;

    @BeforeEach
    void buildMockContext() {
        pi4j = Pi4J.newContextBuilder()
                .noAutoDetect()
                .add(MockDigitalInputProvider.newInstance())
                .build();
        pps = new GpioPpsInput(pi4j, Mock.DIGITAL_INPUT_PROVIDER_ID, PPS_LINE,
                (assertMonoNanos, sequence, edgeErrorNanos) -> edges.add(
                        new Edge(assertMonoNanos, sequence, edgeErrorNanos)));
    }

    @AfterEach
    void shutdown() {
        pps.close();
        pi4j.shutdown();
    }

    @Test
    void claimsTheLineWithPullDownAndNoDebounce() {
        pps.start();
        DigitalInput input = pps.input();

        assertNotNull(input);
        assertEquals(PPS_LINE, input.config().address());
        assertEquals(PullResistance.PULL_DOWN, input.config().pull());
        assertEquals(0L, input.config().debounce());
        assertEquals(Mock.DIGITAL_INPUT_PROVIDER_ID, input.provider().id());
    }

    @Test
    void reportsRisingEdgesOnlyWithLocalSequenceAndUserSpaceError() throws Exception {
        pps.start();
        MockDigitalInput line = (MockDigitalInput) pps.input();

        for (int pulse = 1; pulse <= 3; pulse++) {
            long beforeMonoNanos = System.nanoTime();
            line.mockState(DigitalState.HIGH);
            long afterMonoNanos = System.nanoTime();
            Edge edge = edges.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(edge, "rising edge " + pulse + " not reported");
            assertEquals(pulse, edge.sequence());
            assertEquals(GpioPpsInput.EDGE_ERROR_NANOS, edge.edgeErrorNanos());
            assertTrue(edge.assertMonoNanos() >= beforeMonoNanos && edge.assertMonoNanos() <= afterMonoNanos,
                    "edge time outside the toggle");

            line.mockState(DigitalState.LOW);
            assertNull(edges.poll(NO_EDGE_WAIT_MILLIS, TimeUnit.MILLISECONDS), "falling edge reported");
        }
        assertEquals(3, pps.edges());
        assertEquals(0, pps.errors());
    }

    @Test
    void aThrowingSinkIsCountedAndLaterEdgesStillArrive() throws Exception {
        GpioPpsInput failing = new GpioPpsInput(pi4j, Mock.DIGITAL_INPUT_PROVIDER_ID, PPS_LINE + 1,
                (mono, sequence, error) -> {
                    if (sequence == 1) {
                        throw new IllegalStateException("sink bug");
                    }
                    edges.add(new Edge(mono, sequence, error));
                });
        try {
            failing.start();
            MockDigitalInput line = (MockDigitalInput) failing.input();
            line.mockState(DigitalState.HIGH);
            line.mockState(DigitalState.LOW);
            line.mockState(DigitalState.HIGH);

            Edge edge = edges.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(edge);
            assertEquals(2, edge.sequence());
            assertEquals(1, failing.errors());
            assertTrue(failing.lastError().contains("sink bug"), failing.lastError());
        } finally {
            failing.close();
        }
    }

    @Test
    void closeReleasesTheLineAndStopsReporting() throws Exception {
        pps.start();
        MockDigitalInput line = (MockDigitalInput) pps.input();
        pps.close();

        assertNull(pps.input());
        assertTrue(!pi4j.registry().exists("ionclock-pps-gpio-" + PPS_LINE), "line still registered");
        line.mockState(DigitalState.HIGH);
        assertNull(edges.poll(NO_EDGE_WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertThrows(IllegalStateException.class, pps::start);
    }

    @Test
    void rejectsLinesOutOfRange() {
        PpsSink ignore = (mono, sequence, error) -> {
        };
        assertThrows(IllegalArgumentException.class, () -> new GpioPpsInput(pi4j, -1, ignore));
        assertThrows(IllegalArgumentException.class,
                () -> new GpioPpsInput(pi4j, GpioPpsInput.GPIO_LINE_MAX + 1, ignore));
    }
}
