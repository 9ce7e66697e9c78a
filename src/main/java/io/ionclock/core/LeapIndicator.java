package io.ionclock.core;

/** Leap second announced for the end of the current UTC day, as the reference tells it. */
public enum LeapIndicator {
    NONE,
    INSERT,
    DELETE
}
