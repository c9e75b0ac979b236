package dev.hibachi.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the cluster benchmarks print, as the api module's benchmarks do: one plain line {@code name: value unit}
 * per figure, followed by {@code (goal ...) PASS|MISS [load L]} when it has a goal, where {@code L} is the
 * machine's 1-minute load average at that moment (other processes on the two cores move every figure).
 */
final class Figures {
    private static int passed;
    private static int missed;

    private Figures() {
    }

    static void figure(String name, double value, String unit) {
        System.out.println(name + ": " + fmt(value) + " " + unit);
    }

    /** A figure with an upper-bound goal: PASS when {@code value <= goal}. */
    static void goalAtMost(String name, double value, String unit, double goal) {
        boolean pass = value <= goal;
        count(pass);
        System.out.println(name + ": " + fmt(value) + " " + unit + " (goal <= " + fmt(goal) + " " + unit + ") "
                + (pass ? "PASS" : "MISS") + " [load " + load1() + "]");
    }

    /** A yes/no goal, e.g. "no lost or doubled instant". */
    static void goalTrue(String name, boolean ok, String detail, String goal) {
        count(ok);
        System.out.println(name + ": " + detail + " (goal " + goal + ") " + (ok ? "PASS" : "MISS") + " [load "
                + load1() + "]");
    }

    static void note(String text) {
        System.out.println("# " + text);
    }

    static void header(String benchmark) {
        System.out.println();
        System.out.println("== " + benchmark + " == load average " + loadAverage() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, java " + System.getProperty("java.version"));
    }

    static void footer(String benchmark) {
        System.out.println("== " + benchmark + " done: goals " + passed + " PASS, " + missed + " MISS; load average "
                + loadAverage());
        passed = 0;
        missed = 0;
    }

    private static void count(boolean pass) {
        if (pass) {
            passed++;
        } else {
            missed++;
        }
    }

    /** Nearest-rank percentile of a sample, in the sample's unit (NaN when empty). */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    static String load1() {
        return loadAverage().split(" ")[0];
    }

    static int intProperty(String name, int defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : Integer.parseInt(v.trim());
    }

    static String property(String name, String defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }
}
