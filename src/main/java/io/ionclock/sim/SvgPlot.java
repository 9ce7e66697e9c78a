package io.ionclock.sim;

import java.util.Locale;

/**
 * Draws a {@link FleetSeries} as a standalone SVG (string building, no library): the p50 and p99 of |offset| and the
 * median and largest bound across nodes over simulated time, on a log scale (1 ns to the largest value, by decades),
 * with the warm-up shaded. Pure: the same series gives the same bytes.
 */
final class SvgPlot {
    static final int WIDTH = 1000;
    static final int HEIGHT = 500;
    static final int LEFT = 80;
    static final int RIGHT = 20;
    static final int TOP = 40;
    static final int BOTTOM = 50;
    /** The top of the scale: a bound past it (a node not yet synchronized: "unknown") is drawn at the top. */
    static final int DECADES_MAX = 10;
    /** The series drawn: id, colour, label. */
    static final String[][] SERIES = {
            {"bound-max", "#9cf", "largest bound"},
            {"bound-p50", "#36c", "median bound"},
            {"offset-p99", "#e80", "p99 |offset|"},
            {"offset-p50", "#c22", "p50 |offset|"}};

    private SvgPlot() {
    }

    static String render(FleetSeries s, String title, double warmupSeconds, double durationSeconds) {
        long max = 10;
        for (int i = 0; i < s.size; i++) {
            max = Math.max(max, Math.max(s.boundNanosMax[i], s.offsetNanosP99[i]));
        }
        int decades = Math.min(DECADES_MAX, (int) Math.ceil(Math.log10(max)));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double tMax = Math.max(durationSeconds, 1e-9);
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        b.append("<text x=\"").append(LEFT).append("\" y=\"22\" font-size=\"15\">").append(escape(title)).append("</text>\n");
        if (warmupSeconds > 0) {
            b.append(String.format(Locale.ROOT, "<rect id=\"warmup\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n",
                    LEFT, TOP, plotW * Math.min(warmupSeconds, tMax) / tMax, plotH));
        }
        for (int d = 0; d <= decades; d++) {
            double y = TOP + plotH - plotH * d / decades;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                    LEFT, WIDTH - RIGHT, y, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6,
                    y + 4, (d == DECADES_MAX ? "\u2265 " : "") + unit(d)));
        }
        int ticks = 10;
        for (int k = 0; k <= ticks; k++) {
            double x = LEFT + plotW * k / ticks;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
                    HEIGHT - BOTTOM + 16, trim(tMax * k / ticks)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">simulated seconds%s</text>\n",
                LEFT + plotW / 2, HEIGHT - 10, warmupSeconds > 0 ? " (grey: warm-up)" : ""));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                LEFT, TOP, plotW, plotH));
        for (String[] series : SERIES) {
            long[] v = switch (series[0]) {
                case "bound-max" -> s.boundNanosMax;
                case "bound-p50" -> s.boundNanosP50;
                case "offset-p99" -> s.offsetNanosP99;
                default -> s.offsetNanosP50;
            };
            b.append("<polyline id=\"").append(series[0]).append("\" fill=\"none\" stroke=\"").append(series[1])
                    .append("\" stroke-width=\"1.5\" points=\"");
            for (int i = 0; i < s.size; i++) {
                double x = LEFT + plotW * s.tSeconds[i] / tMax;
                double y = TOP + plotH - plotH * Math.min(decades, Math.log10(Math.max(1, v[i]))) / decades;
                b.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            b.append("\"/>\n");
        }
        int lx = WIDTH - RIGHT - 150;
        for (int k = 0; k < SERIES.length; k++) {
            int ly = TOP + 14 + 16 * k;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>",
                    lx, lx + 20, ly - 4, ly - 4, SERIES[k][1]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", lx + 26, ly, SERIES[k][2]));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** 10^d ns as a label. */
    static String unit(int d) {
        String[] units = {"ns", "\u00b5s", "ms", "s"};
        int u = Math.min(d / 3, units.length - 1);
        long v = 1;
        for (int i = 0; i < d - 3 * u; i++) {
            v *= 10;
        }
        return v + " " + units[u];
    }

    private static String trim(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : String.format(Locale.ROOT, "%.1f", seconds);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
