package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad schedules fail with an InvalidScheduleException that says what is wrong, and nothing else escapes. */
class ScheduleInvalidTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
        # spec                                           | the message names the problem
        '   '                                            | schedule is empty
        xyz                                              | found 1
        * * * *                                          | found 4
        0 0 0 1 1 * 2026                                 | found 7
        60 * * * * *                                     | 60
        0 60 * * * *                                     | 60
        0 0 25 * * *                                     | 25
        0 0 0 32 * *                                     | 32
        0 0 0 0 * *                                      | DayOfMonth
        0 0 0 * 13 *                                     | 13
        0 0 0 * * 8                                      | DayOfWeek
        0 0 0 * FOO *                                    | FOO
        0 0 0 * * FUNDAY                                 | FUNDAY
        */0 * * * * *                                    | '*/0'
        5-1 * * * * *                                    | 5-1
        0 0 ? * * *                                      | ?
        0 0 0 1 1 1 1                                    | found 7
        @every                                           | @every takes 1 argument
        @every 1h 30m                                    | @every takes 1 argument
        @every 1x                                        | unknown unit "x"
        @every 10                                        | missing unit
        @every .                                         | invalid duration "."
        @every h                                         | invalid duration "h"
        @every 1h-5m                                     | unknown unit "h-"
        @every 9999999999h                               | out of range
        @every ~                                         | invalid duration "~"
        @at                                              | @at takes 1 argument
        @at tomorrow                                     | invalid RFC 3339 date "tomorrow"
        @at 2024-02-30T00:00:00Z                         | invalid RFC 3339 date
        @at 2024-01-01T09:00:00                          | invalid RFC 3339 date
        @at 2024-01-01T09:00Z                            | invalid RFC 3339 date
        @at 2024-01-01 09:00:00Z                         | @at takes 1 argument
        @after 2024-01-01T09:00:00Z                      | @after takes 2 arguments
        @after 2024-01-01T09:00:00Z PT30M                | must start with "<"
        @after 2024-01-01T09:00:00Z <                    | invalid grace period "<"
        @after 2024-01-01T09:00:00Z <P                   | invalid grace period "<P"
        @after 2024-01-01T09:00:00Z <PT                  | invalid grace period "<PT"
        @after 2024-01-01T09:00:00Z <P1DT                | invalid grace period
        @after 2024-01-01T09:00:00Z <PT1.5M              | invalid grace period
        @after 2024-01-01T09:00:00Z <P1W                 | invalid grace period
        @after 2024-01-01T09:00:00Z <PT0S                | greater than zero
        @after 2024-01-01T09:00:00Z <PT99999999999999999999999H | too long
        @after nope <PT30M                               | invalid RFC 3339 date "nope"
        @daily now                                       | @daily takes no arguments
        @manually please                                 | @manually takes no arguments
        @fortnightly                                     | unknown descriptor "@fortnightly"
        @                                                | unknown descriptor "@"
        CRON_TZ=Mars/Olympus 0 * * * * *                 | unknown time zone "Mars/Olympus"
        TZ=europe/berlin 0 * * * * *                     | unknown time zone "europe/berlin"
        'TZ= 0 * * * * *'                                | empty time zone
        TZ=Europe/Berlin                                 | nothing follows the TZ= prefix
        'CRON_TZ=Europe/Berlin   '                       | nothing follows the CRON_TZ= prefix
        """)
    void rejectsWithAMessageNamingTheProblem(String spec, String problem) {
        assertThatThrownBy(() -> Schedule.parse(spec, "job", BERLIN))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessageStartingWith("can't parse job schedule \"" + spec + "\": ")
                .hasMessageContaining(problem);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void rejectsMissingSchedule(String spec) {
        assertThatThrownBy(() -> Schedule.parse(spec, "job", BERLIN))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessageStartingWith("can't parse job schedule")
                .hasMessageContaining("schedule is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 0 1W * *", "0 0 0 LW * *", "0 0 0 * * MON#2", "0 0 0 * * 5L", "0 0/15 * * * *"})
    void passesSpringExtrasThrough(String spec) throws InvalidScheduleException {
        assertThat(Schedule.parse(spec, "job", BERLIN).next(Instant.parse("2026-01-01T00:00:00Z"), null)).isPresent();
    }

    private static final List<String> FRAGMENTS = List.of(
            "*", "?", "0", "7", "59", "60", "-1", "1-5", "*/15", "0/7", "~", "~/3", "L", "W", "LW", "L-3", "5#3",
            "#", "/", ",", "-", "MON", "jan", "SUN-SAT", "@every", "@at", "@after", "@daily", "@hourly", "@minutely",
            "@manually", "@", "1h", "1.5h", "500ms", "µs", "-3s", ".", "<PT1M", "<P1Y2M", "<", "P", "T",
            "2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "TZ=Europe/Berlin", "CRON_TZ=", "TZ=Nowhere",
            "CRON_TZ=Australia/Lord_Howe", "\t", " ", "  ", "\n", "\u0000", "\u00a0", "\u2003", "💥", "٣",
            "99999999999999999999", "9223372036854775807", "1e9", "%", "\"", "'", "\\");
    private static final String[] ZONES = {"UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
        "Asia/Kolkata", "Pacific/Apia"};

    /** Random token soups and random characters: parse either succeeds or says why; next never blows up. */
    @Test
    void fuzzedInputNeverThrowsAnythingElse() {
        Random random = new Random(20260308L);
        int parsed = 0;
        for (int i = 0; i < 1500; i++) {
            String spec = i % 3 == 0 ? randomCharacters(random) : randomTokens(random);
            ZoneId zone = ZoneId.of(ZONES[random.nextInt(ZONES.length)]);
            Schedule schedule;
            try {
                schedule = Schedule.parse(spec, random.nextBoolean() ? "job-" + i : null, zone);
            } catch (InvalidScheduleException expected) {
                assertThat(expected.getMessage()).startsWith("can't parse job schedule \"");
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError("parse threw " + e + " for \"" + spec + "\"", e);
            }
            parsed++;
            for (Instant start : new Instant[] {Instant.parse("2026-11-01T05:30:00Z"), Instant.EPOCH,
                Instant.parse("2026-03-29T01:00:00Z"), Instant.MAX, Instant.MIN}) {
                Instant cursor = start;
                for (int step = 0; step < 5; step++) {
                    Optional<Instant> next;
                    try {
                        next = schedule.next(cursor, Instant.EPOCH);
                    } catch (RuntimeException e) {
                        throw new AssertionError("next threw " + e + " for \"" + spec + "\" after " + cursor, e);
                    }
                    if (next.isEmpty()) {
                        break;
                    }
                    if (!next.get().isAfter(cursor)) {
                        fail("\"%s\": next(%s) = %s is not later", spec, cursor, next.get());
                    }
                    cursor = next.get();
                }
            }
        }
        assertThat(parsed).as("the fuzzer should also produce valid schedules").isGreaterThan(20);
    }

    private static String randomTokens(Random random) {
        StringBuilder spec = new StringBuilder();
        int count = random.nextInt(9);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                spec.append(random.nextInt(10) == 0 ? "" : " ");
            }
            spec.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
        }
        // Bias towards shapes that get past the field count, so Spring and the DST code see odd values.
        if (random.nextInt(3) == 0) {
            String[] fields = new String[5 + random.nextInt(2)];
            for (int f = 0; f < fields.length; f++) {
                fields[f] = random.nextInt(4) == 0 ? FRAGMENTS.get(random.nextInt(20)) : "*";
            }
            return String.join(" ", fields);
        }
        return spec.toString();
    }

    private static String randomCharacters(Random random) {
        String alphabet = "0123456789*/,-?LW#~@ TZ=<PYMDTHS.:abcdefghijklmnopqrstuvwxyz\t\u00b5";
        StringBuilder spec = new StringBuilder();
        int length = random.nextInt(30);
        for (int i = 0; i < length; i++) {
            spec.append(random.nextInt(50) == 0 ? (char) random.nextInt(0x3000) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return spec.toString();
    }
}
