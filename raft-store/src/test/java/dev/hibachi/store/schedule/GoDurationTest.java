package dev.hibachi.store.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "+0, 0",
        "30s, 30000000000",
        "1m30s, 90000000000",
        "500ms, 500000000",
        "1h, 3600000000000",
        "2h45m, 9900000000000",
        "1.5h, 5400000000000",
        ".5s, 500000000",
        "5.s, 5000000000",
        "-1.5m, -90000000000",
        "10us, 10000",
        "10µs, 10000",
        "10μs, 10000",
        "7ns, 7",
        "1h1m1s1ms1us1ns, 3661001001001",
        "0.000000001s, 1",
        "2562047h, 9223369200000000000",
    })
    void parses(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "1", "10", "1x", "1 s", " 1s", "1s ", "-", "+", ".", ".s", "1.2.3s", "3e2s",
        "9999999h", "1sm", "abc"})
    void rejects(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
