package dev.hibachi.store.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.DateTimeException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns schedule text into a {@link Schedule}: strips the zone prefix, then dispatches on the
 * {@code @} word or hands the text to {@link CronFields}. Every problem surfaces as an
 * {@link InvalidScheduleException}, because job definitions come straight from API users.
 */
final class ScheduleParser {

    // robfig/cron's prefix syntax: the zone name runs up to the first whitespace.
    private static final Pattern ZONE_PREFIX = Pattern.compile("(CRON_TZ|TZ)=(\\S*)(?:\\s+(.*))?", Pattern.DOTALL);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ScheduleParser() {
    }

    static Schedule parse(String spec, String jobName, ZoneId zone) throws InvalidScheduleException {
        if (spec == null) {
            throw new InvalidScheduleException(null, "schedule is empty");
        }
        try {
            return parseText(spec, jobName, zone);
        } catch (IllegalArgumentException e) {
            // Our own pieces and Spring's CronExpression report bad input this way.
            throw new InvalidScheduleException(spec, e.getMessage(), e);
        }
    }

    private static Schedule parseText(String spec, String jobName, ZoneId zone) {
        String text = spec.strip();
        Matcher prefix = ZONE_PREFIX.matcher(text);
        if (prefix.matches()) {
            zone = zoneNamed(prefix.group(2), prefix.group(1));
            text = prefix.group(3) == null ? "" : prefix.group(3).strip();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("nothing follows the " + prefix.group(1) + "= prefix");
            }
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("schedule is empty");
        }
        if (text.startsWith("@")) {
            return parseDescriptor(spec, WHITESPACE.split(text), zone);
        }
        CronFields fields = CronFields.parse(WHITESPACE.split(text), jobName);
        return new Schedule(spec, zone, Schedule.Kind.CRON, new CronSchedule(fields, zone), null);
    }

    private static Schedule parseDescriptor(String spec, String[] tokens, ZoneId zone) {
        String word = tokens[0].toLowerCase(Locale.ROOT);
        switch (word) {
            case "@manually":
                expectArguments(tokens, 0, "");
                return new Schedule(spec, zone, Schedule.Kind.MANUALLY, (after, anchor) -> Optional.empty(), null);
            case "@every":
                expectArguments(tokens, 1, " <duration>, e.g. @every 1h30m");
                Duration interval = GoDuration.parse(tokens[1]);
                return new Schedule(spec, zone, Schedule.Kind.EVERY, new EverySchedule(interval), null);
            case "@at":
                expectArguments(tokens, 1, " <RFC 3339 date>, e.g. @at 2024-01-01T09:00:00Z");
                Instant at = Rfc3339.parse(tokens[1]);
                return new Schedule(spec, zone, Schedule.Kind.AT, new OnceSchedule(at), null);
            case "@after":
                expectArguments(tokens, 2, " <RFC 3339 date> <grace>, e.g. @after 2024-01-01T09:00:00Z <PT30M");
                Instant date = Rfc3339.parse(tokens[1]);
                Duration grace = Iso8601Grace.parse(tokens[2]);
                return new Schedule(spec, zone, Schedule.Kind.AFTER, new OnceSchedule(date), grace);
            default:
                CronFields fields = CronFields.ofDescriptor(word);
                if (fields == null) {
                    throw new IllegalArgumentException("unknown descriptor \"" + tokens[0] + "\" (expected one of"
                            + " @yearly @annually @monthly @weekly @daily @midnight @hourly @minutely"
                            + " @every @at @after @manually)");
                }
                expectArguments(tokens, 0, "");
                return new Schedule(spec, zone, Schedule.Kind.CRON, new CronSchedule(fields, zone), null);
        }
    }

    private static void expectArguments(String[] tokens, int count, String usage) {
        if (tokens.length - 1 != count) {
            throw new IllegalArgumentException(tokens[0] + " takes " + (count == 0 ? "no arguments"
                    : count + (count == 1 ? " argument" : " arguments")) + " (usage: " + tokens[0] + usage
                    + "), found " + (tokens.length - 1));
        }
    }

    private static ZoneId zoneNamed(String name, String prefix) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty time zone in " + prefix + "= prefix");
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone \"" + name + "\" in " + prefix + "= prefix", e);
        }
    }
}
