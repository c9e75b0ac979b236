package dev.hibachi.store.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.PendingChild;
import dev.hibachi.store.model.PendingDelete;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.model.Target;
import dev.hibachi.store.rocks.Keys;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The job semantics decided in the log (issue: chains, retries, forbid, misfire, kill, one-offs), each driven
 * through encoded commands against a real RocksDB store, with the failure Dkron users report written as
 * the thing that must not happen.
 */
class JobSemanticsApplierTest extends ApplierFixture {

    <T extends StoreEvent> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    long finish(String job, long runId, int attempt, Target on, Instant started, Instant finished, boolean ok) {
        report(on, started(job, runId, attempt, started), finished(job, runId, attempt, started, finished, ok, "out"));
        return runId;
    }

    JsonNode manualRun(String job, Instant at, Target... targets) {
        Reply r = apply(new Command.PlanRuns(at, List.of(new Command.PlannedRun(job, 0, at, null, Run.Trigger.MANUAL,
                List.of(targets), null)), List.of()));
        return r.value().get("runs").get(0);
    }

    JsonNode childRun(PendingChild pending, Instant at, Target... targets) {
        Reply r = apply(new Command.PlanRuns(at, List.of(new Command.PlannedRun(pending.job(), 0, at, null,
                Run.Trigger.CHILD, List.of(targets), null, pending.parentRunId(), pending.key())), List.of()));
        assertThat(r.ok()).isTrue();
        return r.value().get("runs").get(0);
    }

    @Nested
    class Forbid {
        @Test
        void aTickPlannedWhileTheRunBeforeIsOpenIsQueuedAndSkippedAtItsInstantIntoOneGrowingSpan() {
            put(with(job("sync", "@every 1s"), "concurrency", "forbid"), T0);
            long first = planRun("sync", T0.plusSeconds(1), T0.plusSeconds(2), N1);
            report(N1, started("sync", first, 1, T0.plusSeconds(1)));
            events.clear();

            JsonNode second = plan("sync", T0.plusSeconds(2), T0.plusSeconds(3), N1);
            assertThat(second.get("accepted").asBoolean()).isTrue();
            assertThat(second.get("queued").asBoolean()).isTrue();
            long secondId = second.get("run_id").asLong();
            // Queued: nothing is sent to a member, so no race can start it beside the first.
            assertThat(eventsOf(StoreEvent.AttemptPlanned.class)).isEmpty();
            assertThat(eventsOf(StoreEvent.RunQueued.class)).singleElement()
                    .satisfies(q -> assertThat(q.late()).isFalse());

            apply(new Command.SkipQueuedRuns(T0.plusSeconds(2), List.of(new Command.RunRef("sync", secondId))));
            long thirdId = plan("sync", T0.plusSeconds(3), T0.plusSeconds(4), N1).get("run_id").asLong();
            apply(new Command.SkipQueuedRuns(T0.plusSeconds(3), List.of(new Command.RunRef("sync", thirdId))));

            assertThat(view().run("sync", secondId)).isEmpty();
            assertThat(view().run("sync", thirdId)).isEmpty();
            MissedSpan span = view().misses("sync", 10).stream().collect(single());
            assertThat(span.kind()).isEqualTo(MissedSpan.SKIPPED);
            assertThat(span.blockedBy()).isEqualTo(first);
            assertThat(span.count()).isEqualTo(2);
            assertThat(span.from()).isEqualTo(T0.plusSeconds(2));
            assertThat(span.to()).isEqualTo(T0.plusSeconds(3));
            assertThat(span.reason()).contains("forbid").contains(Long.toString(first));
            assertThat(stored("sync").skippedCount()).isEqualTo(2);
            assertThat(stored("sync").missedCount()).isZero();
            assertThat(view().executions("sync", 10)).extracting(Execution::group).containsOnly(first);
            // One event per skipped instant (metrics count them), though the span merges them.
            assertThat(eventsOf(StoreEvent.RunsMissed.class))
                    .containsExactly(new StoreEvent.RunsMissed("sync", 1, MissedSpan.SKIPPED),
                            new StoreEvent.RunsMissed("sync", 1, MissedSpan.SKIPPED));
        }

