package io.ionclock.adapter.storage;

import io.ionclock.core.leap.LeapSecondsList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The leap-seconds list on disk ({@code ionclock.leap-file}, default tzdata's copy), read once at start. A missing,
 * unreadable, oversized or damaged file is reported, never fatal: the appliance then takes leaps from its sources'
 * majority only. Whether the list has expired is judged against the clock at each use.
 *
 * @param path  the file
 * @param list  the parsed list, or null
 * @param state {@link #VALID}, {@link #MISSING} or {@link #INVALID}
 * @param note  why not valid (the parser's message with its line), or null
 */
public record LeapFile(Path path, LeapSecondsList list, String state, String note) {
    private static final Logger LOG = Logger.getLogger(LeapFile.class);
    public static final String VALID = "valid";
    public static final String MISSING = "missing";
    public static final String INVALID = "invalid";

    public static LeapFile read(Path path) {
        try {
            if (Files.size(path) > LeapSecondsList.TEXT_CHARS_MAX) {
                return invalid(path, "larger than " + LeapSecondsList.TEXT_CHARS_MAX + " bytes");
            }
            LeapSecondsList list = LeapSecondsList.parse(Files.readString(path, StandardCharsets.US_ASCII));
            return new LeapFile(path, list, VALID, null);
        } catch (NoSuchFileException e) {
            LOG.warnf("leap-seconds list %s: no such file (ionclock.leap-file); leaps only from a majority of the sources",
                    path);
            return new LeapFile(path, null, MISSING, "no such file");
        } catch (IOException e) {
            return invalid(path, "unreadable: " + e.getMessage());
        } catch (LeapSecondsList.Invalid e) {
            return invalid(path, e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            return invalid(path, "not ASCII text");
        }
    }

    private static LeapFile invalid(Path path, String why) {
        LOG.warnf("leap-seconds list %s (ionclock.leap-file) not used: %s", path, why);
        return new LeapFile(path, null, INVALID, why);
    }
}
