package dev.hibachi.api.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How every benchmark prints (this module's and the cluster benchmarks in packaging/): one plain line
 * {@code name: value unit} per figure, followed by {@code (goal ...) PASS|MISS [load L]} when it has a goal, where
 * {@code L} is the machine's 1-minute load average at that moment (other processes on the two cores move every
 * figure). A missed goal is printed, never thrown.
 */
public final class Figures {
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger MISSED = new AtomicInteger();

    private Figures() {
    }

    /** A figure without a goal. */
    public static void figure(String name, double value, String unit) {
        System.out.println(name + ": " + fmt(value) + " " + unit);
    }

    /** A figure with an upper-bound goal: PASS when {@code value <= goal}. */
    public static boolean goalAtMost(String name, double value, String unit, double goal) {
        boolean pass = value <= goal;
        (pass ? PASSED : MISSED).incrementAndGet();
        System.out.println(name + ": " + fmt(value) + " " + unit + " (goal <= " + fmt(goal) + " " + unit + ") "
                + (pass ? "PASS" : "MISS") + " [load " + load1() + "]");
        return pass;
    }

    /** A yes/no goal (e.g. "no missed instant"). */
    public static boolean goalTrue(String name, boolean ok, String detail, String goal) {
        (ok ? PASSED : MISSED).incrementAndGet();
        System.out.println(name + ": " + detail + " (goal " + goal + ") " + (ok ? "PASS" : "MISS") + " [load "
                + load1() + "]");
        return ok;
    }

    public static void note(String text) {
        System.out.println("# " + text);
    }

    public static void header(String benchmark) {
        System.out.println();
        System.out.println("== " + benchmark + " == load average " + loadAverage() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB, java " + System.getProperty("java.version"));
    }

    /** The goals' tally since the last footer; the next benchmark in this JVM counts afresh. */
    public static void footer(String benchmark) {
        System.out.println("== " + benchmark + " done: goals " + PASSED.getAndSet(0) + " PASS, " + MISSED.getAndSet(0)
                + " MISS; load average " + loadAverage());
    }

    /** Nearest-rank percentile of a sample, in the sample's unit (NaN when empty). */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    public static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    /** The load averages (1, 5, 15 min), as /proc/loadavg shows them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        }
    }

    public static String load1() {
        return loadAverage().split(" ")[0];
    }

    /** A benchmark setting: the system property, or {@code defaultValue} when it is unset or blank. */
    public static String property(String name, String defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    public static int intProperty(String name, int defaultValue) {
        return Integer.parseInt(property(name, Integer.toString(defaultValue)));
    }
}