        @Test
        void aQueuedRunGoesWhenTheRunBeforeEndsInTimeAndALateSkipLeavesItAlone() {
            put(with(job("sync", "@every 1s"), "concurrency", "forbid"), T0);
            long first = planRun("sync", T0.plusSeconds(1), T0.plusSeconds(2), N1);
            long second = plan("sync", T0.plusSeconds(2), T0.plusSeconds(3), N1).get("run_id").asLong();
            events.clear();

            finish("sync", first, 1, N1, T0.plusSeconds(1), T0.plusMillis(1500), true);

            StoreEvent.AttemptPlanned released = eventsOf(StoreEvent.AttemptPlanned.class).stream().collect(single());
            assertThat(released.runId()).isEqualTo(second);
            assertThat(released.notBefore()).isEqualTo(T0.plusSeconds(2));
            assertThat(view().run("sync", second).orElseThrow().isQueued()).isFalse();

            Reply skip = apply(new Command.SkipQueuedRuns(T0.plusSeconds(2), List.of(new Command.RunRef("sync", second))));
            assertThat(skip.value().get("skipped").asInt()).isZero();
            assertThat(view().run("sync", second)).isPresent();
            assertThat(view().misses("sync", 10)).isEmpty();
        }

        @Test
        void aManualRunOfARunningForbidJobIsRefusedWithTheReasonAndAllowJobsOverlap() {
            put(with(job("sync", "@every 1m"), "concurrency", "forbid"), T0);
            put(job("free", "@every 1m"), T0);
            long running = planRun("sync", T0.plusSeconds(60), T0.plusSeconds(120), N1);

            JsonNode refused = manualRun("sync", T0.plusSeconds(61), N1);
            assertThat(refused.get("accepted").asBoolean()).isFalse();
            assertThat(refused.get("reason").asText()).contains("still running").contains(Long.toString(running))
                    .contains("forbid");
            assertThat(view().openRuns("sync")).hasSize(1);

            planRun("free", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            JsonNode overlap = manualRun("free", T0.plusSeconds(61), N1);
            assertThat(overlap.get("accepted").asBoolean()).isTrue();
            assertThat(overlap.get("queued").asBoolean()).isFalse();
            assertThat(view().openRuns("free")).hasSize(2).noneMatch(Run::isQueued);
        }

        @Test
        void catchUpRunsQueueOneBehindTheOtherAndAreNeverSkipped() {
            put(with(job("sync", "@every 10s"), "concurrency", "forbid"), T0);
            Instant now = T0.plusSeconds(45);
            // A new leader catches up three missed instants in one entry.
            List<Command.PlannedRun> catchUp = Stream.of(10, 20, 30).map(s -> new Command.PlannedRun("sync",
                    revision("sync"), T0.plusSeconds(s), T0.plusSeconds(s + 10), Run.Trigger.SCHEDULE, List.of(N1),
                    null)).toList();
            JsonNode verdicts = apply(new Command.PlanRuns(now, catchUp, List.of())).value().get("runs");
            long[] ids = new long[3];
            for (int i = 0; i < 3; i++) {
                assertThat(verdicts.get(i).get("accepted").asBoolean()).isTrue();
                assertThat(verdicts.get(i).get("queued").asBoolean()).isEqualTo(i > 0);
                ids[i] = verdicts.get(i).get("run_id").asLong();
            }
            assertThat(eventsOf(StoreEvent.RunQueued.class)).hasSize(2).allMatch(StoreEvent.RunQueued::late);
            apply(new Command.SkipQueuedRuns(now, List.of(new Command.RunRef("sync", ids[1]))));
            assertThat(view().run("sync", ids[1])).isPresent();

            events.clear();
            finish("sync", ids[0], 1, N1, now, now.plusSeconds(1), true);
            assertThat(eventsOf(StoreEvent.AttemptPlanned.class)).extracting(StoreEvent.AttemptPlanned::runId)
                    .containsExactly(ids[1]);
            events.clear();
            finish("sync", ids[1], 1, N1, now.plusSeconds(1), now.plusSeconds(2), false);
            assertThat(eventsOf(StoreEvent.AttemptPlanned.class)).extracting(StoreEvent.AttemptPlanned::runId)
                    .containsExactly(ids[2]);
            assertThat(view().misses("sync", 10)).isEmpty();
        }
    }

    @Nested
    class Children {
        @Test
        void aParentThatRanOnThreeMembersGivesItsChildExactlyOneRun() {
            put(job("parent", "@every 1m"), T0);
            put(with(job("child", ""), "parent_job", "parent"), T0);
            long run = planRun("parent", T0.plusSeconds(60), T0.plusSeconds(120), N1, N2, N3);

            finish("parent", run, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), true);
            finish("parent", run, 1, N2, T0.plusSeconds(60), T0.plusSeconds(62), true);
            assertThat(view().pendingChildren()).isEmpty(); // not before the run is over
            finish("parent", run, 1, N3, T0.plusSeconds(60), T0.plusSeconds(63), true);

