package dev.hibachi.store.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.OutputTail;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import dev.hibachi.store.rocks.StoreView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.hibachi.store.StoreTestSupport.dump;
import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The state machine's decisions, driven directly: encoded commands applied with increasing log indexes to a
 * real RocksDB store in a temporary directory.
 */
class ApplierTest extends ApplierFixture {
    // ---- jobs -------------------------------------------------------------------------------------------

    @Test
    void putJobCreatesTheJobAndComputesNextFromTheCommandsTimeNotTheWallClock() {
        Reply r = put(job("backup", "@every 10s"), T0);

        assertThat(r.ok()).isTrue();
        assertThat(r.index()).isEqualTo(index);
        Job stored = stored("backup");
        assertThat(stored.name()).isEqualTo("backup");
        assertThat(stored.next()).isEqualTo(T0.plusSeconds(10));
        assertThat(view().clock("backup")).contains(new JobClock(T0, T0, index));
        assertThat(events).filteredOn(ev -> !(ev instanceof StoreEvent.NotificationPending)).singleElement()
                .isInstanceOf(StoreEvent.JobChanged.class);

        put(job("hourly", "0 0 * * * *"), T0.plusSeconds(5));
        assertThat(stored("hourly").next()).isEqualTo(Instant.parse("2024-03-01T13:00:00Z"));
    }

    @Test
    void changingTheScheduleReanchorsEveryAtTheChangesTime() {
        put(job("backup", "@every 10s"), T0);
        put(job("backup", "@every 1m"), T0.plusSeconds(7));

        assertThat(stored("backup").next()).isEqualTo(T0.plusSeconds(67));
        assertThat(view().clock("backup").orElseThrow().anchor()).isEqualTo(T0.plusSeconds(7));
    }

    static Stream<Arguments> invalidJobs() {
        Job ok = job("valid-name", "@every 10s");
        return Stream.of(
                arguments(job("Job1", "@every 10s"), "name"),
                arguments(with(ok, "concurrency", "sometimes"), "concurrency"),
                arguments(with(ok, "timezone", "Mars/Base"), "timezone"),
                arguments(job("valid-name", "bogus"), "schedule"),
                arguments(with(ok, "retries", -1), "retries"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidJobs")
    void invalidJobsAreRefusedWith400AndTheField(Job bad, String field) {
        Reply r = put(bad, T0);

        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.field()).isEqualTo(field);
        assertThat(r.error()).isNotBlank();
        assertThat(view().job(bad.name())).isEmpty();
        assertThat(view().clock(bad.name())).isEmpty();
        assertThat(view().applied()[0]).isEqualTo(index);
        assertThat(events).isEmpty();
    }

    @Test
    void aChildWhoseParentIsMissingIsRefusedWith404() {
        Reply r = put(with(job("child", ""), "parent_job", "nope"), T0);

        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).contains("nope");
        assertThat(view().job("child")).isEmpty();
    }

    @Test
    void aParentCycleIsRefusedWith400() {
        put(job("a", "@every 10s"), T0);
        put(with(job("b", ""), "parent_job", "a"), T0);
        put(with(job("c", ""), "parent_job", "b"), T0);

        Reply r = put(with(job("a", "@every 10s"), "parent_job", "c"), T0.plusSeconds(1));

        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.field()).isEqualTo("parent_job");
        assertThat(stored("a").parentJob()).isEmpty();
        assertThat(stored("c").dependentJobs()).isNull();
    }

    @Test
    void dependentJobsAreMaintainedOnTheParent() {
        put(job("p1", "@every 10s"), T0);
        put(job("p2", "@every 10s"), T0);
        put(with(job("c2", ""), "parent_job", "p1"), T0);
        put(with(job("c1", ""), "parent_job", "p1"), T0);
        assertThat(stored("p1").dependentJobs()).containsExactly("c1", "c2");
        assertThat(stored("c1").next()).isNull();

        // a client's dependent_jobs is ignored: the store keeps its own
        put(with(job("p1", "@every 10s"), "dependent_jobs", List.of("bogus")), T0.plusSeconds(1));
        assertThat(stored("p1").dependentJobs()).containsExactly("c1", "c2");

        put(with(job("c1", ""), "parent_job", "p2"), T0.plusSeconds(2));
        assertThat(stored("p1").dependentJobs()).containsExactly("c2");
        assertThat(stored("p2").dependentJobs()).containsExactly("c1");

        assertThat(apply(new Command.DeleteJob(T0.plusSeconds(3), "c2")).ok()).isTrue();
        assertThat(stored("p1").dependentJobs()).isNullOrEmpty();

        // a child made a root again leaves its parent
        put(job("c1", "@every 10s"), T0.plusSeconds(4));
        assertThat(stored("p2").dependentJobs()).isNullOrEmpty();
    }

    @Test
    void deletingAParentWithChildrenIsRefusedWith409() {
        put(job("parent", "@every 10s"), T0);
        put(with(job("child", ""), "parent_job", "parent"), T0);

        Reply r = apply(new Command.DeleteJob(T0.plusSeconds(1), "parent"));

        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).contains("child");
        assertThat(view().job("parent")).isPresent();
        assertThat(view().job("child")).isPresent();

