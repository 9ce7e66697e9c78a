package io.ionclock.core;

import java.util.Locale;

/**
 * The drift file's text: {@code <frequencyPpb> <frequencyErrorPpb>\n} (chrony's driftfile, in ppb).
 * Parsing never throws: anything malformed or out of range reads as "no drift file" (NaN).
 */
public final class DriftFileFormat {
    /** A drift file longer than this is not ours. */
    public static final int TEXT_CHARS_MAX = 128;

    private DriftFileFormat() {
    }

    public static String format(double frequencyPpb, double frequencyErrorPpb) {
        return String.format(Locale.ROOT, "%.3f %.3f%n", frequencyPpb, frequencyErrorPpb);
    }

    /** The frequency in the text, or NaN if the text is not a valid drift file within {@code frequencyPpbMax}. */
    public static double parseFrequencyPpb(String text, long frequencyPpbMax) {
        if (text == null || text.length() > TEXT_CHARS_MAX) {
            return Double.NaN;
        }
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 2) {
            return Double.NaN;
        }
        try {
            double frequencyPpb = Double.parseDouble(fields[0]);
            double errorPpb = Double.parseDouble(fields[1]);
            boolean ok = Double.isFinite(frequencyPpb) && Math.abs(frequencyPpb) <= frequencyPpbMax
                    && Double.isFinite(errorPpb) && errorPpb >= 0;
            return ok ? frequencyPpb : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