            PendingChild pending = view().pendingChildren().stream().collect(single());
            assertThat(pending.job()).isEqualTo("child");
            assertThat(pending.parentRunId()).isEqualTo(run);
            assertThat(eventsOf(StoreEvent.ChildPending.class)).hasSize(1);

            JsonNode first = childRun(pending, T0.plusSeconds(64), N2);
            assertThat(first.get("accepted").asBoolean()).isTrue();
            JsonNode again = childRun(pending, T0.plusSeconds(65), N2);
            assertThat(again.get("accepted").asBoolean()).isFalse();
            assertThat(again.get("reason").asText()).contains("already planned");
            Run childRun = view().openRuns("child").stream().collect(single());
            assertThat(childRun.trigger()).isEqualTo(Run.Trigger.CHILD);
            assertThat(childRun.parentRunId()).isEqualTo(run);
            assertThat(view().pendingChildren()).isEmpty();
        }

        @Test
        void noChildRunWhenATargetFailedOrBeforeTheFinalAttempt() {
            put(with(job("parent", "@every 1m"), "retries", 1), T0);
            put(with(job("child", ""), "parent_job", "parent"), T0);
            long partial = planRun("parent", T0.plusSeconds(60), T0.plusSeconds(120), N1, N2);
            finish("parent", partial, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), true);
            finish("parent", partial, 1, N2, T0.plusSeconds(60), T0.plusSeconds(61), false);
            assertThat(view().pendingChildren()).as("a failed attempt with a retry left").isEmpty();
            PendingRetry retry = view().pendingRetries().stream().collect(single());
            planRetry(retry, N2);
            finish("parent", partial, 2, N2, retry.notBefore(), retry.notBefore().plusSeconds(1), false);
            assertThat(view().run("parent", partial)).isEmpty();
            assertThat(view().pendingChildren()).as("partially failed").isEmpty();

            long retried = planRun("parent", T0.plusSeconds(120), T0.plusSeconds(180), N1);
            finish("parent", retried, 1, N1, T0.plusSeconds(120), T0.plusSeconds(121), false);
            assertThat(view().pendingChildren()).isEmpty();
            PendingRetry second = view().pendingRetries().stream().collect(single());
            planRetry(second, N1);
            finish("parent", retried, 2, N1, second.notBefore(), second.notBefore().plusSeconds(1), true);
            assertThat(view().pendingChildren()).singleElement()
                    .satisfies(p -> assertThat(p.parentRunId()).isEqualTo(retried));
        }

