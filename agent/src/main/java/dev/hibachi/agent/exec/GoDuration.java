package dev.hibachi.agent.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Parses Go duration strings ({@code time.ParseDuration}), as Dkron's {@code timeout} uses:
 * a sequence of decimal numbers, each with an optional fraction and a unit, with an optional leading
 * sign, e.g. {@code 300ms}, {@code -1.5h}, {@code 2h45m}, {@code 1m30s}. Units: {@code ns},
 * {@code us} ({@code µs}, {@code μs}), {@code ms}, {@code s}, {@code m}, {@code h}. {@code "0"} is
 * the only number allowed without a unit.
 */
public final class GoDuration {

    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /**
     * @throws IllegalArgumentException when {@code s} is not a valid Go duration, or overflows
     */
    public static Duration parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("invalid duration: null");
        }
        String orig = s;
        int i = 0;
        int n = s.length();
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == n) {
            throw invalid(orig);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        while (i < n) {
            int numStart = i;
            while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                i++;
            }
            boolean pre = i > numStart;
            String intPart = s.substring(numStart, i);
            String fracPart = "";
            boolean post = false;
            if (i < n && s.charAt(i) == '.') {
                i++;
                int fracStart = i;
                while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                    i++;
                }
                fracPart = s.substring(fracStart, i);
                post = !fracPart.isEmpty();
            }
            if (!pre && !post) {
                throw invalid(orig);
            }
            int unitStart = i;
            while (i < n && s.charAt(i) != '.' && !(Character.isDigit(s.charAt(i)) && s.charAt(i) < 128)) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("missing unit in duration \"" + orig + "\"");
                default -> throw new IllegalArgumentException(
                        "unknown unit \"" + unit + "\" in duration \"" + orig + "\"");
            };
            BigDecimal value = new BigDecimal((pre ? intPart : "0") + (post ? "." + fracPart : ""));
            totalNanos = totalNanos.add(value.multiply(BigDecimal.valueOf(unitNanos)));
            if (totalNanos.toBigInteger().compareTo(MAX_NANOS) > 0) {
                throw new IllegalArgumentException("invalid duration \"" + orig + "\": out of range");
            }
        }
        long nanos = totalNanos.toBigInteger().longValueExact();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("invalid duration \"" + s + "\"");
    }
}
