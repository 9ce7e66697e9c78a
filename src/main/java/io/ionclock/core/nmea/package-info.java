/**
 * NMEA 0183 time parsing: {@link io.ionclock.core.nmea.NmeaParser} turns untrusted receiver lines
 * into reusable {@link io.ionclock.core.nmea.NmeaTime} results and drop counters without allocating;
 * {@link io.ionclock.core.nmea.DecodeNmea} is the {@code decode-nmea} tool built on it.
 *
 * <p>Framework-free: imports only the JDK and never reads a clock. NMEA labels a second; it never
 * times one (the PPS edge does).
 */
package io.ionclock.core.nmea;
