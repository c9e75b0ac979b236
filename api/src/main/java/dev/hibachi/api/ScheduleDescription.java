package dev.hibachi.api;

import dev.hibachi.store.schedule.CronFields;
import dev.hibachi.store.schedule.GoDuration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A short English sentence for a schedule that already parsed: "every 5 minutes", "at 08:30 on Monday to
 * Friday". It knows the common shapes of Dkron's dialect (6 fields with seconds, descriptors, {@code @every},
 * {@code @at}, {@code @after}, {@code @manually}); any other cron shape (L, W, #, offset steps, day of month and
 * day of week together, {@code ~}) is described by the expression itself rather than guessed at.
 */
final class ScheduleDescription {
    private static final Pattern ZONE_PREFIX = Pattern.compile("^(CRON_TZ|TZ)=\\S*\\s+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final List<String> MONTHS = List.of("January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December");
    private static final List<String> DAYS = List.of("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
            "Friday", "Saturday", "Sunday");

    private ScheduleDescription() {
    }

    /** The sentence for {@code spec}, a schedule that {@code Schedule.parse} accepted. */
    static String of(String spec) {
        String text = ZONE_PREFIX.matcher(spec.strip()).replaceFirst("").strip();
        String[] tokens = WHITESPACE.split(text);
        String word = tokens[0].toLowerCase(Locale.ROOT);
        switch (word) {
            case "@manually":
                return "only when run by hand";
            case "@every":
                return "every " + duration(GoDuration.parse(tokens[1]));
            case "@at":
                return "once, at " + tokens[1];
            case "@after":
                return "once, at " + tokens[1] + ", or later within " + tokens[2].replaceFirst("^<", "");
            default:
                String fields = CronFields.descriptorFields(word);
                String cron = fields == null ? text : fields;
                String sentence = cron(WHITESPACE.split(cron));
                return sentence == null ? text : sentence;
        }
    }

    /** "5 minutes", "hour", "1 hour 30 minutes": whole seconds, as Dkron's {@code @every} counts them. */
    static String duration(Duration d) {
        long s = Math.max(1, d.getSeconds());
        long[] amounts = {s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60};
        String[] units = {"day", "hour", "minute", "second"};
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] > 0) {
                parts.add(amounts[i] + " " + units[i] + (amounts[i] == 1 ? "" : "s"));
            }
        }
        // "every minute" rather than "every 1 minute".
        return parts.size() == 1 && parts.get(0).startsWith("1 ") ? parts.get(0).substring(2) : String.join(" ", parts);
    }

    private static String cron(String[] tokens) {
        String[] six;
        if (tokens.length == 6) {
            six = tokens;
        } else if (tokens.length == 5) {
            six = new String[]{"0", tokens[0], tokens[1], tokens[2], tokens[3], tokens[4]};
        } else {
            return null;
        }
        Field second = Field.of(six[0], null);
        Field minute = Field.of(six[1], null);
        Field hour = Field.of(six[2], null);
        Field dom = Field.of(six[3], null);
        Field month = Field.of(six[4], MONTHS);
        Field dow = Field.of(six[5], DAYS);
        if (second == null || minute == null || hour == null || dom == null || month == null || dow == null) {
            return null;
        }
        String days = days(dom, month, dow);
        String time = time(second, minute, hour);
        if (days == null || time == null) {
            return null;
        }
        if (time.startsWith("at ") && !days.startsWith("on ")) {
            return "every day " + time + (days.isEmpty() ? "" : " " + days);
        }
        return days.isEmpty() ? time : time + " " + days;
    }

    private static String time(Field second, Field minute, Field hour) {
        boolean onTheMinute = second.isValue(0);
        if (second.single() && minute.single() && hour.list()) {
            List<String> times = new ArrayList<>();
            for (int h : hour.values) {
                times.add(clock(h, minute.values.get(0), second.values.get(0)));
            }
            return "at " + joined(times);
        }
        if (onTheMinute && minute.single() && hour.any()) {
            return minute.isValue(0) ? "every hour" : "every hour at minute " + minute.values.get(0);
        }
        if (onTheMinute && minute.single() && hour.step > 0) {
            return "every " + hour.step + " hours" + (minute.isValue(0) ? "" : " at minute " + minute.values.get(0));
        }
        if (onTheMinute && minute.single() && hour.range()) {
            return "every hour from " + clock(hour.values.get(0), minute.values.get(0), 0) + " to "
                    + clock(hour.values.get(1), minute.values.get(0), 0);
        }
        if (onTheMinute && (minute.any() || minute.step > 0)) {
            String every = minute.any() ? "every minute" : "every " + minute.step + " minutes";
            if (hour.any()) {
                return every;
            }
            if (hour.range()) {
                return every + " from " + clock(hour.values.get(0), 0, 0) + " to "
                        + clock(hour.values.get(1), 59, 0);
            }
            return null;
        }
        if (minute.any() && hour.any()) {
            return second.any() ? "every second" : second.step > 0 ? "every " + second.step + " seconds" : null;
        }
        return null;
    }

    /** The day part: "" for every day, "in <months>", or "on ..."; null for shapes left to the expression. */
    private static String days(Field dom, Field month, Field dow) {
        if (dom.step > 0 || month.step > 0 || dow.step > 0 || (!dom.any() && !dow.any())) {
            // Both day fields set: Dkron and Spring disagree on whether they combine with "or" or "and".
            return null;
        }
        String months = month.any() ? null : month.phrase();
        if (!dom.any()) {
            return "on day" + (dom.items.size() == 1 && !dom.range() ? " " : "s ") + dom.phrase() + " of "
                    + (months == null ? "every month" : months);
        }
        String weekdays = dow.any() ? "" : "on " + dow.phrase();
        if (months == null) {
            return weekdays;
        }
        return weekdays.isEmpty() ? "in " + months : weekdays + " in " + months;
    }

    private static String clock(int hour, int minute, int second) {
        return second == 0 ? String.format(Locale.ROOT, "%02d:%02d", hour, minute)
                : String.format(Locale.ROOT, "%02d:%02d:%02d", hour, minute, second);
    }

    private static String joined(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /**
     * One cron field: any ({@code *}, {@code ?}), a step from zero ({@code *}{@code /n}), or a list of values and
     * ranges ({@code 1,15}, {@code MON-FRI}). {@code names} turns numbers into names (months from 1, days from
     * Sunday = 0).
     */
    private static final class Field {
        private final int step;
        private final List<String> items;
        private final List<Integer> values;
        private final List<String> names;
        private final boolean any;

        private Field(boolean any, int step, List<String> items, List<Integer> values, List<String> names) {
            this.any = any;
            this.step = step;
            this.items = items;
            this.values = values;
            this.names = names;
        }

        /** The field, or null for a shape this class leaves to the expression. */
        static Field of(String token, List<String> names) {
            if (token.equals("*") || token.equals("?")) {
                return new Field(true, 0, List.of(), List.of(), names);
            }
            if (token.startsWith("*/")) {
                Integer n = number(token.substring(2), null);
                return n == null || n < 1 ? null : n == 1 ? new Field(true, 0, List.of(), List.of(), names)
                        : new Field(false, n, List.of(), List.of(), names);
            }
            List<String> items = new ArrayList<>();
            List<Integer> values = new ArrayList<>();
            for (String item : token.split(",", -1)) {
                String[] ends = item.split("-", -1);
                if (ends.length > 2) {
                    return null;
                }
                List<String> words = new ArrayList<>();
                for (String end : ends) {
                    Integer v = number(end, names);
                    if (v == null) {
                        return null;
                    }
                    values.add(v);
                    words.add(names == null ? String.valueOf(v) : names.get(names == MONTHS ? v - 1 : v));
                }
                items.add(String.join(" to ", words));
            }
            return new Field(false, 0, items, values, names);
        }

        /** A number, or for named fields a name's number (its first three letters, as cron spells them). */
        private static Integer number(String text, List<String> names) {
            if (!text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() <= 4) {
                int v = Integer.parseInt(text);
                if (names == MONTHS) {
                    return v >= 1 && v <= 12 ? v : null;
                }
                return names == DAYS ? (v <= 7 ? v : null) : v;
            }
            if (names != null) {
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).substring(0, 3).equalsIgnoreCase(text)) {
                        return names == MONTHS ? i + 1 : i;
                    }
                }
            }
            return null;
        }

        boolean any() {
            return any;
        }

        boolean single() {
            return !any && step == 0 && values.size() == 1;
        }

        /** Only single values, no ranges. */
        boolean list() {
            return !any && step == 0 && values.size() == items.size() && values.size() <= 6;
        }

        /** One range {@code a-b}. */
        boolean range() {
            return !any && step == 0 && items.size() == 1 && values.size() == 2;
        }

        boolean isValue(int v) {
            return single() && values.get(0) == v;
        }

        String phrase() {
            return joined(items);
        }
    }
}
