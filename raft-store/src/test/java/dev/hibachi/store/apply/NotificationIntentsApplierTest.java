package dev.hibachi.store.apply;

import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.rocks.JobDatabase;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;

/** Notification intents: created once by the entry that causes them, with ids every replica agrees on. */
class NotificationIntentsApplierTest extends ApplierFixture {

    List<PendingNotice> pending() {
        return view().pendingNotices(null, 1000);
    }

    List<String> kinds() {
        return pending().stream().map(PendingNotice::event).toList();
    }

    void completeAll() {
        assertThat(apply(new Command.CompleteNotifications(T0, pending().stream().map(PendingNotice::deliveryId)
                .toList(), "delivered")).ok()).isTrue();
    }

    @Test
    void aJobsLifeIsAuditedCreatedChangedToggledDeleted() {
        put(with(job("etl", "@every 1m"), Map.of("owner_email", "ops@example.com", "metadata",
                Map.of("notify.on", "failure"))), T0);
        put(with(job("etl", "@every 2m"), "owner_email", "ops@example.com"), T0.plusSeconds(1));
        apply(new Command.ToggleJob(T0.plusSeconds(2), "etl"));
        apply(new Command.DeleteJob(T0.plusSeconds(3), "etl"));

        assertThat(kinds()).containsExactly("JOB_CREATED", "JOB_CHANGED", "JOB_CHANGED", "JOB_DELETED");
        PendingNotice created = pending().get(0);
        assertThat(created.job()).isEqualTo("etl");
        assertThat(created.ownerEmail()).isEqualTo("ops@example.com");
        assertThat(created.metadata()).containsEntry("notify.on", "failure");
        assertThat(created.at()).isEqualTo(T0);
        assertThat(created.deliveryId()).isEqualTo("1-0-" + T0.toEpochMilli());
        assertThat(pending().get(2).detail()).contains("disabled");
        // The deleted job's notice still knows whom to tell: it was copied in when it was created.
        assertThat(pending().get(3).ownerEmail()).isEqualTo("ops@example.com");
        assertThat(view().pendingNoticeCount()).isEqualTo(4);
    }

    @Test
    void aRunStartsOnceAndFinishesOnceWithItsFinalAttemptsAndThePreviousStatus() {
        put(with(job("etl", "@every 1m"), "retries", 1), T0);
        completeAll();
        long run = planRun("etl", T0.plusSeconds(60), T0.plusSeconds(120), N1, N2);
        report(N1, started("etl", run, 1, T0.plusSeconds(60)));
        report(N2, started("etl", run, 1, T0.plusSeconds(60)));
        report(N1, finished("etl", run, 1, T0.plusSeconds(60), T0.plusSeconds(61), true, "ok\n"));
        report(N2, finished("etl", run, 1, T0.plusSeconds(60), T0.plusSeconds(61), false, "boom\n"));
        assertThat(kinds()).containsExactly("RUN_STARTED");
        // The retry is a later attempt: no second start.
        PendingRetryPlanner.planFirst(this, N2);
        report(N2, started("etl", run, 2, T0.plusSeconds(70)));
        report(N2, finished("etl", run, 2, T0.plusSeconds(70), T0.plusSeconds(71), true, "x".repeat(10_000)));

        assertThat(kinds()).containsExactly("RUN_STARTED", "RUN_FINISHED");
        PendingNotice started = pending().get(0);
        assertThat(started.runId()).isEqualTo(run);
        assertThat(started.detail()).contains("started on n1");
        PendingNotice done = pending().get(1);
        assertThat(done.status()).isEqualTo("success");
        assertThat(done.previousStatus()).isNull(); // the job's first run
        assertThat(done.executions()).hasSize(2);
        assertThat(done.executions()).extracting(PendingNotice.Attempt::node, PendingNotice.Attempt::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("n1", 1), org.assertj.core.groups.Tuple.tuple("n2", 2));
        assertThat(done.executions().get(1).output().length()).isLessThan(Applier.NOTICE_OUTPUT_BYTES + 200);
        assertThat(done.executions().get(0).output()).isEqualTo("ok\n");

        completeAll();
        long next = planRun("etl", T0.plusSeconds(120), T0.plusSeconds(180), N1);
        // A result that comes without a start (a run shorter than one report batch) still starts the run once.
        report(N1, finished("etl", next, 1, T0.plusSeconds(120), T0.plusSeconds(121), false, "no\n"));
        assertThat(kinds()).containsExactly("RUN_STARTED");
        PendingRetryPlanner.planFirst(this, N1);
        report(N1, finished("etl", next, 2, T0.plusSeconds(130), T0.plusSeconds(131), false, "no\n"));
        assertThat(kinds()).containsExactly("RUN_STARTED", "RUN_FINISHED");
        assertThat(pending().get(1).status()).isEqualTo("failed");
        assertThat(pending().get(1).previousStatus()).isEqualTo("success");
    }

