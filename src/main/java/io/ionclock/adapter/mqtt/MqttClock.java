package io.ionclock.adapter.mqtt;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;

/** The disciplined clock as the MQTT side sees it (ClockService in the appliance, a fake in tests). */
public interface MqttClock {
    /** The allocation-free read: request receive (t2) and transmit (t3) times. */
    void read(ClockReading out);

    /** The full snapshot: ticks and status. */
    ClockSnapshot snapshot();

    /** The local monotonic timebase (rate limiters, session expiry). */
    long monoNanos();
}
