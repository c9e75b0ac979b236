package dev.hibachi.agent.exec;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * A size in bytes written as Dkron's {@code mem_limit} takes it (Go's {@code humanize.ParseBytes}):
 * a number, possibly with a fraction and thousands commas ({@code 1024}, {@code 1.5}, {@code 1,000}),
 * then optional spaces and an optional unit, case-insensitive. {@code kB MB GB TB PB EB} (and
 * {@code k m g t p e}) are powers of 1000; {@code KiB MiB GiB TiB PiB EiB} (and {@code ki mi ...}) are
 * powers of 1024; {@code B} or nothing is bytes. Fractions of a byte are dropped.
 */
final class ByteSize {

    private static final long K = 1000;
    private static final long KI = 1024;

    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", K), Map.entry("kb", K), Map.entry("ki", KI), Map.entry("kib", KI),
            Map.entry("m", K * K), Map.entry("mb", K * K), Map.entry("mi", KI * KI), Map.entry("mib", KI * KI),
            Map.entry("g", K * K * K), Map.entry("gb", K * K * K),
            Map.entry("gi", KI * KI * KI), Map.entry("gib", KI * KI * KI),
            Map.entry("t", K * K * K * K), Map.entry("tb", K * K * K * K),
            Map.entry("ti", KI * KI * KI * KI), Map.entry("tib", KI * KI * KI * KI),
            Map.entry("p", K * K * K * K * K), Map.entry("pb", K * K * K * K * K),
            Map.entry("pi", KI * KI * KI * KI * KI), Map.entry("pib", KI * KI * KI * KI * KI),
            Map.entry("e", K * K * K * K * K * K), Map.entry("eb", K * K * K * K * K * K),
            Map.entry("ei", KI * KI * KI * KI * KI * KI), Map.entry("eib", KI * KI * KI * KI * KI * KI));

    private ByteSize() {}

    /**
     * The number of bytes {@code text} stands for.
     *
     * @throws IllegalArgumentException saying what is wrong, when it is not a size or does not fit a long
     */
    static long parse(String text) {
        String s = text.trim();
        int end = 0;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.' || s.charAt(end) == ',')) {
            end++;
        }
        String number = s.substring(0, end).replace(",", "");
        String unit = s.substring(end).trim().toLowerCase(Locale.ROOT);
        if (number.isEmpty() || number.equals(".")) {
            throw new IllegalArgumentException("expected a size such as 1024, 512MB, 1.5GiB, got \"" + text + "\"");
        }
        Long multiplier = UNITS.get(unit);
        if (multiplier == null) {
            throw new IllegalArgumentException("unknown unit \"" + s.substring(end).trim()
                    + "\" (expected B, kB, MB, GB, TB, PB, EB, KiB, MiB, GiB, TiB, PiB or EiB)");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a size such as 1024, 512MB, 1.5GiB, got \"" + text + "\"");
        }
        BigDecimal bytes = value.multiply(BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("too large: \"" + text + "\"");
        }
        return bytes.longValue();
    }

    /** {@code bytes} for people: {@code 312.4 MB (327,565,312 bytes)}. */
    static String describe(long bytes) {
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String human = u < 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
        return String.format(Locale.ROOT, "%s (%,d bytes)", human, bytes);
    }
}
