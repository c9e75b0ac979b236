package dev.hibachi.store.schedule;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grace period of Dkron's {@code @after <date> <grace>}: {@code <} followed by an ISO 8601 duration
 * {@code P[nY][nM][nD][T[nH][nM][nS]]}. As in Dkron, a year counts 365 days and a month 30 days (the
 * grace is a span of real time, not a calendar step), and only seconds may have a fraction.
 */
final class Iso8601Grace {

    private static final Pattern FORMAT = Pattern.compile(
            "P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\\.[0-9]+)?)S)?)?");
    private static final long[] SECONDS_PER_GROUP = {365 * 86_400L, 30 * 86_400L, 86_400L, 3_600L, 60L, 1L};
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Iso8601Grace() {
    }

    static Duration parse(String text) {
        if (!text.startsWith("<")) {
            throw new IllegalArgumentException("grace period \"" + text + "\" must start with \"<\", e.g. <PT30M");
        }
        String iso = text.substring(1);
        Matcher m = FORMAT.matcher(iso);
        // "P" and "PT" match the pattern but name no component.
        if (!m.matches() || iso.equals("P") || iso.endsWith("T")) {
            throw new IllegalArgumentException("invalid grace period \"" + text
                    + "\": expected <P[nY][nM][nD][T[nH][nM][nS]], e.g. <PT30M or <P1DT12H");
        }
        BigDecimal seconds = BigDecimal.ZERO;
        for (int group = 1; group <= SECONDS_PER_GROUP.length; group++) {
            String value = m.group(group);
            if (value != null) {
                seconds = seconds.add(new BigDecimal(value).multiply(BigDecimal.valueOf(SECONDS_PER_GROUP[group - 1])));
            }
        }
        if (seconds.compareTo(MAX_SECONDS) > 0) {
            throw new IllegalArgumentException("grace period \"" + text + "\" is too long");
        }
        long whole = seconds.longValue();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        Duration grace = Duration.ofSeconds(whole, nanos);
        if (grace.isZero()) {
            throw new IllegalArgumentException("grace period \"" + text + "\" must be greater than zero");
        }
        return grace;
    }
}
