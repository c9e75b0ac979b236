package dev.hibachi.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The sentences for the common schedule shapes, and the expression itself for the rest. */
class ScheduleDescriptionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "@every 5m | every 5 minutes",
            "@every 1m | every minute",
            "@every 1h30m | every 1 hour 30 minutes",
            "@every 36h | every 1 day 12 hours",
            "@every 500ms | every second",
            "@daily | every day at 00:00",
            "@midnight | every day at 00:00",
            "@hourly | every hour",
            "@minutely | every minute",
            "@weekly | at 00:00 on Sunday",
            "@monthly | at 00:00 on day 1 of every month",
            "@yearly | at 00:00 on day 1 of January",
            "@manually | only when run by hand",
            "@at 2030-01-01T09:00:00Z | once, at 2030-01-01T09:00:00Z",
            "@after 2030-01-01T09:00:00Z <PT30M | once, at 2030-01-01T09:00:00Z, or later within PT30M",
            "0 30 8 * * MON-FRI | at 08:30 on Monday to Friday",
            "0 30 8 * * 1-5 | at 08:30 on Monday to Friday",
            "30 8 * * mon,wed,fri | at 08:30 on Monday, Wednesday and Friday",
            "0 0 8,12,18 * * * | every day at 08:00, 12:00 and 18:00",
            "15 0 9 * * * | every day at 09:00:15",
            "0 0 6 1,15 * * | at 06:00 on days 1 and 15 of every month",
            "0 0 6 1 JAN-MAR * | at 06:00 on day 1 of January to March",
            "0 0 7 * 12 SAT,SUN | at 07:00 on Saturday and Sunday in December",
            "0 0 7 * 7 * | every day at 07:00 in July",
            "0 */5 * * * * | every 5 minutes",
            "*/5 * * * * | every 5 minutes",
            "0 * * * * * | every minute",
            "* * * * * * | every second",
            "*/10 * * * * * | every 10 seconds",
            "0 15 * * * * | every hour at minute 15",
            "0 0 */2 * * * | every 2 hours",
            "0 30 */6 * * * | every 6 hours at minute 30",
            "0 0 9-17 * * MON-FRI | every hour from 09:00 to 17:00 on Monday to Friday",
            "0 */15 9-17 * * * | every 15 minutes from 09:00 to 17:59",
            "0 0 0 * * 7 | at 00:00 on Sunday",
            "CRON_TZ=Europe/Paris 0 30 8 * * * | every day at 08:30",
    })
    void commonShapesReadAsSentences(String schedule, String sentence) {
        assertThat(ScheduleDescription.of(schedule)).isEqualTo(sentence);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0 0 12 L * ?",
            "0 0 12 ? * 5#2",
            "0 5/10 * * * *",
            "0 0 12 1 * MON",
            "0 ~ * * * *",
            "TZ=UTC 0 0 1W * *",
    })
    void otherShapesAreTheExpressionItself(String schedule) {
        assertThat(ScheduleDescription.of(schedule)).isEqualTo(schedule.replaceFirst("^TZ=\\S+\\s+", ""));
    }
}
