package dev.hibachi.store.command;

import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.command.CommandCodec.MalformedCommandException;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandCodecTest {
    static final Instant AT = Instant.parse("2024-03-01T12:00:00.123456789Z");
    static final Target N1 = new Target("n1", "inc-1");

    static Stream<Command> everyCommand() {
        Job full = with(job("full-job", "0 */5 * * * *"), Map.ofEntries(
                Map.entry("timezone", "Europe/Berlin"), Map.entry("owner", "ops"),
                Map.entry("owner_email", "ops@example.com"), Map.entry("tags", Map.of("role", "db:1")),
                Map.entry("metadata", Map.of("team", "core")), Map.entry("retries", 3),
                Map.entry("parent_job", "parent"), Map.entry("processors", Map.of("log", Map.of("forward", "true"))),
                Map.entry("concurrency", "forbid"), Map.entry("ephemeral", true), Map.entry("misfire", "run_all"),
                Map.entry("misfire_grace", "2m"), Map.entry("expected_duration", "90s"),
                Map.entry("retry_backoff", Map.of("initial", "1s", "max", "1m", "multiplier", 3.0))));
        return Stream.of(
                new Command.InitCluster(AT, new ClusterSettings("Europe/Berlin", 100, 10, 256_000, 4096)),
                new Command.PutJob(AT, job("simple", "@every 10s")),
                new Command.PutJob(AT, full),
                new Command.DeleteJob(AT, "simple"),
                new Command.DeleteJob(AT, "simple", "delete/simple"),
                new Command.ToggleJob(AT, "simple"),
                new Command.PlanRuns(AT, List.of(
                        new Command.PlannedRun("simple", 17, AT.plusSeconds(1), AT.plusSeconds(11),
                                Run.Trigger.SCHEDULE, List.of(N1, new Target("n2", "inc-2")), null),
                        new Command.PlannedRun("other", 3, AT.plusSeconds(1), null, Run.Trigger.MANUAL, List.of(),
                                "no member matches"),
                        new Command.PlannedRun("child", 0, AT, null, Run.Trigger.CHILD, List.of(N1), null, 42L,
                                "child/child/00000000000000000042")),
                        List.of(new MissedSpan("simple", AT.minusSeconds(60), AT, 7, "misfire: skip", AT))),
                new Command.PlanRetries(AT, List.of(new Command.RetryPlan("retry/simple/42/n1/2", "simple", 42L,
                        "n1", 2, N1))),
                new Command.ReportAttempts(AT, "n1", "inc-1", List.of(
                        new AttemptReport("simple", 42L, 1, AttemptReport.Phase.STARTED, AT, null, false, 0, null,
                                false),
                        new AttemptReport("simple", 42L, 1, AttemptReport.Phase.FINISHED, AT, AT.plusMillis(5), true,
                                0, "héllo ✓\n", true),
                        new AttemptReport("simple", 43L, 1, AttemptReport.Phase.FINISHED, AT, AT.plusMillis(5), true,
                                0, "", false, List.of(new Command.Artifact("out/report.bin",
                                        new byte[]{0, 1, (byte) 0xFF, 10}))))),
                new Command.LoseAttempts(AT, List.of(new Command.AttemptRef("simple", 42L, 1, "n1")), "left"),
                new Command.CompletePending(AT, List.of("notify/simple/1")),
                new Command.DeleteExecutions(AT, "simple"),
                new Command.SkipQueuedRuns(AT, List.of(new Command.RunRef("simple", 42L))),
                new Command.RequestKill(AT, "simple", 42L, 1, "n1", "ops@example.com"),
                new Command.FlagOverdue(AT, List.of(new Command.AttemptRef("simple", 42L, 1, "n1"))),
                new Command.SetPaused(AT, true),
                new Command.RecordClusterEvent(AT, "MEMBER_FAILED", "n2", "member n2 failed"),
                new Command.CompleteNotifications(AT, List.of("12-0-1709294400123", "12-1-1709294400123"),
                        "delivered"));
    }

    @ParameterizedTest
    @MethodSource("everyCommand")
    void everyCommandRoundTrips(Command command) throws MalformedCommandException {
        byte[] bytes = CommandCodec.encode(command);

        assertThat(bytes[0]).isEqualTo((byte) CommandCodec.VERSION);
        assertThat(CommandCodec.decode(bytes)).isEqualTo(command);
    }

    @Test
    void theSamplesCoverEveryCommandType() {
        Set<Class<?>> covered = everyCommand().map(Object::getClass).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(Command.class.getPermittedSubclasses());
    }

    @Test
    void smallCommandsAreStoredAsPlainJson() {
        byte[] bytes = CommandCodec.encode(new Command.DeleteJob(AT, "simple"));

        assertThat(bytes[1]).isZero();
        assertThat(new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_8))
                .contains("\"type\":\"DeleteJob\"").contains("\"simple\"");
    }

    /** The notification commands, as this build writes them, decode to the same (the wire names are fixed). */
    @Test
    void notificationCommandsDecodeFromTheirWireForm() throws MalformedCommandException {
        byte[] complete = ("\u0001\u0000{\"type\":\"CompleteNotifications\",\"at\":\"2024-03-01T12:00:00Z\","
                + "\"delivery_ids\":[\"7-0-1\"],\"outcome\":\"delivered\"}").getBytes(StandardCharsets.UTF_8);
        byte[] cluster = ("\u0001\u0000{\"type\":\"RecordClusterEvent\",\"at\":\"2024-03-01T12:00:00Z\","
                + "\"event\":\"LEADER_CHANGED\",\"node\":\"n1\"}").getBytes(StandardCharsets.UTF_8);

        assertThat(CommandCodec.decode(complete)).isEqualTo(new Command.CompleteNotifications(
                Instant.parse("2024-03-01T12:00:00Z"), List.of("7-0-1"), "delivered"));
        assertThat(CommandCodec.decode(cluster)).isEqualTo(new Command.RecordClusterEvent(
                Instant.parse("2024-03-01T12:00:00Z"), "LEADER_CHANGED", "n1", null));
    }

    /** An entry written before reports carried artifacts (no such field) still decodes, with none. */
    @Test
    void aReportWithoutTheArtifactsFieldDecodesWithNone() throws MalformedCommandException {
        String json = "{\"type\":\"ReportAttempts\",\"at\":\"2024-03-01T12:00:00Z\",\"node\":\"n1\","
                + "\"incarnation\":\"inc-1\",\"reports\":[{\"job\":\"simple\",\"run_id\":42,\"attempt\":1,"
                + "\"phase\":\"FINISHED\",\"started_at\":\"2024-03-01T12:00:00Z\","
                + "\"finished_at\":\"2024-03-01T12:00:01Z\",\"success\":true,\"exit_code\":0,"
                + "\"output\":\"ok\",\"truncated\":false}]}";
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        byte[] old = new byte[utf8.length + 2];
        old[0] = 1;
        System.arraycopy(utf8, 0, old, 2, utf8.length);

        Command.ReportAttempts decoded = (Command.ReportAttempts) CommandCodec.decode(old);

        assertThat(decoded.reports().get(0).artifacts()).isEmpty();
        assertThat(decoded.reports().get(0).output()).isEqualTo("ok");
        // and a report without artifacts is written without the field, as older members wrote it
        assertThat(new String(CommandCodec.encode(decoded), 2, CommandCodec.encode(decoded).length - 2,
                StandardCharsets.UTF_8)).doesNotContain("artifacts");
    }

    @Test
    void largeReportsAreDeflatedAndRoundTrip() throws MalformedCommandException {
        String output = "building target 42... ok\n".repeat(4_000); // 100 KB of a typical, repetitive log
        Command report = new Command.ReportAttempts(AT, "n1", "inc-1", List.of(new AttemptReport("simple", 42L, 1,
                AttemptReport.Phase.FINISHED, AT, AT.plusSeconds(3), true, 0, output, false)));

        byte[] bytes = CommandCodec.encode(report);

        assertThat(bytes[1]).isEqualTo((byte) 1);
        assertThat(bytes.length).isLessThan(output.length() / 10);
        assertThat(CommandCodec.decode(bytes)).isEqualTo(report);
    }

    @Test
    void incompressibleLargeOutputRoundTrips() throws MalformedCommandException {
        Random rnd = new Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            sb.appendCodePoint(0x20 + rnd.nextInt(0x3000));
        }
        Command report = new Command.ReportAttempts(AT, "n1", "inc-1", List.of(new AttemptReport("simple", 42L, 1,
                AttemptReport.Phase.FINISHED, AT, AT.plusSeconds(3), false, 2, sb.toString(), true)));

        byte[] bytes = CommandCodec.encode(report);

        assertThat(bytes[1]).isEqualTo((byte) 1);
        assertThat(CommandCodec.decode(bytes)).isEqualTo(report);
    }

    static Stream<byte[]> garbage() {
        byte[] valid = CommandCodec.encode(new Command.DeleteJob(AT, "simple"));
        byte[] validDeflated = CommandCodec.encode(new Command.CompletePending(AT, List.of("x".repeat(2000))));
        byte[] newer = valid.clone();
        newer[0] = (byte) (CommandCodec.VERSION + 1);
        byte[] zero = valid.clone();
        zero[0] = 0;
        byte[] negative = valid.clone();
        negative[0] = (byte) 0x80;
        byte[] flagged = valid.clone();
        flagged[1] = 1;
        byte[] truncatedDeflate = Arrays.copyOf(validDeflated, validDeflated.length / 2);
        byte[] random = new byte[300];
        new Random(3).nextBytes(random);
        random[0] = 1;
        random[1] = 0;
        return Stream.of(new byte[0], new byte[]{1}, newer, zero, negative, flagged, truncatedDeflate, random,
                json("{\"type\":\"Nope\",\"at\":\"2024-03-01T12:00:00Z\"}"),
                json("{\"at\":\"2024-03-01T12:00:00Z\",\"name\":\"x\"}"),
                json("{\"type\":\"DeleteJob\",\"at\":\"2024-03-01T12:00:00Z\",\"name\":\"x\",\"typo\":1}"),
                json("{\"type\":\"DeleteJob\",\"at\":\"yesterday\",\"name\":\"x\"}"),
                json("[1,2,3]"), json(""));
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void garbageIsAMalformedCommand(byte[] bytes) {
        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(MalformedCommandException.class);
    }

    @Test
    void anUnknownVersionSaysSo() {
        byte[] bytes = CommandCodec.encode(new Command.DeleteJob(AT, "simple"));
        bytes[0] = 9;

        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void theJsonLiteralNullIsAMalformedCommand() {
        assertThatThrownBy(() -> CommandCodec.decode(json("null"))).isInstanceOf(MalformedCommandException.class);
    }

    private static byte[] json(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 2];
        out[0] = (byte) CommandCodec.VERSION;
        System.arraycopy(body, 0, out, 2, body.length);
        return out;
    }
}
