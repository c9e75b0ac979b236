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

/** A real RocksDB store in a temporary directory, and helpers that apply encoded commands to it. */
abstract class ApplierFixture {
    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    static final Target N1 = new Target("n1", "inc-1");
    static final Target N2 = new Target("n2", "inc-2");
    static final Target N3 = new Target("n3", "inc-3");

    @TempDir
    Path dir;

    JobDatabase db;
    Applier applier;
    final List<StoreEvent> events = new ArrayList<>();
    long index;

    @BeforeEach
    void open() {
        db = JobDatabase.open(dir.resolve("store"));
        applier = new Applier(db, events::add);
    }

    @AfterEach
    void close() {
        db.close();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    Reply apply(Command c) {
        return applier.apply(1, ++index, CommandCodec.encode(c));
    }

    Reply put(Job job, Instant at) {
        return apply(new Command.PutJob(at, job));
    }

    StoreView view() {
        return new StoreView(db);
    }

    Job stored(String name) {
        return view().job(name).orElseThrow(() -> new AssertionError("no job " + name));
    }

    long revision(String job) {
        return view().clock(job).orElseThrow().revision();
    }

    JsonNode plan(String job, Instant at, Instant following, Target... targets) {
        return planWithRevision(job, revision(job), at, following, targets);
    }

    JsonNode planWithRevision(String job, long revision, Instant at, Instant following, Target... targets) {
        Command.PlannedRun p = new Command.PlannedRun(job, revision, at, following, Run.Trigger.SCHEDULE,
                List.of(targets), null);
        Reply r = apply(new Command.PlanRuns(at.minusSeconds(1), List.of(p), List.of()));
        assertThat(r.ok()).as("PlanRuns entry: %s", r.error()).isTrue();
        return r.value().get("runs").get(0);
    }

    JsonNode planWithReason(String job, Instant at, String reason) {
        Command.PlannedRun p = new Command.PlannedRun(job, revision(job), at, at.plusSeconds(10), Run.Trigger.SCHEDULE,
                List.of(), reason);
        return apply(new Command.PlanRuns(at, List.of(p), List.of())).value().get("runs").get(0);
    }

    long planRun(String job, Instant at, Instant following, Target... targets) {
        JsonNode v = plan(job, at, following, targets);
        assertThat(v.get("accepted").asBoolean()).as("plan of %s at %s: %s", job, at, v).isTrue();
        return v.get("run_id").asLong();
    }

    JsonNode planRetry(PendingRetry p, Target target) {
        Reply r = apply(new Command.PlanRetries(p.notBefore(), List.of(new Command.RetryPlan(p.key(), p.job(),
                p.runId(), p.node(), p.attempt(), target))));
        assertThat(r.ok()).isTrue();
        return r.value().get("retries").get(0);
    }

    Reply report(Target from, AttemptReport... reports) {
        Instant at = Arrays.stream(reports).map(r -> r.finishedAt() != null ? r.finishedAt() : r.startedAt())
                .max(Instant::compareTo).orElse(T0);
        Reply r = apply(new Command.ReportAttempts(at, from.node(), from.incarnation(), List.of(reports)));
        assertThat(r.ok()).as("ReportAttempts entry: %s", r.error()).isTrue();
        return r;
    }

    static String verdict(Reply r) {
        return r.value().get("verdicts").get(0).get("verdict").asText();
    }

    static AttemptReport started(String job, long runId, int attempt, Instant at) {
        return new AttemptReport(job, runId, attempt, AttemptReport.Phase.STARTED, at, null, false, 0, null, false);
    }

    static AttemptReport finished(String job, long runId, int attempt, Instant started, Instant finished,
                                  boolean success, String output) {
        return new AttemptReport(job, runId, attempt, AttemptReport.Phase.FINISHED, started, finished, success,
                success ? 0 : 1, output, false);
    }

    static <T> java.util.stream.Collector<T, ?, T> single() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
            assertThat(l).hasSize(1);
            return l.get(0);
        });
    }

    /** Every family, without the entries that record the entry itself (applied index, rejections). */
    Map<Family, List<String>> dumpWithoutBookkeeping() {
        Map<Family, List<String>> all = dump(db);
        List<String> meta = new ArrayList<>();
        db.scan(Family.META, new byte[0], null, (k, v) -> {
            String key = Keys.string(k);
            if (!key.equals("applied") && !key.startsWith("rejected") && !key.equals("rejections")) {
                meta.add(key + "=" + Arrays.toString(v));
            }
            return true;
        });
        all.put(Family.META, meta);
        return all;
    }
}
