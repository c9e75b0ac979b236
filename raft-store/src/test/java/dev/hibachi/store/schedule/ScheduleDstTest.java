package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.scheduling.support.CronExpression;

/**
 * Daylight-saving transitions. 2026: America/New_York springs forward on 03-08 (02:00 EST -> 03:00 EDT,
 * 07:00Z) and falls back on 11-01 (02:00 EDT -> 01:00 EST, 06:00Z); Europe/Berlin on 03-29 (02:00 -> 03:00,
 * 01:00Z) and 10-25 (03:00 -> 02:00, 01:00Z); Australia/Lord_Howe, with a 30-minute shift, falls back on
 * 04-05 (02:00 -> 01:30, 2026-04-04T15:00Z) and springs forward on 10-04 (02:00 -> 02:30, 2026-10-03T15:30Z).
 */
class ScheduleDstTest {

    @ParameterizedTest(name = "[{index}] {1} in {0} after {2}")
    @CsvSource(delimiter = '|', textBlock = """
        # zone             | spec               | after                 | expected fires
        # spring forward: a time in the gap fires at the transition, i.e. 03:00 local, not skipped or shifted
        America/New_York   | 0 30 2 * * *       | 2026-03-06T12:00Z     | 2026-03-07T02:30-05:00 2026-03-08T03:00-04:00 2026-03-09T02:30-04:00
        America/New_York   | 0 30 2 * * *       | 2026-03-08T06:59:59Z  | 2026-03-08T03:00-04:00 2026-03-09T02:30-04:00
        America/New_York   | 0 30 2 * * *       | 2026-03-08T07:00Z     | 2026-03-09T02:30-04:00
        America/New_York   | 0 0 3 * * *        | 2026-03-07T12:00Z     | 2026-03-08T03:00-04:00 2026-03-09T03:00-04:00
        America/New_York   | 0 0,30 2,3 * * *   | 2026-03-07T12:00Z     | 2026-03-08T03:00-04:00 2026-03-08T03:30-04:00 2026-03-09T02:00-04:00
        America/New_York   | 0 */30 * * * *     | 2026-03-08T06:15Z     | 2026-03-08T01:30-05:00 2026-03-08T03:00-04:00 2026-03-08T03:30-04:00 2026-03-08T04:00-04:00
        America/New_York   | @hourly            | 2026-03-08T05:30Z     | 2026-03-08T01:00-05:00 2026-03-08T03:00-04:00 2026-03-08T04:00-04:00
        America/New_York   | @daily             | 2026-03-07T12:00Z     | 2026-03-08T00:00-05:00 2026-03-09T00:00-04:00
        Europe/Berlin      | 0 30 2 * * *       | 2026-03-27T12:00Z     | 2026-03-28T02:30+01:00 2026-03-29T03:00+02:00 2026-03-30T02:30+02:00
        Europe/Berlin      | 0 */30 * * * *     | 2026-03-29T00:15Z     | 2026-03-29T01:30+01:00 2026-03-29T03:00+02:00 2026-03-29T03:30+02:00
        Australia/Lord_Howe| 0 15 2 * * *       | 2026-10-02T12:00Z     | 2026-10-03T02:15+10:30 2026-10-04T02:30+11:00 2026-10-05T02:15+11:00
        Australia/Lord_Howe| 0 */15 * * * *     | 2026-10-03T15:20Z     | 2026-10-04T02:30+11:00 2026-10-04T02:45+11:00 2026-10-04T03:00+11:00
        # fall back, fixed time: fires once, at the earlier offset
        America/New_York   | 0 30 1 * * *       | 2026-10-31T00:00Z     | 2026-10-31T01:30-04:00 2026-11-01T01:30-04:00 2026-11-02T01:30-05:00
        America/New_York   | 0 15 1 * * *       | 2026-11-01T05:10Z     | 2026-11-01T01:15-04:00 2026-11-02T01:15-05:00
        America/New_York   | 0 15 1 * * *       | 2026-11-01T06:10Z     | 2026-11-02T01:15-05:00
        America/New_York   | 0 15 1 * * *       | 2026-11-01T06:00Z     | 2026-11-02T01:15-05:00
        America/New_York   | 0 0,30 1 * * *     | 2026-11-01T04:00Z     | 2026-11-01T01:00-04:00 2026-11-01T01:30-04:00 2026-11-02T01:00-05:00
        America/New_York   | @daily             | 2026-10-31T12:00Z     | 2026-11-01T00:00-04:00 2026-11-02T00:00-05:00
        Europe/Berlin      | 0 30 2 * * *       | 2026-10-23T12:00Z     | 2026-10-24T02:30+02:00 2026-10-25T02:30+02:00 2026-10-26T02:30+01:00
        Europe/Berlin      | 0 0 2 * * *        | 2026-10-24T12:00Z     | 2026-10-25T02:00+02:00 2026-10-26T02:00+01:00
        Australia/Lord_Howe| 0 45 1 * * *       | 2026-04-03T12:00Z     | 2026-04-04T01:45+11:00 2026-04-05T01:45+11:00 2026-04-06T01:45+10:30
        # fall back, interval-like ('*' in second, minute or hour): both passes, cadence kept
        America/New_York   | 0 */30 * * * *     | 2026-11-01T04:45Z     | 2026-11-01T01:00-04:00 2026-11-01T01:30-04:00 2026-11-01T01:00-05:00 2026-11-01T01:30-05:00 2026-11-01T02:00-05:00 2026-11-01T02:30-05:00
        America/New_York   | 0 */30 * * * *     | 2026-11-01T05:40Z     | 2026-11-01T01:00-05:00 2026-11-01T01:30-05:00 2026-11-01T02:00-05:00
        America/New_York   | 0 */30 * * * *     | 2026-11-01T06:10Z     | 2026-11-01T01:30-05:00 2026-11-01T02:00-05:00
        America/New_York   | 0 0 * * * *        | 2026-11-01T06:00Z     | 2026-11-01T02:00-05:00
        America/New_York   | 0 * * * * *        | 2026-11-01T06:00Z     | 2026-11-01T01:01-05:00
        America/New_York   | 0 * 1 * * *        | 2026-11-01T05:58:30Z  | 2026-11-01T01:59-04:00 2026-11-01T01:00-05:00 2026-11-01T01:01-05:00
        America/New_York   | @hourly            | 2026-11-01T04:30Z     | 2026-11-01T01:00-04:00 2026-11-01T01:00-05:00 2026-11-01T02:00-05:00 2026-11-01T03:00-05:00
        America/New_York   | 0 30 * * * *       | 2026-11-01T04:45Z     | 2026-11-01T01:30-04:00 2026-11-01T01:30-05:00 2026-11-01T02:30-05:00
        Europe/Berlin      | 0 */30 * * * *     | 2026-10-24T23:45Z     | 2026-10-25T02:00+02:00 2026-10-25T02:30+02:00 2026-10-25T02:00+01:00 2026-10-25T02:30+01:00 2026-10-25T03:00+01:00
        Australia/Lord_Howe| 0 */15 * * * *     | 2026-04-04T14:20Z     | 2026-04-05T01:30+11:00 2026-04-05T01:45+11:00 2026-04-05T01:30+10:30 2026-04-05T01:45+10:30 2026-04-05T02:00+10:30
        """)
    void firesAtExactlyTheseInstantsAcrossTransitions(String zone, String spec, String after, String expected)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneId.of(zone));
        List<Instant> want = Fires.list(expected);
        assertThat(Fires.after(schedule, Fires.at(after), want.size())).containsExactlyElementsOf(want);
    }

    @ParameterizedTest(name = "[{index}] every second through {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        America/New_York | 2026-03-08T07:00Z
        America/New_York | 2026-11-01T06:00Z
        Europe/Berlin    | 2026-03-29T01:00Z
        Europe/Berlin    | 2026-10-25T01:00Z
        Australia/Lord_Howe | 2026-04-04T15:00Z
        Australia/Lord_Howe | 2026-10-03T15:30Z
        """)
    void everySecondKeepsFiringEverySecondThroughTheTransition(String zone, String transition)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse("* * * * * *", "job", ZoneId.of(zone));
        Instant start = Fires.at(transition).minus(Duration.ofMinutes(70));
        List<Instant> fires = Fires.after(schedule, start, 140 * 60);
        for (int i = 0; i < fires.size(); i++) {
            assertThat(fires.get(i)).isEqualTo(start.plusSeconds(i + 1));
        }
        assertThat(fires).hasSize(140 * 60);
    }

    /** A fixed-time daily job fires exactly once on every local date of the year, whatever the offset. */
    @ParameterizedTest(name = "[{index}] {1} in {0}")
    @CsvSource(delimiter = '|', textBlock = """
        # zone              | spec          | local time it normally fires | the one date it fires later | at
        America/New_York    | 0 30 2 * * *  | 02:30 | 2026-03-08 | 03:00
        America/New_York    | 0 30 1 * * *  | 01:30 |            |
        Europe/Berlin       | 0 30 2 * * *  | 02:30 | 2026-03-29 | 03:00
        Australia/Lord_Howe | 0 15 2 * * *  | 02:15 | 2026-10-04 | 02:30
        Australia/Lord_Howe | 0 45 1 * * *  | 01:45 |            |
        Asia/Kolkata        | 0 0 0 * * *   | 00:00 |            |
        """)
    void fixedTimeDailyJobFiresOncePerLocalDateAllYear(String zone, String spec, LocalTime usual,
            LocalDate exceptionDate, LocalTime exceptionTime) throws InvalidScheduleException {
        ZoneId zoneId = ZoneId.of(zone);
        Schedule schedule = Schedule.parse(spec, "job", zoneId);
        Instant start = LocalDate.of(2026, 1, 1).atStartOfDay(zoneId).toInstant().minusSeconds(1);
        List<Instant> fires = Fires.after(schedule, start, 365);
        for (int day = 0; day < 365; day++) {
            LocalDate date = LocalDate.of(2026, 1, 1).plusDays(day);
            LocalTime time = date.equals(exceptionDate) ? exceptionTime : usual;
            // atZone picks the earlier offset in an overlap, which is the rule for fixed-time jobs.
            Instant expected = date.atTime(time).atZone(zoneId).toInstant();
            assertThat(fires.get(day)).as("fire on %s", date).isEqualTo(expected);
        }
    }

    static Stream<Arguments> transitionsAndExpressions() {
        String[] specs = {"* * * * * *", "0 * * * * *", "0 */30 * * * *", "*/20 15 * * * *", "0 30 2 * * *",
            "0 30 1 * * *", "0 0,30 2,3 * * *", "15 */20 1-3 * * *", "@hourly", "@daily", "0 45 1 * * *",
            "0 0 2 * * *", "0 0 3 * * *", "0 15 2 * * *", "0 0/10 1-2 * * *", "0 0 12 * * *", "30 59 1 * * *"};
        String[][] transitions = {
            {"America/New_York", "2026-03-08T07:00Z"}, {"America/New_York", "2026-11-01T06:00Z"},
            {"Europe/Berlin", "2026-03-29T01:00Z"}, {"Europe/Berlin", "2026-10-25T01:00Z"},
            {"Australia/Lord_Howe", "2026-04-04T15:00Z"}, {"Australia/Lord_Howe", "2026-10-03T15:30Z"},
            {"Pacific/Apia", "2011-12-30T10:00Z"}, // skipped a whole day (-10:00 -> +14:00)
            {"Europe/Moscow", "2011-03-26T23:00Z"}, {"Europe/Moscow", "2014-10-25T22:00Z"}};
        List<Arguments> arguments = new ArrayList<>();
        for (String[] transition : transitions) {
            for (String spec : specs) {
                arguments.add(Arguments.of(transition[0], transition[1], spec));
            }
        }
        return arguments.stream();
    }

    /**
     * Compares next() with a brute-force scan of every second around a transition, implementing the rule
     * from its statement: a matching wall-clock time fires at the first second the clock shows it or a
     * later time (so gap times fire at the transition), and an interval-like expression also fires when
     * an overlap shows a matching time the second time.
     */
    @ParameterizedTest(name = "[{index}] {2} in {0} around {1}")
    @MethodSource("transitionsAndExpressions")
    void agreesWithABruteForceScanAroundTransitions(String zone, String transition, String spec)
            throws InvalidScheduleException {
        ZoneId zoneId = ZoneId.of(zone);
        Schedule schedule = Schedule.parse(spec, "job", zoneId);
        // Four hours either side: more than any overlap here (a gap, even Apia's lost day, takes no time).
        Instant from = Fires.at(transition).minus(Duration.ofHours(4));
        Instant to = Fires.at(transition).plus(Duration.ofHours(4));

        List<Instant> expected = bruteForce(spec, zoneId, from, to);
        List<Instant> actual = new ArrayList<>();
        Instant cursor = from;
        while (true) {
            Optional<Instant> next = schedule.next(cursor, Fires.ANCHOR);
            if (next.isEmpty() || next.get().isAfter(to)) {
                break;
            }
            actual.add(next.get());
            if (!next.get().isAfter(cursor)) {
                break; // not increasing: a bug; stop here and let the comparison report it
            }
            cursor = next.get();
        }
        int same = 0;
        while (same < actual.size() && same < expected.size() && actual.get(same).equals(expected.get(same))) {
            same++;
        }
        // Report only the first difference: the sequences can hold tens of thousands of instants.
        assertThat(same == actual.size() && same == expected.size())
                .as("fire #%d: expected %s, got %s", same, elementOrEnd(expected, same), elementOrEnd(actual, same))
                .isTrue();
    }

    private static String elementOrEnd(List<Instant> fires, int index) {
        return index < fires.size() ? fires.get(index).atZone(ZoneId.of("UTC")).toString() : "no more fires";
    }

    private static List<Instant> bruteForce(String spec, ZoneId zone, Instant from, Instant to) {
        Map<String, String> descriptors = new HashMap<>(Map.of("@hourly", "0 0 * * * *", "@daily", "0 0 0 * * *"));
        String fields = descriptors.getOrDefault(spec, spec);
        CronExpression cron = CronExpression.parse(fields);
        String[] parts = fields.split(" ");
        boolean intervalLike = parts[0].contains("*") || parts[1].contains("*") || parts[2].contains("*");
        List<Instant> fires = new ArrayList<>();
        LocalDateTime highest = LocalDateTime.ofInstant(from, zone); // "from" is far from any transition
        LocalDateTime pending = cron.next(highest); // the first matching time the clock has not yet shown
        for (Instant t = from.plusSeconds(1); !t.isAfter(to); t = t.plusSeconds(1)) {
            LocalDateTime shown = LocalDateTime.ofInstant(t, zone);
            if (shown.isAfter(highest)) {
                highest = shown;
                if (!pending.isAfter(shown)) {
                    fires.add(t); // the first second at which the clock shows a matching time or later
                    pending = cron.next(highest);
                }
            } else if (intervalLike && shown.equals(cron.next(shown.minusSeconds(1)))) {
                fires.add(t); // the clock shows this matching time for the second time
            }
        }
        return fires;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Australia/Sydney", "America/Santiago"})
    void iteratingIsStrictlyIncreasingFromEveryStartingSecondNearTransitions(String zone)
            throws InvalidScheduleException {
        ZoneId zoneId = ZoneId.of(zone);
        List<ZoneOffsetTransition> transitions = new ArrayList<>();
        ZoneOffsetTransition t = zoneId.getRules().nextTransition(Fires.at("2026-01-01T00:00Z"));
        while (t != null && t.getInstant().isBefore(Fires.at("2027-01-01T00:00Z"))) {
            transitions.add(t);
            t = zoneId.getRules().nextTransition(t.getInstant());
        }
        assertThat(transitions).isNotEmpty();
        for (String spec : new String[] {"0 */30 * * * *", "0 30 1 * * *", "0 30 2 * * *", "7 * * * * *"}) {
            Schedule schedule = Schedule.parse(spec, "job", zoneId);
            for (ZoneOffsetTransition transition : transitions) {
                for (long s = -5400; s <= 5400; s += 7) {
                    Instant after = transition.getInstant().plusSeconds(s);
                    Instant next = schedule.next(after, Fires.ANCHOR).orElseThrow();
                    Instant nextNext = schedule.next(next, Fires.ANCHOR).orElseThrow();
                    assertThat(next).as("%s after %s", spec, after).isAfter(after);
                    assertThat(nextNext).as("%s after %s", spec, next).isAfter(next);
                    // No fire is skipped: asking from just before the answer gives the answer again.
                    assertThat(schedule.next(next.minusNanos(1), Fires.ANCHOR)).contains(next);
                }
            }
        }
    }
}