        @Test
        void aDisabledChildConsumesItsPendingRunAsASkip() {
            put(job("parent", "@every 1m"), T0);
            put(with(with(job("child", ""), "parent_job", "parent"), "disabled", true), T0);
            long run = planRun("parent", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            finish("parent", run, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), true);
            PendingChild pending = view().pendingChildren().stream().collect(single());

            JsonNode v = childRun(pending, T0.plusSeconds(62), N1);
            assertThat(v.get("accepted").asBoolean()).isFalse();
            assertThat(view().pendingChildren()).isEmpty();
            assertThat(view().openRuns("child")).isEmpty();
            assertThat(view().misses("child", 10)).singleElement()
                    .satisfies(m -> assertThat(m.reason()).contains("disabled").contains(Long.toString(run)));
        }
    }

    @Nested
    class Ephemeral {
        @Test
        void aSuccessfulRunLeavesOnePendingDeleteThatDeletesTheJobOnce() {
            put(with(job("once", "@every 1m"), "ephemeral", true), T0);
            long failed = planRun("once", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            finish("once", failed, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), false);
            assertThat(view().pendingDeletes()).as("only a success deletes").isEmpty();

            long ok = planRun("once", T0.plusSeconds(120), T0.plusSeconds(180), N1);
            finish("once", ok, 1, N1, T0.plusSeconds(120), T0.plusSeconds(121), true);
            PendingDelete pending = view().pendingDeletes().stream().collect(single());
            assertThat(view().job("once")).isPresent();

            Reply deleted = apply(new Command.DeleteJob(T0.plusSeconds(122), "once", pending.key()));
            assertThat(deleted.ok()).isTrue();
            assertThat(deleted.value().get("deleted").asBoolean()).isTrue();
            assertThat(view().job("once")).isEmpty();
            assertThat(eventsOf(StoreEvent.JobDeleted.class)).hasSize(1);

            // A new job of the same name, then a repeat of the delete (a new leader resuming): nothing happens.
            put(with(job("once", "@every 1m"), "ephemeral", true), T0.plusSeconds(130));
            Reply repeat = apply(new Command.DeleteJob(T0.plusSeconds(131), "once", pending.key()));
            assertThat(repeat.ok()).isFalse();
            assertThat(repeat.status()).isEqualTo(409);
            assertThat(view().job("once")).isPresent();
            assertThat(eventsOf(StoreEvent.JobDeleted.class)).hasSize(1);
        }

        @Test
        void aJobRedefinedAfterItsRunIsNotDeleted() {
            put(with(job("once", "@every 1m"), "ephemeral", true), T0);
            long ok = planRun("once", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            finish("once", ok, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), true);
            PendingDelete pending = view().pendingDeletes().stream().collect(single());
            put(with(job("once", "@every 2m"), "ephemeral", true), T0.plusSeconds(62));

            Reply r = apply(new Command.DeleteJob(T0.plusSeconds(63), "once", pending.key()));
            assertThat(r.ok()).isTrue();
            assertThat(r.value().get("deleted").asBoolean()).isFalse();
            assertThat(r.value().get("reason").asText()).contains("redefined");
            assertThat(view().job("once")).isPresent();
            assertThat(view().pendingDeletes()).isEmpty();
        }
    }

    @Nested
    class Kill {
        @Test
        void aKilledAttemptIsRecordedKilledWithWhoAskedAndIsNotRetried() {
            put(with(job("long", "@every 1m"), "retries", 3), T0);
            long run = planRun("long", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            report(N1, started("long", run, 1, T0.plusSeconds(60)));
            events.clear();

            Reply r = apply(new Command.RequestKill(T0.plusSeconds(65), "long", run, 1, "n1", "alice"));
            assertThat(r.ok()).isTrue();
            assertThat(r.value().get("outcome").asText()).isEqualTo("kill requested");
            StoreEvent.KillRequested k = eventsOf(StoreEvent.KillRequested.class).stream().collect(single());
            assertThat(k.target()).isEqualTo(N1);
            assertThat(k.by()).isEqualTo("alice");
            Reply again = apply(new Command.RequestKill(T0.plusSeconds(66), "long", run, 1, "n1", "bob"));
            assertThat(again.value().get("outcome").asText()).contains("already requested by alice");

            finish("long", run, 1, N1, T0.plusSeconds(60), T0.plusSeconds(67), false);
            Execution ex = view().executions("long", 10).stream().collect(single());
            assertThat(ex.status()).isEqualTo(Execution.KILLED);
            assertThat(ex.killedBy()).isEqualTo("alice");
            assertThat(ex.success()).isFalse();
            assertThat(view().pendingRetries()).isEmpty();
            assertThat(view().run("long", run)).isEmpty();

            Reply late = apply(new Command.RequestKill(T0.plusSeconds(68), "long", run, 1, "n1", "alice"));
            assertThat(late.status()).isEqualTo(409);
            Reply unknown = apply(new Command.RequestKill(T0.plusSeconds(68), "long", run + 1, 1, "n1", "alice"));
            assertThat(unknown.status()).isEqualTo(404);
        }

        @Test
        void aKillThatCameTooLateLeavesTheSuccessAlone() {
            put(job("quick", "@every 1m"), T0);
            long run = planRun("quick", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            apply(new Command.RequestKill(T0.plusSeconds(60), "quick", run, 1, "n1", "alice"));
            finish("quick", run, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), true);
            assertThat(view().executions("quick", 10)).singleElement().satisfies(ex -> {
                assertThat(ex.status()).isEqualTo(Execution.SUCCEEDED);
                assertThat(ex.killedBy()).isNull();
            });
            assertThat(stored("quick").successCount()).isEqualTo(1);
        }

        @Test
        void killingAnAttemptThatWaitsForItsRetryCancelsTheRetries() {
            put(with(job("flaky", "@every 1m"), "retries", 3), T0);
            long run = planRun("flaky", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            finish("flaky", run, 1, N1, T0.plusSeconds(60), T0.plusSeconds(61), false);
            PendingRetry retry = view().pendingRetries().stream().collect(single());
            events.clear();

            Reply r = apply(new Command.RequestKill(T0.plusSeconds(62), "flaky", run, 1, "n1", "alice"));
            assertThat(r.value().get("outcome").asText()).isEqualTo("retries cancelled");
            assertThat(view().pendingRetries()).isEmpty();
            assertThat(view().run("flaky", run)).isEmpty();
            assertThat(eventsOf(StoreEvent.PendingCompleted.class)).extracting(StoreEvent.PendingCompleted::key)
                    .contains(retry.key());
            assertThat(stored("flaky").status()).isEqualTo(Execution.FAILED);
        }

        @Test
        void killingAQueuedRunClosesItAtOnceAndNothingIsSent() {
            put(with(job("sync", "@every 1s"), "concurrency", "forbid"), T0);
            planRun("sync", T0.plusSeconds(1), T0.plusSeconds(2), N1);
            long queued = plan("sync", T0.plusSeconds(2), T0.plusSeconds(3), N1).get("run_id").asLong();
            events.clear();

            Reply r = apply(new Command.RequestKill(T0.plusMillis(1500), "sync", queued, 1, "n1", "alice"));
            assertThat(r.value().get("outcome").asText()).contains("before it started");
            assertThat(view().run("sync", queued)).isEmpty();
            assertThat(eventsOf(StoreEvent.KillRequested.class)).isEmpty();
            assertThat(view().execution(Keys.execution("sync", queued, 1, "n1"))).get()
                    .satisfies(ex -> assertThat(ex.killedBy()).isEqualTo("alice"));
        }
    }

    @Nested
    class Overdue {
        @Test
        void aRunningAttemptPastItsExpectedDurationIsFlaggedOnce() {
            put(with(job("etl", "@every 1h"), "expected_duration", "10m"), T0);
            long run = planRun("etl", T0.plusSeconds(3600), T0.plusSeconds(7200), N1);
            report(N1, started("etl", run, 1, T0.plusSeconds(3600)));
            events.clear();
            Command.AttemptRef ref = new Command.AttemptRef("etl", run, 1, "n1");

            Reply r = apply(new Command.FlagOverdue(T0.plusSeconds(4200), List.of(ref)));
            assertThat(r.value().get("flagged").asInt()).isEqualTo(1);
            StoreEvent.AttemptOverdue o = eventsOf(StoreEvent.AttemptOverdue.class).stream().collect(single());
            assertThat(o.expected()).isEqualTo(Duration.ofMinutes(10));
            assertThat(apply(new Command.FlagOverdue(T0.plusSeconds(4201), List.of(ref))).value().get("flagged")
                    .asInt()).isZero();

            finish("etl", run, 1, N1, T0.plusSeconds(3600), T0.plusSeconds(4300), true);
            Execution done = view().executions("etl", 10).stream().collect(single());
            assertThat(done.overdue()).isTrue();
            assertThat(done.success()).isTrue();
            assertThat(apply(new Command.FlagOverdue(T0.plusSeconds(4400), List.of(ref))).value().get("flagged")
                    .asInt()).isZero();
        }
    }

    @Nested
    class Misses {
        @Test
        void missedSpansCountOnTheJobAndDeletingTheHistoryResetsThem() {
            put(job("tick", "@every 10s"), T0);
            apply(new Command.PlanRuns(T0.plusSeconds(200), List.of(), List.of(
                    new MissedSpan("tick", T0.plusSeconds(10), T0.plusSeconds(130), 13, "misfire", T0.plusSeconds(200)))));
            assertThat(stored("tick").missedCount()).isEqualTo(13);
            assertThat(eventsOf(StoreEvent.RunsMissed.class))
                    .containsExactly(new StoreEvent.RunsMissed("tick", 13, MissedSpan.MISSED));
            assertThat(view().misses("tick", 10)).singleElement()
                    .satisfies(m -> assertThat(m.kind()).isEqualTo(MissedSpan.MISSED));

            apply(new Command.DeleteExecutions(T0.plusSeconds(201), "tick"));
            assertThat(stored("tick").missedCount()).isZero();
            assertThat(view().misses("tick", 10)).isEmpty();
        }

        @Test
        void missRecordsAreCappedPerJob() {
            put(with(job("sync", "@every 1s"), "concurrency", "forbid"), T0);
            for (int i = 1; i <= Applier.MISSES_KEPT + 5; i++) {
                apply(new Command.PlanRuns(T0.plusSeconds(i), List.of(), List.of(new MissedSpan("sync",
                        T0.plusSeconds(i), T0.plusSeconds(i), 1, "misfire", T0.plusSeconds(i)))));
            }
            List<MissedSpan> kept = view().misses("sync", 1000);
            assertThat(kept).hasSize(Applier.MISSES_KEPT);
            assertThat(kept.get(0).from()).isEqualTo(T0.plusSeconds(Applier.MISSES_KEPT + 5));
            assertThat(stored("sync").missedCount()).isEqualTo(Applier.MISSES_KEPT + 5);
        }
    }

    @Test
    void aJobsOwnBackoffPacesItsRetriesExponentiallyWithSeededJitter() {
        put(with(job("flaky", "@every 1h"), Map.of("retries", 3,
                "retry_backoff", Map.of("initial", "10s", "multiplier", 3.0, "max", "1m"))), T0);
        long run = planRun("flaky", T0.plusSeconds(3600), T0.plusSeconds(7200), N1);
        Instant started = T0.plusSeconds(3600);
        long[] bases = {10, 30, 60};
        for (int attempt = 1; attempt <= 3; attempt++) {
            Instant failed = started.plusSeconds(1);
            finish("flaky", run, attempt, N1, started, failed, false);
            PendingRetry retry = view().pendingRetries().stream().collect(single());
            Duration wait = Duration.between(failed, retry.notBefore());
            assertThat(wait).as("wait before attempt %d", attempt + 1)
                    .isBetween(Duration.ofSeconds(bases[attempt - 1]), Duration.ofSeconds(bases[attempt - 1])
                            .multipliedBy(12).dividedBy(10));
            planRetry(retry, N1);
            started = retry.notBefore();
        }
    }

    @Test
    void startsAtAndExpiresAtBoundTheInstantsAJobHas() {
        Instant starts = T0.plusSeconds(3600);
        put(with(job("window", "@every 10m"), Map.of("starts_at", starts.toString(),
                "expires_at", starts.plusSeconds(1800).toString())), T0);
        assertThat(stored("window").next()).isEqualTo(T0.plusSeconds(3600));
        planRun("window", T0.plusSeconds(3600), T0.plusSeconds(4200), N1);
        planRun("window", T0.plusSeconds(4200), T0.plusSeconds(4800), N1);
        planRun("window", T0.plusSeconds(4800), T0.plusSeconds(5400), N1);
        long last = planRun("window", T0.plusSeconds(5400), null, N1);
        assertThat(last).isPositive();
        assertThat(stored("window").next()).isNull();
        put(with(job("window", "@every 10m"), Map.of("starts_at", starts.toString(),
                "expires_at", starts.minusSeconds(1).toString())), T0);
        assertThat(view().job("window").orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(5400));
    }

    @Test
    void anAfterJobSetAfterItsDateStillHasThatInstantForTheSchedulerToJudge() {
        Instant date = T0.minusSeconds(10);
        put(job("late-once", "@after " + date + " <PT1M"), T0);
        assertThat(stored("late-once").next()).isEqualTo(date);
        planRun("late-once", date, null, N1);
        assertThat(stored("late-once").next()).isNull();

        put(job("at-past", "@at " + date), T0);
        assertThat(stored("at-past").next()).as("@at in the past never runs, as in Dkron").isNull();
    }

    static Stream<Arguments> invalidAdditions() {
        Job ok = job("valid-name", "@every 10s");
        return Stream.of(
                arguments(with(ok, "misfire", "sometimes"), "misfire"),
                arguments(with(ok, "misfire_grace", "soon"), "misfire_grace"),
                arguments(with(ok, "misfire_grace", "-5s"), "misfire_grace"),
                arguments(with(ok, "expected_duration", "0s"), "expected_duration"),
                arguments(with(ok, "retry_backoff", Map.of("max", "1m")), "retry_backoff.initial"),
                arguments(with(ok, "retry_backoff", Map.of("initial", "1m", "max", "1s")), "retry_backoff.max"),
                arguments(with(ok, "retry_backoff", Map.of("initial", "1s", "multiplier", 0.5)),
                        "retry_backoff.multiplier"),
                arguments(with(ok, Map.of("starts_at", T0.toString(), "expires_at", T0.toString())), "expires_at"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidAdditions")
    void invalidAdditionsAreRefusedWith400AndTheField(Job bad, String field) {
        Reply r = put(bad, T0);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.field()).isEqualTo(field);
        assertThat(view().job(bad.name())).isEmpty();
    }
}
