/**
 * MQTT time service, the pure part: topic names and filters, the tick, status and reply payloads (JSON
 * and the fixed binary tick), time request parsing with named limits, and the per-client rate limiter.
 * JDK only; every instant is passed in.
 */
package io.ionclock.core.mqtt;
