package io.ionclock.adapter.storage;

import io.ionclock.core.DriftFileFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jboss.logging.Logger;

/**
 * The drift file on disk, one per device profile ({@code DATA_DIR/PROFILE.drift}: a frequency learned on
 * one timebase says nothing of another): read once at start, written atomically (temp, fsync, rename).
 */
public final class DriftFile {
    private static final Logger LOG = Logger.getLogger(DriftFile.class);
    public static final String SUFFIX = ".drift";

    private final Path path;

    public DriftFile(Path dataDir, String profile) {
        this.path = dataDir.resolve(profile + SUFFIX);
    }

    public Path path() {
        return path;
    }

    /** The saved frequency, or NaN when there is none or it is unreadable (logged, never fatal). */
    public double readFrequencyPpb(long frequencyPpbMax) {
        try {
            if (Files.size(path) > DriftFileFormat.TEXT_CHARS_MAX) {
                LOG.warnf("ignoring drift file %s: larger than %d bytes", path, DriftFileFormat.TEXT_CHARS_MAX);
                return Double.NaN;
            }
            String text = Files.readString(path, StandardCharsets.US_ASCII);
            double frequencyPpb = DriftFileFormat.parseFrequencyPpb(text, frequencyPpbMax);
            if (Double.isNaN(frequencyPpb)) {
                LOG.warnf("ignoring drift file %s: not '<frequencyPpb> <errorPpb>' within limits", path);
            }
            return frequencyPpb;
        } catch (NoSuchFileException e) {
            return Double.NaN;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ignoring drift file %s: %s", path, e.toString());
            return Double.NaN;
        }
    }

    public void write(double frequencyPpb, double frequencyErrorPpb) throws IOException {
        Files.createDirectories(path.getParent());
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, DriftFileFormat.format(frequencyPpb, frequencyErrorPpb), StandardCharsets.US_ASCII);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
