package io.ionclock.core;

/**
 * The local monotonic timebase, in nanoseconds (CLOCK_MONOTONIC, the JVM's nano time, in the
 * appliance, a simulated oscillator in the simulator, a manual clock in tests). Every measurement
 * timestamp in ionclock is taken on this clock and named {@code ...MonoNanos}.
 */
@FunctionalInterface
public interface MonoClock {
    long monoNanos();
}
