package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code @every}, {@code @at}, {@code @after} and {@code @manually}. */
class ScheduleOneShotAndEveryTest {

    private static final Instant ANCHOR = Instant.parse("2026-01-01T00:00:00.250Z");

    @ParameterizedTest(name = "[{index}] {0} after {1}")
    @CsvSource(delimiter = '|', textBlock = """
        # spec             | after (anchor 2026-01-01T00:00:00.250Z) | expected fires
        @every 1h30m       | 2026-01-01T00:00:00.250Z | 2026-01-01T01:30:00.250Z 2026-01-01T03:00:00.250Z
        @every 1h30m       | 2026-01-01T01:30:00.250Z | 2026-01-01T03:00:00.250Z
        @every 1h30m       | 2026-01-01T01:30:00.249Z | 2026-01-01T01:30:00.250Z
        @every 1h30m       | 2025-06-01T00:00Z        | 2026-01-01T01:30:00.250Z
        @every 1.5h        | 2026-01-01T00:00Z        | 2026-01-01T01:30:00.250Z
        @every 1h30m10s    | 2026-01-01T00:00Z        | 2026-01-01T01:30:10.250Z 2026-01-01T03:00:20.250Z
        @every 2s          | 2026-01-01T00:00:05Z     | 2026-01-01T00:00:06.250Z 2026-01-01T00:00:08.250Z
        @every 500ms       | 2026-01-01T00:00:05Z     | 2026-01-01T00:00:05.250Z 2026-01-01T00:00:06.250Z
        @every 1500ms      | 2026-01-01T00:00:05Z     | 2026-01-01T00:00:05.250Z 2026-01-01T00:00:06.250Z
        @every 0           | 2026-01-01T00:00:05Z     | 2026-01-01T00:00:05.250Z
        @every 90s         | 2026-01-01T00:10Z        | 2026-01-01T00:10:30.250Z 2026-01-01T00:12:00.250Z
        @every 24h         | 2026-03-08T12:00Z        | 2026-03-09T00:00:00.250Z 2026-03-10T00:00:00.250Z
        @EVERY 1m          | 2026-01-01T00:00Z        | 2026-01-01T00:01:00.250Z
        @every 1h          | 2036-01-01T00:20Z        | 2036-01-01T01:00:00.250Z
        """)
    void everyFiresAtAnchorPlusWholeMultiplesOfTheInterval(String spec, String after, String expected)
            throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneId.of("America/New_York"));
        assertThat(schedule.kind()).isEqualTo(Schedule.Kind.EVERY);
        Instant cursor = Fires.at(after);
        for (Instant want : Fires.list(expected)) {
            Instant next = schedule.next(cursor, ANCHOR).orElseThrow();
            assertThat(next).isEqualTo(want);
            cursor = next;
        }
    }

    @Test
    void everyIsArithmeticSoFarFromTheAnchorCostsNothing() throws InvalidScheduleException {
        Schedule schedule = Schedule.parse("@every 7s", "job", ZoneOffset.UTC);
        Instant anchor = Instant.EPOCH;
        Instant farAway = Instant.parse("+999999-06-01T00:00:00Z"); // about 3.2e13 seconds, 4.5e12 intervals
        long offset = Math.floorMod(farAway.getEpochSecond(), 7L);
        Instant expected = farAway.plusSeconds(7 - offset);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> { // a stepping loop would take years; 10 s leaves room for a busy machine
            for (int i = 0; i < 100_000; i++) {
                assertThat(schedule.next(farAway, anchor)).contains(expected);
            }
        });
    }

    @Test
    void everyPastTheEndOfTimeIsEmptyAndNeedsAnAnchor() throws InvalidScheduleException {
        Schedule schedule = Schedule.parse("@every 1h", "job", ZoneOffset.UTC);
        assertThat(schedule.next(Instant.MAX.minusSeconds(10), Instant.EPOCH)).isEmpty();
        assertThatNullPointerException().isThrownBy(() -> schedule.next(Instant.EPOCH, null))
                .withMessageContaining("anchor");
    }

    @ParameterizedTest(name = "[{index}] {0} after {1}")
    @CsvSource(delimiter = '|', textBlock = """
        # spec                                 | after                  | expected (empty: never again)
        @at 2026-05-01T10:00:00+02:00          | 2026-01-01T00:00Z      | 2026-05-01T08:00Z
        @at 2026-05-01T10:00:00+02:00          | 2026-05-01T07:59:59Z   | 2026-05-01T08:00Z
        @at 2026-05-01T10:00:00+02:00          | 2026-05-01T08:00Z      |
        @at 2026-05-01T10:00:00+02:00          | 2027-01-01T00:00Z      |
        @at 2026-05-01T08:00:00.5Z             | 2026-05-01T08:00Z      | 2026-05-01T08:00:00.5Z
        @at 2026-05-01t08:00:00z               | 2026-05-01T07:00Z      | 2026-05-01T08:00Z
        TZ=Asia/Kolkata @at 2026-05-01T08:00:00Z | 2026-05-01T07:00Z    | 2026-05-01T08:00Z
        """)
    void atFiresOnceIfStillAhead(String spec, String after, String expected) throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneOffset.UTC);
        assertThat(schedule.kind()).isEqualTo(Schedule.Kind.AT);
        assertThat(schedule.catchUpGrace()).isEmpty();
        if (expected == null) {
            assertThat(schedule.next(Fires.at(after), ANCHOR)).isEmpty();
        } else {
            assertThat(schedule.next(Fires.at(after), ANCHOR)).contains(Fires.at(expected));
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
        # spec                                          | grace
        @after 2024-01-01T09:00:00Z <PT30M              | PT30M
        @after 2024-01-01T09:00:00Z <P1DT12H            | PT36H
        @after 2024-01-01T09:00:00Z <P1Y                | PT8760H
        @after 2024-01-01T09:00:00Z <P2M                | PT1440H
        @after 2024-01-01T09:00:00Z <P1Y2M3DT4H5M6.5S   | PT10276H5M6.5S
        @after 2024-01-01T09:00:00Z <PT0.000000001S     | PT0.000000001S
        @after 2024-01-01T09:00:00+01:00 <PT45S         | PT45S
        """)
    void afterFiresLikeAtAndCarriesItsGrace(String spec, Duration grace) throws InvalidScheduleException {
        Schedule schedule = Schedule.parse(spec, "job", ZoneOffset.UTC);
        assertThat(schedule.kind()).isEqualTo(Schedule.Kind.AFTER);
        assertThat(schedule.catchUpGrace()).contains(grace);
        Instant date = Fires.at(spec.split(" ")[1]);
        assertThat(schedule.next(date.minusSeconds(1), ANCHOR)).contains(date);
        assertThat(schedule.next(date, ANCHOR)).isEmpty();
    }

    @Test
    void manuallyNeverFires() throws InvalidScheduleException {
        Schedule schedule = Schedule.parse("@manually", "job", ZoneOffset.UTC);
        assertThat(schedule.kind()).isEqualTo(Schedule.Kind.MANUALLY);
        assertThat(schedule.next(Instant.EPOCH, ANCHOR)).isEmpty();
        assertThat(schedule.next(Instant.MIN, null)).isEmpty();
        assertThat(schedule.catchUpGrace()).isEmpty();
    }

    @Test
    void onlyAfterHasAGraceAndOnlyEveryUsesTheAnchor() throws InvalidScheduleException {
        Instant after = Fires.at("2026-01-01T00:00Z");
        for (String spec : new String[] {"0 0 * * * *", "@daily", "@every 1h", "@at 2027-01-01T00:00:00Z"}) {
            Schedule schedule = Schedule.parse(spec, "job", ZoneOffset.UTC);
            assertThat(schedule.catchUpGrace()).as(spec).isEmpty();
            if (schedule.kind() != Schedule.Kind.EVERY) {
                assertThat(schedule.next(after, null)).as(spec).isEqualTo(schedule.next(after, ANCHOR));
            }
        }
        Schedule every = Schedule.parse("@every 1h", "job", ZoneOffset.UTC);
        assertThat(every.next(after, ANCHOR)).isNotEqualTo(every.next(after, ANCHOR.plusSeconds(60)));
    }
}
