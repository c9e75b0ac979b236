package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The two duration syntaxes inside schedules: Go's (for @every) and the ISO 8601 grace (for @after). */
class ScheduleDurationSyntaxTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
        # Go duration    | nanoseconds
        0                | 0
        +0               | 0
        1h30m10s         | 5410000000000
        1.5h             | 5400000000000
        500ms            | 500000000
        2s               | 2000000000
        1ns              | 1
        7us              | 7000
        7µs              | 7000
        7μs              | 7000
        .5s              | 500000000
        1.s              | 1000000000
        1.0000000019s    | 1000000001
        1m1m             | 120000000000
        -1.5h            | -5400000000000
        2562047h47m16.854775807s | 9223372036854775807
        -2562047h47m16.854775808s | -9223372036854775808
        """)
    void parsesGoDurations(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+", "1", "10", ".", "s", "1S", "1 h", "1hh", "1d", "1.5.h", "2562047h47m16.854775808s",
        "00.h0", "1h-1m"})
    void rejectsBadGoDurations(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> GoDuration.parse(text))
                .withMessageStartingWith("invalid duration \"" + text + "\"");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
        <PT30M           | PT30M
        <PT1H            | PT1H
        <P1D             | PT24H
        <P1Y             | PT8760H
        <P1M             | PT720H
        <PT1.25S         | PT1.25S
        <P1Y1M1DT1H1M1S  | PT9505H1M1S
        """)
    void parsesIsoGraces(String text, Duration expected) {
        assertThat(Iso8601Grace.parse(text)).isEqualTo(expected);
    }
}
