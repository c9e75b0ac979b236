package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cron expressions and descriptors away from DST transitions: field syntax, zones, prefixes, "~". */
class ScheduleCronTest {

    @ParameterizedTest(name = "[{index}] {1} in {0} after {2}")
    @CsvSource(delimiter = '|', textBlock = """
        # zone          | spec                     | after                    | expected fires
        UTC             | 0 0 12 * * *             | 2026-01-01T00:00Z        | 2026-01-01T12:00Z 2026-01-02T12:00Z 2026-01-03T12:00Z
        UTC             | */15 * * * * *           | 2026-01-01T00:00:07Z     | 2026-01-01T00:00:15Z 2026-01-01T00:00:30Z 2026-01-01T00:00:45Z 2026-01-01T00:01Z
        UTC             | 0 0 9 * * MON-FRI        | 2026-01-02T10:00Z        | 2026-01-05T09:00Z 2026-01-06T09:00Z 2026-01-07T09:00Z
        UTC             | 0 0 9 * * mon-fri        | 2026-01-02T10:00Z        | 2026-01-05T09:00Z 2026-01-06T09:00Z 2026-01-07T09:00Z
        UTC             | 0 0 0 1 JAN,jul ?        | 2026-01-01T00:00Z        | 2026-07-01T00:00Z 2027-01-01T00:00Z 2027-07-01T00:00Z
        UTC             | 0 0 0 ? * SUN            | 2026-01-01T00:00Z        | 2026-01-04T00:00Z 2026-01-11T00:00Z
        UTC             | 0 0 0 * * 0              | 2026-01-01T00:00Z        | 2026-01-04T00:00Z 2026-01-11T00:00Z
        UTC             | 0 0 0 * * 7              | 2026-01-01T00:00Z        | 2026-01-04T00:00Z 2026-01-11T00:00Z
        UTC             | 0 0 0 * * 6              | 2026-01-01T00:00Z        | 2026-01-03T00:00Z 2026-01-10T00:00Z
        UTC             | 10-12 5 4 3 2 *          | 2026-01-01T00:00Z        | 2026-02-03T04:05:10Z 2026-02-03T04:05:11Z 2026-02-03T04:05:12Z 2027-02-03T04:05:10Z
        UTC             | 0 0 0 29 2 *             | 2026-01-01T00:00Z        | 2028-02-29T00:00Z 2032-02-29T00:00Z
        UTC             | 0 0 0 L * *              | 2026-01-01T00:00Z        | 2026-01-31T00:00Z 2026-02-28T00:00Z 2026-03-31T00:00Z
        UTC             | 30 8 * * sun             | 2026-01-01T00:00Z        | 2026-01-04T08:30Z 2026-01-11T08:30Z 2026-01-18T08:30Z
        UTC             | */20 * * * *             | 2026-01-01T00:05:30Z     | 2026-01-01T00:20Z 2026-01-01T00:40Z 2026-01-01T01:00Z
        UTC             | 0 12 1,15 * *            | 2026-01-01T12:00Z        | 2026-01-15T12:00Z 2026-02-01T12:00Z
        UTC             | 0 0 12 * * *             | 2026-01-01T11:59:59.999Z | 2026-01-01T12:00Z 2026-01-02T12:00Z
        UTC             | 0 0 12 * * *             | 2026-01-01T12:00Z        | 2026-01-02T12:00Z
        UTC             | @yearly                  | 2026-01-01T00:00Z        | 2027-01-01T00:00Z 2028-01-01T00:00Z
        UTC             | @annually                | 2026-06-01T00:00Z        | 2027-01-01T00:00Z
        UTC             | @monthly                 | 2026-01-15T00:00Z        | 2026-02-01T00:00Z 2026-03-01T00:00Z
        UTC             | @weekly                  | 2026-01-01T00:00Z        | 2026-01-04T00:00Z 2026-01-11T00:00Z
        UTC             | @daily                   | 2026-01-01T00:00Z        | 2026-01-02T00:00Z 2026-01-03T00:00Z
        UTC             | @midnight                | 2026-01-01T00:00Z        | 2026-01-02T00:00Z
        UTC             | @hourly                  | 2026-01-01T00:30Z        | 2026-01-01T01:00Z 2026-01-01T02:00Z
        UTC             | @minutely                | 2026-01-01T00:00:30Z     | 2026-01-01T00:01Z 2026-01-01T00:02Z
        UTC             | @DAILY                   | 2026-01-01T00:00Z        | 2026-01-02T00:00Z
        Asia/Kolkata    | 0 0 9 * * *              | 2026-01-01T00:00Z        | 2026-01-01T09:00+05:30 2026-01-02T09:00+05:30
        Asia/Kolkata    | 0 30 * * * *             | 2026-01-01T00:00Z        | 2026-01-01T06:30+05:30 2026-01-01T07:30+05:30
        Asia/Kolkata    | @daily                   | 2026-01-01T00:00Z        | 2026-01-02T00:00+05:30 2026-01-03T00:00+05:30
        Asia/Kolkata    | @hourly                  | 2026-01-01T00:00Z        | 2026-01-01T06:00+05:30 2026-01-01T07:00+05:30
        Europe/Berlin   | @daily                   | 2026-01-10T12:00Z        | 2026-01-10T23:00Z 2026-01-11T23:00Z
        Europe/Berlin   | @daily                   | 2026-07-01T12:00Z        | 2026-07-01T22:00Z 2026-07-02T22:00Z
        Europe/Berlin   | @weekly                  | 2026-01-01T00:00Z        | 2026-01-04T00:00+01:00 2026-01-11T00:00+01:00
        Europe/Berlin   | @monthly                 | 2026-01-15T00:00Z        | 2026-02-01T00:00+01:00 2026-03-01T00:00+01:00 2026-04-01T00:00+02:00
        Europe/Berlin   | @yearly                  | 2026-06-01T00:00Z        | 2026-12-31T23:00Z
        America/New_York| @daily                   | 2026-01-01T12:00Z        | 2026-01-02T05:00Z 2026-01-03T05:00Z
        America/New_York| 0 0 9 * * MON            | 2026-01-01T00:00Z        | 2026-01-05T09:00-05:00 2026-01-12T09:00-05:00
        America/New_York| 0 0 9 1 * *              | 2026-02-15T00:00Z        | 2026-03-01T09:00-05:00 2026-04-01T09:00-04:00
        """)
    void firesAtExactlyTheseInstants(String zone, String spec, String after, String expected)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneId.of(zone));
        assertThat(schedule.kind()).isEqualTo(Schedule.Kind.CRON);
        assertThat(schedule.zone()).isEqualTo(ZoneId.of(zone));
        assertThat(Fires.after(schedule, Fires.at(after), Fires.list(expected).size()))
                .containsExactlyElementsOf(Fires.list(expected));
    }

    @ParameterizedTest(name = "[{index}] {0} given zone {1}")
    @CsvSource(delimiter = '|', textBlock = """
        # spec                                   | zone argument    | effective zone   | first fire after 2026-01-01T00:00Z
        CRON_TZ=Asia/Kolkata 0 0 9 * * *          | Europe/Berlin    | Asia/Kolkata     | 2026-01-01T09:00+05:30
        TZ=Asia/Kolkata 0 0 9 * * *               | Europe/Berlin    | Asia/Kolkata     | 2026-01-01T09:00+05:30
        TZ=Europe/Berlin @daily                   | UTC              | Europe/Berlin    | 2026-01-01T23:00Z
        CRON_TZ=America/New_York   0 9 * * *      | Asia/Kolkata     | America/New_York | 2026-01-01T09:00-05:00
        '  CRON_TZ=UTC 0 0 9 * * *  '             | Asia/Kolkata     | UTC              | 2026-01-01T09:00Z
        0 0 9 * * *                               | Asia/Kolkata     | Asia/Kolkata     | 2026-01-01T09:00+05:30
        """)
    void zonePrefixWinsOverTheZoneArgument(String spec, String zoneArgument, String effective, String first)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneId.of(zoneArgument));
        assertThat(schedule.zone()).isEqualTo(ZoneId.of(effective));
        assertThat(schedule.spec()).isEqualTo(spec);
        assertThat(schedule.next(Fires.at("2026-01-01T00:00Z"), Fires.ANCHOR)).contains(Fires.at(first));
    }

    @Test
    void nullZoneMeansUtc() throws InvalidScheduleException {
        Schedule schedule = Schedule.parse("0 0 9 * * *", "job", null);
        assertThat(schedule.zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(schedule.next(Fires.at("2026-01-01T00:00Z"), null)).contains(Fires.at("2026-01-01T09:00Z"));
    }

    @Test
    void neverMatchingExpressionEndsQuickly() throws InvalidScheduleException {
        for (String spec : new String[] {"0 0 0 30 2 *", "0 0 0 31 4,6,9,11 *", "* * * 30 2 *"}) {
            Schedule schedule = Schedule.parse(spec, "job", ZoneId.of("America/New_York"));
            long start = System.nanoTime();
            assertThat(schedule.next(Fires.at("2026-11-01T05:30Z"), Fires.ANCHOR)).as(spec).isEmpty();
            assertThat(System.nanoTime() - start).as(spec).isLessThan(2_000_000_000L);
        }
    }

    @Test
    void fiveFieldFormHasSecondsZero() throws InvalidScheduleException {
        Schedule five = Schedule.parse("15 10 * * *", "job", ZoneOffset.UTC);
        Schedule six = Schedule.parse("0 15 10 * * *", "job", ZoneOffset.UTC);
        Instant after = Fires.at("2026-01-01T00:00Z");
        assertThat(Fires.after(five, after, 5)).isEqualTo(Fires.after(six, after, 5))
                .startsWith(Fires.at("2026-01-01T10:15Z"));
    }

    // "backup": code points 98+97+99+107+117+112 = 630. 630 mod 60 = 30, mod 24 = 6, mod 28 = 14 (+1 = 15),
    // mod 12 = 6 (+1 = 7), mod 7 = 0. "a" = 97: hour 97 mod 24 = 1. "ab" = 195: minute 195 mod 60 = 15.
    // "" = 0: day of month 0 mod 28 + 1 = 1.
    @ParameterizedTest(name = "[{index}] {0} for {1}")
    @CsvSource(delimiter = '|', textBlock = """
        # spec            | job name | after (UTC)          | expected fires
        ~ ~ ~ * * *       | backup   | 2026-01-01T00:00Z    | 2026-01-01T06:30:30Z 2026-01-02T06:30:30Z
        0 ~/15 * * * *    | backup   | 2026-01-01T00:00Z    | 2026-01-01T00:30Z 2026-01-01T00:45Z 2026-01-01T01:30Z
        ~ ~ * * *         | backup   | 2026-01-01T00:00Z    | 2026-01-01T06:30Z 2026-01-02T06:30Z
        0 0 0 ~ ~ *       | backup   | 2026-01-01T00:00Z    | 2026-07-15T00:00Z 2027-07-15T00:00Z
        0 0 0 * * ~       | backup   | 2026-01-01T00:00Z    | 2026-01-04T00:00Z 2026-01-11T00:00Z
        0 0 ~ * * *       | a        | 2026-01-01T00:00Z    | 2026-01-01T01:00Z 2026-01-02T01:00Z
        0 ~ 0 * * *       | ab       | 2026-01-01T00:00Z    | 2026-01-01T00:15Z 2026-01-02T00:15Z
        0 0 0 ~ 1 *       | ''       | 2025-12-31T23:59Z    | 2026-01-01T00:00Z 2027-01-01T00:00Z
        """)
    void tildeIsReplacedByTheJobNameHash(String spec, String jobName, String after, String expected)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, jobName, ZoneOffset.UTC);
        assertThat(Fires.after(schedule, Fires.at(after), Fires.list(expected).size()))
                .containsExactlyElementsOf(Fires.list(expected));
    }

    @Test
    void tildeHashIsDeterministicPerNameAndDiffersBetweenNames() throws InvalidScheduleException {
        Instant after = Fires.at("2026-01-01T00:00Z");
        Schedule first = Schedule.parse("~ ~ ~ * * *", "nightly-report", ZoneOffset.UTC);
        Schedule again = Schedule.parse("~ ~ ~ * * *", "nightly-report", ZoneOffset.UTC);
        Schedule other = Schedule.parse("~ ~ ~ * * *", "hourly-cleanup", ZoneOffset.UTC);
        assertThat(Fires.after(first, after, 3)).isEqualTo(Fires.after(again, after, 3))
                .isNotEqualTo(Fires.after(other, after, 3));
        assertThat(Schedule.parse("~ ~ ~ * * *", null, ZoneOffset.UTC).next(after, null))
                .contains(Fires.at("2026-01-01T00:00Z").plusSeconds(24 * 3600)); // empty name: hash 0, 00:00:00
    }
}