    @Test
    void missesSkipsOverdueAndKillsAreRecorded() {
        put(with(job("sync", "@every 1s"), Map.of("concurrency", "forbid", "expected_duration", "1s")), T0);
        completeAll();
        apply(new Command.PlanRuns(T0, List.of(), List.of(new MissedSpan("sync", T0.minusSeconds(10),
                T0.minusSeconds(5), 6, "misfire: skip", T0))));
        long first = planRun("sync", T0.plusSeconds(1), T0.plusSeconds(2), N1);
        report(N1, started("sync", first, 1, T0.plusSeconds(1)));
        long second = plan("sync", T0.plusSeconds(2), T0.plusSeconds(3), N1).get("run_id").asLong();
        apply(new Command.SkipQueuedRuns(T0.plusSeconds(2), List.of(new Command.RunRef("sync", second))));
        long third = plan("sync", T0.plusSeconds(3), T0.plusSeconds(4), N1).get("run_id").asLong();
        apply(new Command.SkipQueuedRuns(T0.plusSeconds(3), List.of(new Command.RunRef("sync", third))));
        apply(new Command.FlagOverdue(T0.plusSeconds(5), List.of(new Command.AttemptRef("sync", first, 1, "n1"))));
        apply(new Command.RequestKill(T0.plusSeconds(6), "sync", first, 1, "n1", "alice"));
        report(N1, finished("sync", first, 1, T0.plusSeconds(1), T0.plusSeconds(7), false, "killed\n"));

        // Two skips of one blocked span make one notice.
        assertThat(kinds()).containsExactly("RUN_MISSED", "RUN_STARTED", "RUN_SKIPPED", "RUN_OVERDUE", "RUN_KILLED",
                "RUN_FINISHED");
        assertThat(pending().get(0).detail()).contains("6 instant(s)").contains("misfire: skip");
        assertThat(pending().get(4).detail()).contains("alice");
        assertThat(pending().get(5).status()).isEqualTo("killed");
    }

    @Test
    void aRunNobodyCanTakeFinishesFailedWithTheReason() {
        put(job("orphan", "@every 1m"), T0);
        completeAll();
        planWithReason("orphan", T0.plusSeconds(60), "no member matches the job's tags {role=db}");

        PendingNotice n = pending().stream().collect(single());
        assertThat(n.event()).isEqualTo("RUN_FINISHED");
        assertThat(n.status()).isEqualTo("failed");
        assertThat(n.detail()).contains("role=db");
    }

    @Test
    void completionDeletesOnceAndGenericCompletionLeavesIntentsAlone() {
        put(job("a", "@every 1m"), T0);
        put(job("b", "@every 1m"), T0);
        List<PendingNotice> two = pending();
        events.clear();

        apply(new Command.CompletePending(T0, List.of(two.get(0).key())));
        assertThat(pending()).hasSize(2);
        Reply r = apply(new Command.CompleteNotifications(T0, List.of(two.get(0).deliveryId(), "nonsense", "9-9-9"),
                "delivered"));
        Reply again = apply(new Command.CompleteNotifications(T0, List.of(two.get(0).deliveryId()), "delivered"));

        assertThat(r.value().get("completed").asInt()).isEqualTo(1);
        assertThat(again.value().get("completed").asInt()).isZero();
        assertThat(pending()).containsExactly(two.get(1));
        assertThat(view().pendingNoticeCount()).isEqualTo(1);
        assertThat(events).contains(new StoreEvent.PendingCompleted(two.get(0).key()));
    }

    @Test
    void clusterEventsAreIntentsAndAnUnknownOneIsRefusedNamingTheField() {
        Reply ok = apply(new Command.RecordClusterEvent(T0, "MEMBER_FAILED", "n2", null));
        Reply bad = apply(new Command.RecordClusterEvent(T0, "SOMETHING", "n2", null));

        assertThat(ok.ok()).isTrue();
        PendingNotice n = pending().stream().collect(single());
        assertThat(n.event()).isEqualTo("MEMBER_FAILED");
        assertThat(n.job()).isNull();
        assertThat(n.detail()).isEqualTo("member failed: n2");
        assertThat(bad.ok()).isFalse();
        assertThat(bad.error()).contains("event").contains("SOMETHING");
        assertThat(eventsOf(StoreEvent.NotificationPending.class)).extracting(StoreEvent.NotificationPending::notice)
                .containsExactly(n);
    }

    @Test
    void thePendingSetIsBoundedTheOldestGo() {
        db.close();
        db = JobDatabase.open(dir.resolve("bounded"));
        applier = new Applier(db, events::add, 3);
        for (int i = 0; i < 5; i++) {
            apply(new Command.RecordClusterEvent(T0.plusSeconds(i), "LEADER_CHANGED", "n" + i, null));
        }

        assertThat(pending()).extracting(PendingNotice::detail)
                .containsExactly("leader changed: n2", "leader changed: n3", "leader changed: n4");
        assertThat(view().pendingNoticeCount()).isEqualTo(3);
        // Paging resumes after a key, oldest first.
        assertThat(view().pendingNotices(pending().get(0).key(), 10)).hasSize(2);
    }

    @Test
    void idsAndRecordsAreTheSameOnEveryReplica() {
        Runnable history = () -> {
            put(with(job("etl", "@every 1m"), "retries", 0), T0);
            long run = planRun("etl", T0.plusSeconds(60), T0.plusSeconds(120), N1);
            report(N1, finished("etl", run, 1, T0.plusSeconds(60), T0.plusSeconds(61), true, "ok\n"));
            apply(new Command.RecordClusterEvent(T0.plusSeconds(62), "LEADER_CHANGED", "n1", null));
        };
        history.run();
        List<PendingNotice> first = pending();
        db.close();
        db = JobDatabase.open(dir.resolve("replica"));
        applier = new Applier(db, events::add);
        index = 0;
        history.run();

        assertThat(pending()).isEqualTo(first).hasSize(4);
        assertThat(first).extracting(PendingNotice::deliveryId).doesNotHaveDuplicates();
    }

    <T> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Plans the retry of the only pending retry record, on {@code target}. */
    static final class PendingRetryPlanner {
        static void planFirst(NotificationIntentsApplierTest t, dev.hibachi.store.model.Target target) {
            var retry = t.view().pendingRetries().stream().collect(single());
            assertThat(t.planRetry(retry, target).get("accepted").asBoolean()).isTrue();
        }
    }
}
