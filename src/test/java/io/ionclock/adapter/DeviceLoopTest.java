package io.ionclock.adapter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceLoopTest {

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Short close timeout for the session that ignores close(). */
    private static final long SHORT_CLOSE_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MIN = DeviceLoop.REOPEN_BACKOFF_NANOS_MIN;

    private DeviceLoop loop;

    @AfterEach
    void closeLoop() {
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void backoffDoublesAfterEmptySessionsAndResetsAfterOneThatDelivered() throws Exception {
        boolean[] delivers = {false, false, true, false, false};
        List<Long> backoffSeenNanos = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        loop = new DeviceLoop("test-loop", () -> {
            int call = calls.getAndIncrement();
            if (call >= delivers.length) {
                done.countDown();
                return false;
            }
            backoffSeenNanos.add(loop.lastBackoffNanos());
            loop.opened();
            loop.connected(true);
            return delivers[call];
        }, CLOSE_TIMEOUT_NANOS, false);
        loop.start();

        assertTrue(done.await(WAIT_NANOS, TimeUnit.NANOSECONDS), "sessions did not run; seen " + backoffSeenNanos);
        // The wait before each session: none, then 1x, 2x; the third session delivered, so 1x, 2x again.
        assertEquals(List.of(0L, MIN, 2 * MIN, MIN, 2 * MIN), backoffSeenNanos);
        assertEquals(delivers.length - 1, loop.reopens());
        assertEquals(0, loop.errors(), loop.lastError());
        assertFalse(loop.connected(), "connected is cleared after a session");
    }

    @Test
    void aThrowingSessionIsCountedAndTheLoopGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch thirdSession = new CountDownLatch(1);
        loop = new DeviceLoop("test-loop", () -> {
            switch (calls.incrementAndGet()) {
                case 1 -> throw new IllegalStateException("session bug");
                case 2 -> throw new NoClassDefFoundError("missing native class");
                default -> {
                    thirdSession.countDown();
                    return false;
                }
            }
        }, CLOSE_TIMEOUT_NANOS, false);
        loop.start();

        assertTrue(thirdSession.await(WAIT_NANOS, TimeUnit.NANOSECONDS), "loop did not go on");
        assertEquals(2, loop.errors());
        assertTrue(loop.lastError().startsWith("unexpected "), loop.lastError());
        assertTrue(loop.lastError().contains("missing native class"), loop.lastError());
        assertTrue(loop.alive());
    }

    @Test
    void errorTextIsCutAndANoteIsNotCounted() {
        loop = new DeviceLoop("test-loop", () -> false, CLOSE_TIMEOUT_NANOS, false);
        loop.error("x".repeat(DeviceLoop.ERROR_TEXT_CHARS_MAX + 1));
        assertEquals(DeviceLoop.ERROR_TEXT_CHARS_MAX, loop.lastError().length());
        loop.note("dropped");
        assertEquals(1, loop.errors());
        assertEquals("dropped", loop.lastError());
    }

    @Test
    void closeInterruptsABlockedSessionAndReturnsWithinItsTimeout() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        loop = new DeviceLoop("test-loop", () -> {
            blocked.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, CLOSE_TIMEOUT_NANOS, true);
        loop.start();
        assertTrue(blocked.await(WAIT_NANOS, TimeUnit.NANOSECONDS), "session did not start");

        long startMonoNanos = System.nanoTime();
        loop.close();
        long closeNanos = System.nanoTime() - startMonoNanos;

        assertFalse(loop.alive());
        assertFalse(loop.running());
        assertFalse(loop.connected());
        assertTrue(closeNanos < CLOSE_TIMEOUT_NANOS, "close took " + closeNanos + " ns");
        assertEquals(0, loop.errors(), loop.lastError());
        loop.close();
    }

    @Test
    void closeGivesUpAfterItsTimeoutAndSaysSo() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop = new DeviceLoop("test-loop", () -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }, SHORT_CLOSE_TIMEOUT_NANOS, false);
        loop.start();
        assertTrue(blocked.await(WAIT_NANOS, TimeUnit.NANOSECONDS), "session did not start");

        loop.close();

        assertTrue(loop.alive(), "a session that ignores close() keeps the thread");
        assertEquals(1, loop.errors());
        assertTrue(loop.lastError().contains("did not stop within 200 ms"), loop.lastError());
        release.countDown();
        await().atMost(Duration.ofNanos(WAIT_NANOS)).until(() -> !loop.alive());
    }

    @Test
    void startsOnceAndRejectsBadSettings() {
        loop = new DeviceLoop("test-loop", () -> false, CLOSE_TIMEOUT_NANOS, false);
        loop.start();
        assertThrows(IllegalStateException.class, loop::start);
        assertThrows(IllegalArgumentException.class, () -> new DeviceLoop("test-loop", () -> false, 0, false));
    }
}