        assertThat(apply(new Command.DeleteJob(T0.plusSeconds(2), "missing")).status()).isEqualTo(404);
    }

    @Test
    void deletingAJobRemovesItsHistoryRunsAndClock() {
        put(job("gone", "@every 10s"), T0);
        long runId = planRun("gone", T0.plusSeconds(10), T0.plusSeconds(20), N1, N2);
        report(N1, finished("gone", runId, 1, T0.plusSeconds(10), T0.plusSeconds(11), true, "out"));

        assertThat(apply(new Command.DeleteJob(T0.plusSeconds(12), "gone")).ok()).isTrue();

        assertThat(view().job("gone")).isEmpty();
        assertThat(view().clock("gone")).isEmpty();
        assertThat(view().openRuns()).isEmpty();
        assertThat(view().executionKeys("gone")).isEmpty();
        assertThat(view().output(Keys.execution("gone", runId, 1, "n1"))).isEmpty();
        // the other slot's late report finds nothing and is a harmless repeat
        assertThat(verdict(report(N2, finished("gone", runId, 1, T0.plusSeconds(10), T0.plusSeconds(13), true, ""))))
                .isEqualTo("final");
    }

    @Test
    void aPostNeverLowersTheCounters() {
        put(job("counted", "@every 10s"), T0);
        long runId = planRun("counted", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        Instant done = T0.plusSeconds(12);
        report(N1, finished("counted", runId, 1, T0.plusSeconds(10), done, true, "ok"));
        assertThat(stored("counted").successCount()).isEqualTo(1);

        Job resent = with(job("counted", "@every 10s"), Map.of("success_count", 0, "error_count", 0,
                "status", "", "displayname", "Counted"));
        assertThat(put(resent, T0.plusSeconds(30)).ok()).isTrue();

        Job stored = stored("counted");
        assertThat(stored.displayname()).isEqualTo("Counted");
        assertThat(stored.successCount()).isEqualTo(1);
        assertThat(stored.lastSuccess()).isEqualTo(done);
        assertThat(stored.status()).isEqualTo(Execution.SUCCEEDED);

        // a higher count from the client (an import from Dkron) is taken
        put(with(resent, "error_count", 7), T0.plusSeconds(31));
        assertThat(stored("counted").errorCount()).isEqualTo(7);
        assertThat(stored("counted").successCount()).isEqualTo(1);
    }

    @Test
    void toggleDisablesAndReenablingDoesNotCatchUpThePassedInstants() {
        put(job("t", "@every 10s"), T0);
        Reply off = apply(new Command.ToggleJob(T0.plusSeconds(1), "t"));
        assertThat(off.ok()).isTrue();
        assertThat(stored("t").disabled()).isTrue();
        assertThat(stored("t").next()).isNull();
        assertThat(plan("t", T0.plusSeconds(10), T0.plusSeconds(20), N1).get("reason").asText()).contains("disabled");

        apply(new Command.ToggleJob(T0.plusSeconds(95), "t"));
        assertThat(stored("t").disabled()).isFalse();
        assertThat(stored("t").next()).isEqualTo(T0.plusSeconds(100));
        assertThat(plan("t", T0.plusSeconds(90), T0.plusSeconds(100), N1).get("accepted").asBoolean()).isFalse();
    }

    // ---- refusals and malformed entries -----------------------------------------------------------------

    @Test
    void aRefusedCommandWritesNothingOfItselfButAdvancesTheAppliedIndex() {
        put(job("a", "@every 10s"), T0);
        put(with(job("b", ""), "parent_job", "a"), T0);
        var before = dumpWithoutBookkeeping();
        events.clear();

        // refused by a rule (a cycle)
        Reply cycle = put(with(job("a", "@every 10s"), "parent_job", "b"), T0.plusSeconds(1));
        assertThat(cycle.ok()).isFalse();
        assertThat(view().applied()[0]).isEqualTo(index);

        // refused in the middle: the first run of the entry is fine and was already written into the entry's
        // batch when the second one (no job name) fails; the whole entry must be dropped
        Command.PlannedRun good = new Command.PlannedRun("a", revision("a"), T0.plusSeconds(10), T0.plusSeconds(20),
                Run.Trigger.SCHEDULE, List.of(N1), null);
        Command.PlannedRun broken = new Command.PlannedRun(null, 0, T0.plusSeconds(10), null, Run.Trigger.MANUAL,
                List.of(N1), null);
        Reply half = apply(new Command.PlanRuns(T0.plusSeconds(9), List.of(good, broken), List.of()));
        assertThat(half.ok()).isFalse();
        assertThat(half.status()).isEqualTo(500);
        assertThat(half.index()).isEqualTo(index);

        assertThat(view().applied()).containsExactly(index, 1);
        assertThat(dumpWithoutBookkeeping()).isEqualTo(before);
        assertThat(view().openRuns()).isEmpty();
        assertThat(view().clock("a").orElseThrow().lastPlannedAt()).isEqualTo(T0);
        assertThat(events).isEmpty();

        // the plan itself was fine: alone it is accepted
        assertThat(apply(new Command.PlanRuns(T0.plusSeconds(9), List.of(good), List.of())).value()
                .get("runs").get(0).get("accepted").asBoolean()).isTrue();
    }

    @Test
    void undecodableBytesAndUnknownVersionsAreRefusedNeverThrown() {
        byte[] good = CommandCodec.encode(new Command.PutJob(T0, job("a", "@every 10s")));
        byte[] future = good.clone();
        future[0] = (byte) (CommandCodec.VERSION + 1);
        byte[] negative = good.clone();
        negative[0] = (byte) 0xFF;
        byte[] wrongFlag = good.clone();
        wrongFlag[1] = 1; // says deflated, is plain JSON
        List<byte[]> bad = List.of(new byte[0], new byte[]{1}, new byte[]{1, 0, '{', 'x'}, future, negative,
                wrongFlag, "{\"type\":\"PutJob\"}".getBytes(StandardCharsets.UTF_8),
                new byte[]{1, 0, '{', '"', 't', 'y', 'p', 'e', '"', ':', '"', 'N', 'o', '"', '}'});

        for (byte[] bytes : bad) {
            long at = index + 1;
            Reply[] r = new Reply[1];
            assertThatCode(() -> r[0] = applier.apply(3, ++index, bytes)).doesNotThrowAnyException();
            assertThat(r[0].ok()).as(Arrays.toString(bytes)).isFalse();
            assertThat(r[0].status()).isEqualTo(400);
            assertThat(r[0].index()).isEqualTo(at);
            assertThat(view().applied()).containsExactly(at, 3);
        }
        assertThat(applier.apply(3, ++index, future).error()).contains("version");
        assertThat(view().job("a")).isEmpty();

        assertThat(applier.apply(3, ++index, good).ok()).isTrue();
    }

    @Test
    void theJsonLiteralNullIsRefusedNeverThrown() {
        byte[] nullCommand = {1, 0, 'n', 'u', 'l', 'l'};
        Reply[] r = new Reply[1];

        assertThatCode(() -> r[0] = applier.apply(1, ++index, nullCommand)).doesNotThrowAnyException();
        assertThat(r[0].ok()).isFalse();
        assertThat(r[0].status()).isEqualTo(400);
        assertThat(view().applied()[0]).isEqualTo(index);
    }

    @Test
    void skipMovesTheAppliedIndexWithoutACommand() {
        applier.skip(4, 17);
        assertThat(view().applied()).containsExactly(17, 4);
    }

    // ---- plans ------------------------------------------------------------------------------------------

    @Test
    void aPlanAfterLastPlannedAtCreatesARunWithOneSlotPerTarget() {
        put(job("backup", "@every 10s"), T0);
        events.clear();

        JsonNode v = plan("backup", T0.plusSeconds(10), T0.plusSeconds(20), N1, N2);

        assertThat(v.get("accepted").asBoolean()).isTrue();
        long runId = v.get("run_id").asLong();
        assertThat(runId).isEqualTo(Applier.runId(T0.plusSeconds(10), index));
        Run run = view().run("backup", runId).orElseThrow();
        assertThat(run.scheduledAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(run.trigger()).isEqualTo(Run.Trigger.SCHEDULE);
        assertThat(run.slots()).extracting(Run.Slot::target).containsExactly(N1, N2);
        assertThat(run.slots()).allSatisfy(s -> {
            assertThat(s.attempt()).isEqualTo(1);
            assertThat(s.state()).isEqualTo(Run.SlotState.PLANNED);
        });
        assertThat(view().clock("backup").orElseThrow().lastPlannedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(stored("backup").next()).isEqualTo(T0.plusSeconds(20));
        assertThat(events).filteredOn(StoreEvent.AttemptPlanned.class::isInstance).hasSize(2);
    }

    @Test
    void aPlanForAnInstantNotAfterLastPlannedAtIsRefusedSoNoRunIsDuplicated() {
        put(job("backup", "@every 10s"), T0);
        assertThat(plan("backup", T0.plusSeconds(10), T0.plusSeconds(20), N1).get("accepted").asBoolean()).isTrue();

        JsonNode again = plan("backup", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        JsonNode older = plan("backup", T0.plusSeconds(5), T0.plusSeconds(10), N1);
        JsonNode atCreation = plan("backup", T0, T0.plusSeconds(10), N1);

        for (JsonNode v : List.of(again, older, atCreation)) {
            assertThat(v.get("accepted").asBoolean()).isFalse();
            assertThat(v.get("reason").asText()).contains("already planned");
        }
        assertThat(view().openRuns("backup")).hasSize(1);
        assertThat(view().clock("backup").orElseThrow().lastPlannedAt()).isEqualTo(T0.plusSeconds(10));

        // two leaders racing: the same instant in one entry twice, only the first is accepted
        Command.PlannedRun p = new Command.PlannedRun("backup", revision("backup"), T0.plusSeconds(20),
                T0.plusSeconds(30), Run.Trigger.SCHEDULE, List.of(N1), null);
        JsonNode runs = apply(new Command.PlanRuns(T0.plusSeconds(19), List.of(p, p), List.of())).value().get("runs");
        assertThat(runs.get(0).get("accepted").asBoolean()).isTrue();
        assertThat(runs.get(1).get("accepted").asBoolean()).isFalse();
        assertThat(view().openRuns("backup")).hasSize(2);
    }

    @Test
    void aPlanMadeFromAnOlderDefinitionIsRefused() {
        put(job("backup", "@every 10s"), T0);
        long stale = revision("backup");
        put(with(job("backup", "@every 10s"), "executor_config", Map.of("command", "false")), T0.plusSeconds(1));
        assertThat(revision("backup")).isNotEqualTo(stale);

        JsonNode v = planWithRevision("backup", stale, T0.plusSeconds(10), T0.plusSeconds(20), N1);

        assertThat(v.get("accepted").asBoolean()).isFalse();
        assertThat(v.get("reason").asText()).contains("changed");
        assertThat(view().openRuns()).isEmpty();
        assertThat(plan("backup", T0.plusSeconds(10), T0.plusSeconds(20), N1).get("accepted").asBoolean()).isTrue();
    }

    @Test
    void aPlanWithoutTargetsRecordsAFailedExecutionThatSaysWhy() {
        put(job("lonely", "@every 10s"), T0);
        events.clear();
        String reason = "no alive member matches tags {role=db}";

        JsonNode v = planWithReason("lonely", T0.plusSeconds(10), reason);

        assertThat(v.get("accepted").asBoolean()).isTrue();
        long runId = v.get("run_id").asLong();
        assertThat(view().openRuns()).isEmpty();
        List<Execution> executions = view().executions("lonely", 10);
        assertThat(executions).singleElement().satisfies(e -> {
            assertThat(e.success()).isFalse();
            assertThat(e.status()).isEqualTo(Execution.FAILED);
            assertThat(e.group()).isEqualTo(runId);
            assertThat(e.scheduledAt()).isEqualTo(T0.plusSeconds(10));
        });
        assertThat(view().output(Keys.execution("lonely", runId, 1, ""))).contains(reason);
        Job job = stored("lonely");
        assertThat(job.errorCount()).isEqualTo(1);
        assertThat(job.status()).isEqualTo(Execution.FAILED);
        assertThat(job.lastError()).isNotNull();
        assertThat(view().clock("lonely").orElseThrow().lastPlannedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(StoreEvent.AttemptClosed.class));

        // without a reason the store still says why
        JsonNode v2 = planWithReason("lonely", T0.plusSeconds(20), null);
        assertThat(view().output(Keys.execution("lonely", v2.get("run_id").asLong(), 1, "")).orElseThrow())
                .isNotBlank();
        assertThat(stored("lonely").errorCount()).isEqualTo(2);
    }

    @Test
    void missesAreStoredAndTheirInstantsCanNeverBePlannedLater() {
        put(job("m", "@every 10s"), T0);
        MissedSpan span = new MissedSpan("m", T0.plusSeconds(10), T0.plusSeconds(50), 5, "misfire: skip",
                T0.plusSeconds(55));

        Reply r = apply(new Command.PlanRuns(T0.plusSeconds(55), List.of(), List.of(span)));

        assertThat(r.ok()).isTrue();
        assertThat(view().misses("m", 10)).containsExactly(span);
        assertThat(view().clock("m").orElseThrow().lastPlannedAt()).isEqualTo(T0.plusSeconds(50));
        assertThat(stored("m").next()).isEqualTo(T0.plusSeconds(60));
        assertThat(view().executions("m", 10)).isEmpty();
        for (int s = 10; s <= 50; s += 10) {
            assertThat(plan("m", T0.plusSeconds(s), T0.plusSeconds(s + 10), N1).get("accepted").asBoolean())
                    .as("instant +%ds", s).isFalse();
        }
        assertThat(plan("m", T0.plusSeconds(60), T0.plusSeconds(70), N1).get("accepted").asBoolean()).isTrue();

        // a run and a newer miss in one entry: the miss wins the clock
        MissedSpan later = new MissedSpan("m", T0.plusSeconds(80), T0.plusSeconds(90), 2, "misfire: skip",
                T0.plusSeconds(95));
        Command.PlannedRun run = new Command.PlannedRun("m", revision("m"), T0.plusSeconds(70), T0.plusSeconds(80),
                Run.Trigger.SCHEDULE, List.of(N1), null);
        apply(new Command.PlanRuns(T0.plusSeconds(95), List.of(run), List.of(later)));
        assertThat(view().clock("m").orElseThrow().lastPlannedAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(view().misses("m", 10)).containsExactly(later, span);
    }

    @Test
    void manualRunsIgnoreTheClock() {
        put(job("manual", "@manually"), T0);
        Command.PlannedRun p = new Command.PlannedRun("manual", 0, T0.plusSeconds(3), null, Run.Trigger.MANUAL,
                List.of(N1), null);

        JsonNode v = apply(new Command.PlanRuns(T0.plusSeconds(3), List.of(p), List.of())).value().get("runs").get(0);

        assertThat(v.get("accepted").asBoolean()).isTrue();
        assertThat(view().run("manual", v.get("run_id").asLong()).orElseThrow().trigger())
                .isEqualTo(Run.Trigger.MANUAL);
    }

    // ---- reports ----------------------------------------------------------------------------------------

    @Test
    void startedThenFinishedUpdatesTheExecutionAndTheJob() {
        put(job("r", "@every 10s"), T0);
        long runId = planRun("r", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        Instant started = T0.plusSeconds(10).plusMillis(30);
        Instant finished = T0.plusSeconds(14);
        byte[] key = Keys.execution("r", runId, 1, "n1");

        assertThat(verdict(report(N1, started("r", runId, 1, started)))).isEqualTo("accepted");
        Execution running = view().execution(key).orElseThrow();
        assertThat(running.status()).isEqualTo(Execution.RUNNING);
        assertThat(running.startedAt()).isEqualTo(started);
        assertThat(running.finishedAt()).isNull();
        assertThat(view().run("r", runId).orElseThrow().slots().get(0).state()).isEqualTo(Run.SlotState.RUNNING);

        // a repeated start changes nothing
        assertThat(verdict(report(N1, started("r", runId, 1, started.plusMillis(5))))).isEqualTo("accepted");
        assertThat(view().execution(key).orElseThrow().startedAt()).isEqualTo(started);

        assertThat(verdict(report(N1, finished("r", runId, 1, started, finished, true, "hello\n"))))
                .isEqualTo("accepted");
        Execution done = view().execution(key).orElseThrow();
        assertThat(done.success()).isTrue();
        assertThat(done.status()).isEqualTo(Execution.SUCCEEDED);
        assertThat(done.finishedAt()).isEqualTo(finished);
        assertThat(done.startedAt()).isEqualTo(started);
        assertThat(done.exitCode()).isEqualTo(0);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.nodeName()).isEqualTo("n1");
        assertThat(view().output(key)).contains("hello\n");
        Job job = stored("r");
        assertThat(job.successCount()).isEqualTo(1);
        assertThat(job.errorCount()).isZero();
        assertThat(job.lastSuccess()).isEqualTo(finished);
        assertThat(job.status()).isEqualTo(Execution.SUCCEEDED);
        assertThat(view().openRuns()).isEmpty();
    }

    @Test
    void aRepeatedFinishIsFinalAndTheFirstTerminalResultWins() {
        put(job("r", "@every 10s"), T0);
        long runId = planRun("r", T0.plusSeconds(10), T0.plusSeconds(20), N1, N2);
        Instant s = T0.plusSeconds(10);

        // within one batch: fail, then (a confused repeat) success
        Reply both = report(N1, finished("r", runId, 1, s, s.plusSeconds(1), false, "boom"),
                finished("r", runId, 1, s, s.plusSeconds(2), true, "fine"));
        assertThat(both.value().get("verdicts")).extracting(n -> n.get("verdict").asText())
                .containsExactly("accepted", "final");
        // and in a later batch
        assertThat(verdict(report(N1, finished("r", runId, 1, s, s.plusSeconds(3), true, "fine")))).isEqualTo("final");
        assertThat(verdict(report(N1, started("r", runId, 1, s)))).isEqualTo("final");

        Execution e = view().execution(Keys.execution("r", runId, 1, "n1")).orElseThrow();
        assertThat(e.success()).isFalse();
        assertThat(e.finishedAt()).isEqualTo(s.plusSeconds(1));
        assertThat(view().output(Keys.execution("r", runId, 1, "n1"))).contains("boom");
        assertThat(stored("r").errorCount()).isEqualTo(1);
        assertThat(stored("r").successCount()).isZero();
        assertThat(view().openRuns()).hasSize(1);

        // the other slot closes the run: one failed, one succeeded
        report(N2, finished("r", runId, 1, s, s.plusSeconds(4), true, ""));
        assertThat(view().openRuns()).isEmpty();
        assertThat(stored("r").status()).isEqualTo("partially_failed");
        // after the run is gone, repeats are still final
        assertThat(verdict(report(N2, finished("r", runId, 1, s, s.plusSeconds(5), false, "")))).isEqualTo("final");
        assertThat(stored("r").successCount()).isEqualTo(1);
        assertThat(stored("r").errorCount()).isEqualTo(1);
    }

    @Test
    void aReportFromAnotherIncarnationOrANodeNotTargetedIsRefused() {
        put(job("r", "@every 10s"), T0);
        long runId = planRun("r", T0.plusSeconds(10), T0.plusSeconds(20), N1);

        String wrongIncarnation = verdict(report(new Target("n1", "inc-0"),
                finished("r", runId, 1, T0.plusSeconds(10), T0.plusSeconds(11), true, "")));
        String wrongNode = verdict(report(N2, finished("r", runId, 1, T0.plusSeconds(10), T0.plusSeconds(11), true, "")));
        String wrongAttempt = verdict(report(N1, finished("r", runId, 2, T0.plusSeconds(10), T0.plusSeconds(11), true,
                "")));

        assertThat(wrongIncarnation).startsWith("refused").contains("incarnation");
        assertThat(wrongNode).startsWith("refused");
        assertThat(wrongAttempt).startsWith("refused");
        assertThat(view().run("r", runId).orElseThrow().slots().get(0).state()).isEqualTo(Run.SlotState.PLANNED);
        assertThat(view().executions("r", 10)).isEmpty();
        assertThat(stored("r").successCount()).isZero();
    }

    @Test
    void aReportForAnAttemptClosedByLoseAttemptsIsFinal() {
        put(job("r", "@every 10s"), T0);
        long runId = planRun("r", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        Instant started = T0.plusSeconds(10);
        report(N1, started("r", runId, 1, started));

        Reply lost = apply(new Command.LoseAttempts(T0.plusSeconds(20),
                List.of(new Command.AttemptRef("r", runId, 1, "n1")), "left the view"));
        assertThat(lost.value().get("closed").asInt()).isEqualTo(1);

        byte[] key = Keys.execution("r", runId, 1, "n1");
        Execution e = view().execution(key).orElseThrow();
        assertThat(e.success()).isFalse();
        assertThat(e.startedAt()).isEqualTo(started);
        assertThat(e.finishedAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(view().output(key).orElseThrow()).contains("member lost").contains("left the view");
        assertThat(view().openRuns()).isEmpty();
        assertThat(stored("r").status()).isEqualTo(Execution.FAILED);

        // the member was only cut off: its late success changes nothing
        assertThat(verdict(report(N1, finished("r", runId, 1, started, T0.plusSeconds(21), true, "ok"))))
                .isEqualTo("final");
        assertThat(view().execution(key).orElseThrow().success()).isFalse();
        assertThat(stored("r").successCount()).isZero();
        assertThat(stored("r").errorCount()).isEqualTo(1);

        // a second verdict for the same attempt closes nothing
        assertThat(apply(new Command.LoseAttempts(T0.plusSeconds(22),
                List.of(new Command.AttemptRef("r", runId, 1, "n1")), "again")).value().get("closed").asInt()).isZero();
    }

    @Test
    void aLostAttemptOfAJobWithRetriesWaitsForARetryAndALateReportIsFinal() {
        put(with(job("r", "@every 10s"), "retries", 1), T0);
        long runId = planRun("r", T0.plusSeconds(10), T0.plusSeconds(20), N1);

        apply(new Command.LoseAttempts(T0.plusSeconds(20), List.of(new Command.AttemptRef("r", runId, 1, "n1")),
                "left the view"));

        assertThat(view().run("r", runId).orElseThrow().slots().get(0).state()).isEqualTo(Run.SlotState.RETRY_WAIT);
        assertThat(view().pendingRetries()).singleElement().satisfies(p -> assertThat(p.attempt()).isEqualTo(2));
        assertThat(verdict(report(N1, finished("r", runId, 1, T0.plusSeconds(10), T0.plusSeconds(21), true, ""))))
                .isEqualTo("final");
        assertThat(stored("r").successCount()).isZero();
    }

    // ---- retries ----------------------------------------------------------------------------------------

    @Test
    void aFailingJobIsRetriedFromPendingRecordsUntilItsRetriesAreUsedUp() {
        put(with(job("flaky", "@every 1m"), "retries", 2), T0);
        long runId = planRun("flaky", T0.plusSeconds(60), T0.plusSeconds(120), N1);

        Instant started = T0.plusSeconds(60);
        Instant finished = started.plusSeconds(2);
        report(N1, started("flaky", runId, 1, started));
        report(N1, finished("flaky", runId, 1, started, finished, false, "attempt 1 failed"));

        PendingRetry first = view().pendingRetries().stream().collect(single());
        assertThat(first.job()).isEqualTo("flaky");
        assertThat(first.runId()).isEqualTo(runId);
        assertThat(first.node()).isEqualTo("n1");
        assertThat(first.attempt()).isEqualTo(2);
        assertThat(first.notBefore()).isAfter(finished)
                .isEqualTo(finished.plus(RetryBackoff.after(null, runId, 1, Duration.ofSeconds(2))));
        Run waiting = view().run("flaky", runId).orElseThrow();
        assertThat(waiting.slots().get(0).state()).isEqualTo(Run.SlotState.RETRY_WAIT);
        assertThat(stored("flaky").errorCount()).isEqualTo(1);
        assertThat(stored("flaky").status()).isNotEqualTo(Execution.FAILED);

        // the leader carries the retry out: exactly once
        JsonNode accepted = planRetry(first, N1);
        assertThat(accepted.get("accepted").asBoolean()).isTrue();
        JsonNode again = planRetry(first, N1);
        assertThat(again.get("accepted").asBoolean()).isFalse();
        assertThat(view().pendingRetries()).isEmpty();
        Run.Slot slot = view().run("flaky", runId).orElseThrow().slots().get(0);
        assertThat(slot.attempt()).isEqualTo(2);
        assertThat(slot.state()).isEqualTo(Run.SlotState.PLANNED);
        assertThat(slot.notBefore()).isEqualTo(first.notBefore());

        // attempt 2 fails
        Instant s2 = first.notBefore();
        report(N1, finished("flaky", runId, 2, s2, s2.plusSeconds(1), false, "attempt 2 failed"));
        PendingRetry second = view().pendingRetries().stream().collect(single());
        assertThat(second.attempt()).isEqualTo(3);
        assertThat(second.notBefore()).isAfter(s2.plusSeconds(1));
        assertThat(planRetry(second, N1).get("accepted").asBoolean()).isTrue();

        // attempt 3 fails: that was the last
        Instant s3 = second.notBefore();
        report(N1, finished("flaky", runId, 3, s3, s3.plusSeconds(1), false, "attempt 3 failed"));

        assertThat(view().pendingRetries()).isEmpty();
        assertThat(view().openRuns()).isEmpty();
        Job job = stored("flaky");
        assertThat(job.status()).isEqualTo(Execution.FAILED);
        assertThat(job.errorCount()).isEqualTo(3);
        assertThat(job.successCount()).isZero();
        assertThat(view().executions("flaky", 10)).extracting(Execution::attempt).containsExactly(3, 2, 1);
        assertThat(view().executions("flaky", 10)).allSatisfy(e -> assertThat(e.success()).isFalse());
        assertThat(planRetry(second, N1).get("accepted").asBoolean()).isFalse();
    }

    @Test
    void aRetryThatSucceedsEndsTheRunSuccessfully() {
        put(with(job("flaky", "@every 1m"), "retries", 3), T0);
        long runId = planRun("flaky", T0.plusSeconds(60), T0.plusSeconds(120), N1);
        report(N1, finished("flaky", runId, 1, T0.plusSeconds(60), T0.plusSeconds(61), false, "no"));
        PendingRetry p = view().pendingRetries().get(0);

        // the retry may go to another member
        planRetry(p, N2);
        assertThat(verdict(report(N2, finished("flaky", runId, 2, p.notBefore(), p.notBefore().plusSeconds(1), true,
                "yes")))).isEqualTo("accepted");

        assertThat(view().openRuns()).isEmpty();
        assertThat(view().pendingRetries()).isEmpty();
        assertThat(stored("flaky").status()).isEqualTo(Execution.SUCCEEDED);
        assertThat(stored("flaky").successCount()).isEqualTo(1);
        assertThat(stored("flaky").errorCount()).isEqualTo(1);
    }

    @Test
    void aRefusedRetryPlanDoesNotStrandTheRun() {
        put(with(job("flaky", "@every 1m"), "retries", 1), T0);
        long runId = planRun("flaky", T0.plusSeconds(60), T0.plusSeconds(120), N1);
        report(N1, finished("flaky", runId, 1, T0.plusSeconds(60), T0.plusSeconds(61), false, "no"));
        PendingRetry p = view().pendingRetries().get(0);

        JsonNode v = planRetry(p, null);

        assertThat(v.get("accepted").asBoolean()).isFalse();
        // Either the pending record survives (so the leader can plan it again) or the run is closed; an open
        // run in RETRY_WAIT with no pending record is never carried out by anyone.
        boolean stranded = view().pendingRetries().isEmpty() && !view().openRuns().isEmpty();
        assertThat(stranded).as("run left in RETRY_WAIT without a pending retry").isFalse();
    }

    // ---- retention --------------------------------------------------------------------------------------

    @Test
    void retentionKeepsTheNewestExecutionsAndCutsOlderOutputsToTheirTail() {
        ClusterSettings settings = new ClusterSettings("UTC", 5, 2, 1024, 100);
        assertThat(apply(new Command.InitCluster(T0, settings)).ok()).isTrue();
        put(job("kept", "@every 10s"), T0);

        List<Long> runIds = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            Instant s = T0.plusSeconds(10L * i);
            long runId = planRun("kept", s, s.plusSeconds(10), N1);
            String out = ("run " + i + " ").repeat(1) + "x".repeat(490) + " end of run " + i;
            report(N1, started("kept", runId, 1, s));
            report(N1, finished("kept", runId, 1, s, s.plusSeconds(1), true, out));
            runIds.add(runId);
            outputs.add(out);
        }

        List<Execution> executions = view().executions("kept", 100);
        assertThat(executions).extracting(Execution::group)
                .containsExactly(runIds.get(7), runIds.get(6), runIds.get(5), runIds.get(4), runIds.get(3));
        for (int i = 0; i < 3; i++) {
            byte[] evicted = Keys.execution("kept", runIds.get(i), 1, "n1");
            assertThat(view().execution(evicted)).isEmpty();
            assertThat(view().output(evicted)).isEmpty();
        }
        for (int i = 6; i < 8; i++) {
            assertThat(view().output(Keys.execution("kept", runIds.get(i), 1, "n1"))).contains(outputs.get(i));
        }
        for (int i = 3; i < 6; i++) {
            String out = outputs.get(i);
            String kept = view().output(Keys.execution("kept", runIds.get(i), 1, "n1")).orElseThrow();
            assertThat(kept).startsWith("[hibachi: output truncated")
                    .endsWith(out.substring(out.length() - 100))
                    .isEqualTo(OutputTail.marker(out.length() - 100) + out.substring(out.length() - 100));
        }
        assertThat(stored("kept").successCount()).isEqualTo(8);
    }

    @Test
    void outputOverOutputBytesIsCutWithTheMarker() {
        apply(new Command.InitCluster(T0, new ClusterSettings("UTC", 10, 10, 1024, 100)));
        put(job("loud", "@every 10s"), T0);
        long runId = planRun("loud", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 3000; i++) {
            sb.append("line ").append(i).append('\n');
        }
        String out = sb.substring(0, 3000);

        report(N1, finished("loud", runId, 1, T0.plusSeconds(10), T0.plusSeconds(11), true, out));

        String kept = view().output(Keys.execution("loud", runId, 1, "n1")).orElseThrow();
        assertThat(kept).startsWith("[hibachi: output truncated, 1976 earlier bytes dropped]")
                .endsWith(out.substring(3000 - 1024));
        assertThat(kept).isEqualTo(OutputTail.marker(1976) + out.substring(3000 - 1024));
    }

    @Test
    void theFirstInitClusterWinsAndBadSettingsAreRefused() {
        assertThat(apply(new Command.InitCluster(T0, new ClusterSettings("Mars/Base", 5, 2, 1024, 100))).field())
                .isEqualTo("default_zone");
        assertThat(apply(new Command.InitCluster(T0, new ClusterSettings("UTC", 0, 2, 1024, 100))).ok()).isFalse();
        assertThat(view().settings()).isEmpty();

        ClusterSettings first = new ClusterSettings("Europe/Berlin", 5, 2, 1024, 100);
        apply(new Command.InitCluster(T0, first));
        Reply second = apply(new Command.InitCluster(T0, ClusterSettings.defaults("UTC")));
        assertThat(second.ok()).isTrue();
        assertThat(second.valueAs(ClusterSettings.class)).isEqualTo(first);
        assertThat(view().settings()).contains(first);

        // timezone "" means the cluster's zone: midnight in Berlin
        put(job("daily", "@daily"), T0);
        assertThat(stored("daily").next()).isEqualTo(Instant.parse("2024-03-01T23:00:00Z"));
    }

    @Test
    void anOutputWrittenForAnOlderRunIsCutToItsTailToo() {
        apply(new Command.InitCluster(T0, new ClusterSettings("UTC", 10, 2, 1024, 100)));
        put(with(job("slow", "@every 10s"), "concurrency", "allow"), T0);
        String out = "y".repeat(600);
        long first = planRun("slow", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        List<Long> later = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
            Instant s = T0.plusSeconds(10L * i);
            long runId = planRun("slow", s, s.plusSeconds(10), N1);
            report(N1, finished("slow", runId, 1, s, s.plusSeconds(1), true, out));
            later.add(runId);
        }
        // the first run is long: it ends after the three newer ones
        report(N1, finished("slow", first, 1, T0.plusSeconds(10), T0.plusSeconds(60), true, out));

        String kept = view().output(Keys.execution("slow", first, 1, "n1")).orElseThrow();
        assertThat(kept).startsWith("[hibachi: output truncated");
    }

    // ---- history ----------------------------------------------------------------------------------------

    @Test
    void deleteExecutionsClearsHistoryAndResetsCounters() {
        put(job("h", "@every 10s"), T0);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Instant s = T0.plusSeconds(10L * i);
            long runId = planRun("h", s, s.plusSeconds(10), N1);
            report(N1, finished("h", runId, 1, s, s.plusSeconds(1), i != 2, "out " + i));
            keys.add(Keys.execution("h", runId, 1, "n1"));
        }
        assertThat(stored("h").successCount()).isEqualTo(2);
        assertThat(stored("h").errorCount()).isEqualTo(1);

        Reply r = apply(new Command.DeleteExecutions(T0.plusSeconds(100), "h"));

        assertThat(r.ok()).isTrue();
        assertThat(view().executions("h", 10)).isEmpty();
        keys.forEach(k -> assertThat(view().output(k)).isEmpty());
        Job job = stored("h");
        assertThat(job.successCount()).isZero();
        assertThat(job.errorCount()).isZero();
        assertThat(job.lastSuccess()).isNull();
        assertThat(job.lastError()).isNull();
        assertThat(job.status()).isEmpty();
        // the schedule itself is untouched
        assertThat(job.next()).isEqualTo(T0.plusSeconds(40));
        assertThat(apply(new Command.DeleteExecutions(T0, "nope")).status()).isEqualTo(404);
    }

    @Test
    void completePendingRemovesDerivedRecordsButNeverOpenRuns() {
        put(with(job("c", "@every 10s"), "retries", 1), T0);
        long runId = planRun("c", T0.plusSeconds(10), T0.plusSeconds(20), N1);
        String runKey = Keys.run("c", runId);

        Reply r = apply(new Command.CompletePending(T0.plusSeconds(11), List.of(runKey, "retry/none")));

        assertThat(r.value().get("completed").asInt()).isZero();
        assertThat(view().openRuns()).hasSize(1);
    }

    // ---- determinism ------------------------------------------------------------------------------------

    @Nested
    class Determinism {
        @TempDir
        Path other;

        @Test
        void theSameEntriesGiveByteForByteTheSameStore() {
            List<byte[]> entries = new ArrayList<>();
            int accepted = mixedWorkload(new Random(20240301L), 60, entries);
            assertThat(accepted).as("commands accepted (a workload of refusals proves little)").isGreaterThan(35);

            try (JobDatabase replica = JobDatabase.open(other.resolve("replica"))) {
                List<StoreEvent> replicaEvents = new ArrayList<>();
                Applier second = new Applier(replica, replicaEvents::add);
                long i = 0;
                for (byte[] entry : entries) {
                    second.apply(1, ++i, entry);
                }

                var expected = dump(db);
                var actual = dump(replica);
                for (Family f : Family.values()) {
                    assertThat(actual.get(f)).as(f.name()).containsExactlyElementsOf(expected.get(f));
                }
                assertThat(replicaEvents).isEqualTo(events);
            }
            // the workload reached the interesting corners
            StoreView v = view();
            assertThat(v.jobs(null, 100)).isNotEmpty();
            assertThat(v.jobs(null, 100).stream().mapToLong(j -> v.executions(j.name(), 100).size()).sum()).isPositive();
            assertThat(v.jobs(null, 100).stream().mapToLong(j -> v.misses(j.name(), 100).size()).sum()).isPositive();
        }

        /** Builds commands from the state of the first store, applies them to it and records the bytes. */
        private int mixedWorkload(Random rnd, int count, List<byte[]> entries) {
            List<String> names = List.of("alpha", "beta", "gamma", "delta");
            List<Target> members = List.of(N1, N2, N3);
            int ok = 0;
            for (int step = 0; step < count; step++) {
                Instant now = T0.plusSeconds(10L * step);
                StoreView v = view();
                List<Job> jobs = v.jobs(null, 100);
                List<Run> open = v.openRuns();
                List<PendingRetry> retries = v.pendingRetries();
                int op = step == 0 ? -1 : step < 5 ? 0 : rnd.nextInt(10);
                Command c;
                byte[] bytes = null;
                if (op == -1) {
                    c = new Command.InitCluster(now, new ClusterSettings("UTC", 4, 2, 1024, 50));
                } else if (op == 0 || jobs.isEmpty()) {
                    String name = names.get(rnd.nextInt(names.size()));
                    Job j = with(job(name, rnd.nextBoolean() ? "@every 10s" : "*/30 * * * * *"),
                            Map.of("retries", rnd.nextInt(3), "metadata", Map.of("step", "" + step),
                                    "concurrency", rnd.nextBoolean() ? "forbid" : "allow",
                                    "ephemeral", rnd.nextInt(5) == 0, "expected_duration", "5s"));
                    if (rnd.nextInt(4) == 0 && !jobs.isEmpty()) {
                        j = with(j, "parent_job", jobs.get(rnd.nextInt(jobs.size())).name());
                    }
                    c = new Command.PutJob(now, j);
                } else if (op <= 3) {
                    Job j = jobs.get(rnd.nextInt(jobs.size()));
                    JobClock clock = v.clock(j.name()).orElseThrow();
                    Instant at = (clock.lastPlannedAt().isAfter(now) ? clock.lastPlannedAt() : now).plusSeconds(10);
                    List<Target> targets = new ArrayList<>(members.subList(0, rnd.nextInt(members.size() + 1)));
                    List<MissedSpan> misses = rnd.nextInt(3) == 0
                            ? List.of(new MissedSpan(j.name(), at.minusSeconds(30), at.minusSeconds(10), 3, "misfire",
                            now)) : List.of();
                    c = new Command.PlanRuns(now, List.of(new Command.PlannedRun(j.name(), clock.revision(), at,
                            at.plusSeconds(10), j.isChild() ? Run.Trigger.MANUAL : Run.Trigger.SCHEDULE, targets,
                            targets.isEmpty() ? "nobody" : null)), misses);
                } else if (op <= 6 && !open.isEmpty()) {
                    Run run = open.get(rnd.nextInt(open.size()));
                    Run.Slot slot = run.slots().get(rnd.nextInt(run.slots().size()));
                    String out = "o".repeat(rnd.nextInt(2500)) + " step " + step;
                    AttemptReport r = rnd.nextInt(4) == 0
                            ? new AttemptReport(run.job(), run.runId(), slot.attempt(), AttemptReport.Phase.STARTED,
                            now, null, false, 0, null, false)
                            : new AttemptReport(run.job(), run.runId(), slot.attempt(), AttemptReport.Phase.FINISHED,
                            now.minusSeconds(3), now, rnd.nextBoolean(), rnd.nextInt(2), out, false);
                    c = new Command.ReportAttempts(now, slot.target().node(), slot.target().incarnation(), List.of(r));
                } else if (op == 7 && !retries.isEmpty()) {
                    PendingRetry p = retries.get(rnd.nextInt(retries.size()));
                    c = new Command.PlanRetries(now, List.of(new Command.RetryPlan(p.key(), p.job(), p.runId(),
                            p.node(), p.attempt(), members.get(rnd.nextInt(members.size())))));
                } else if (op == 8 && !open.isEmpty() && rnd.nextBoolean()) {
                    Run run = open.get(rnd.nextInt(open.size()));
                    Run.Slot slot = run.slots().get(0);
                    c = switch (rnd.nextInt(3)) {
                        case 0 -> new Command.RequestKill(now, run.job(), run.runId(), slot.attempt(),
                                slot.target().node(), "user-" + step);
                        case 1 -> new Command.SkipQueuedRuns(now, List.of(new Command.RunRef(run.job(), run.runId())));
                        default -> new Command.FlagOverdue(now, List.of(new Command.AttemptRef(run.job(), run.runId(),
                                slot.attempt(), slot.target().node())));
                    };
                } else if (op == 7 && retries.isEmpty() && !v.pendingChildren().isEmpty()) {
                    var child = v.pendingChildren().get(0);
                    c = new Command.PlanRuns(now, List.of(new Command.PlannedRun(child.job(), 0, now, null,
                            Run.Trigger.CHILD, List.of(members.get(rnd.nextInt(members.size()))), null,
                            child.parentRunId(), child.key())), List.of());
                } else if (op == 9 && !v.pendingDeletes().isEmpty()) {
                    var d = v.pendingDeletes().get(0);
                    c = new Command.DeleteJob(now, d.job(), d.key());
                } else if (op == 8 && !open.isEmpty()) {
                    Run run = open.get(rnd.nextInt(open.size()));
                    Run.Slot slot = run.slots().get(0);
                    c = new Command.LoseAttempts(now, List.of(new Command.AttemptRef(run.job(), run.runId(),
                            slot.attempt(), slot.target().node())), "gone");
                } else {
                    Job j = jobs.get(rnd.nextInt(jobs.size()));
                    c = switch (rnd.nextInt(4)) {
                        case 0 -> new Command.ToggleJob(now, j.name());
                        case 1 -> new Command.DeleteExecutions(now, j.name());
                        case 2 -> new Command.DeleteJob(now, j.name());
                        default -> null;
                    };
                    if (c == null) {
                        bytes = new byte[]{1, 0, '{', '}'};
                    }
                }
                if (bytes == null) {
                    bytes = CommandCodec.encode(c);
                }
                entries.add(bytes);
                if (applier.apply(1, ++index, bytes).ok()) {
                    ok++;
                }
            }
            return ok;
        }
    }

}
