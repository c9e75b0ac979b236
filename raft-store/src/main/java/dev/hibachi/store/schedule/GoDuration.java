package dev.hibachi.store.schedule;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration} syntax, because Dkron's {@code @every} takes Go durations:
 * an optional sign, then one or more decimal numbers each followed by a unit
 * ({@code ns us µs μs ms s m h}), e.g. {@code 1h30m10s}, {@code 1.5h}, {@code 500ms}; or a bare {@code 0}.
 * Like Go, values beyond about 292 years (int64 nanoseconds) are rejected.
 */
public final class GoDuration {

    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // micro sign
            "\u03bcs", 1_000L, // Greek mu
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text, "");
        }
        BigInteger total = BigInteger.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            boolean wholeDigits = i > start;
            String whole = s.substring(start, i);
            String fraction = "";
            if (i < s.length() && s.charAt(i) == '.') {
                int fractionStart = ++i;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                fraction = s.substring(fractionStart, i);
            }
            if (!wholeDigits && fraction.isEmpty()) {
                throw invalid(text, "");
            }
            int unitStart = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw invalid(text, ": missing unit (one of ns us µs ms s m h)");
            }
            Long nanosPerUnit = NANOS_PER_UNIT.get(unit);
            if (nanosPerUnit == null) {
                throw invalid(text, ": unknown unit \"" + unit + "\" (expected one of ns us µs ms s m h)");
            }
            BigDecimal number = new BigDecimal((whole.isEmpty() ? "0" : whole) + (fraction.isEmpty() ? "" : "." + fraction));
            // Go drops fractions of a nanosecond, per component.
            total = total.add(number.multiply(BigDecimal.valueOf(nanosPerUnit)).toBigInteger());
            if (total.compareTo(MAX_NANOS) > 0 && !(negative && total.equals(MAX_NANOS.add(BigInteger.ONE)))) {
                throw invalid(text, ": out of range (at most about 2562047h)");
            }
        }
        long nanos = negative ? total.negate().longValueExact() : total.longValueExact();
        return Duration.ofNanos(nanos);
    }

    /** Go's way of writing a duration ({@code 1h0m0s}, {@code 1m30s}, {@code 1.5s}, {@code 250ms}, {@code 0s}). */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000_000_000L) {
            if (nanos < 1_000) {
                return nanos + "ns";
            }
            return nanos < 1_000_000 ? decimal(nanos, 1_000) + "\u00b5s" : decimal(nanos, 1_000_000) + "ms";
        }
        long hours = d.toHours();
        long minutes = d.toMinutesPart();
        String seconds = decimal(nanos % 60_000_000_000L, 1_000_000_000L) + "s";
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds;
        }
        return minutes > 0 ? minutes + "m" + seconds : seconds;
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }

    // ASCII only: Character.isDigit would admit other scripts' digits, which Go rejects.
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text, String detail) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"" + detail);
    }
}
