package dev.hibachi.store.query;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import dev.hibachi.store.rocks.Txn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Query.ListJobs} and {@link Query.ListExecutions} answered from a real RocksDB store, as Raft carries them. */
class ListingQueriesTest {
    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    @TempDir
    Path dir;
    JobDatabase db;

    @BeforeEach
    void open() {
        db = JobDatabase.open(dir.resolve("store"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aJobPageHoldsTheStoredJobsAndTheTotal() {
        try (Txn t = db.begin()) {
            for (int i = 0; i < 30; i++) {
                t.putJob(with(job(String.format("job-%02d", i), "@every 1m"), Map.of("metadata",
                        Map.of("team", i % 3 == 0 ? "a" : "b"), "success_count", i)));
            }
            t.commit();
        }
        JobList page = answer(new Query.ListJobs(new JobFilter(Map.of("team", "a"), null, null, null),
                JobSort.SUCCESS_COUNT, true, 2, 5), JobList.class);
        assertThat(page.total()).isEqualTo(10);
        assertThat(page.jobs()).extracting(Job::name).containsExactly("job-21", "job-18", "job-15");
        assertThat(page.jobs().get(0)).isEqualTo(stored("job-21"));
    }

    @Test
    void oneAnswerHoldsAtMostTenThousandJobsAndTheTrueTotal() {
        try (Txn t = db.begin()) {
            for (int i = 0; i < QueryHandler.MAX_LIMIT + 20; i++) {
                t.putJob(job(String.format("job-%05d", i), "@every 1m"));
            }
            t.commit();
        }
        JobList all = answer(Query.ListJobs.byName(0, -1), JobList.class);
        assertThat(all.total()).isEqualTo(10_020);
        assertThat(all.jobs()).hasSize(10_000);
        assertThat(all.jobs().get(9_999).name()).isEqualTo("job-09999");
        JobList rest = answer(new Query.ListJobs(null, JobSort.NEXT, false, 10_000, 20_000), JobList.class);
        assertThat(rest.jobs()).hasSize(20);
    }

    @Test
    void executionsAreSortedAndSlicedWithTheSlicesOutputs() {
        try (Txn t = db.begin()) {
            t.putJob(job("etl", "@every 1m"));
            // run 1: two attempts; run 2 started before run 1's retry; run 3 still running
            execution(t, 1, 1, "n1", T0, T0.plusSeconds(5), "first");
            execution(t, 1, 2, "n1", T0.plusSeconds(30), T0.plusSeconds(31), "retry");
            execution(t, 2, 1, "n1", T0.plusSeconds(10), T0.plusSeconds(40), "second");
            execution(t, 2, 1, "n2", T0.plusSeconds(10), T0.plusSeconds(12), "second on n2");
            execution(t, 3, 1, "n1", T0.plusSeconds(50), null, "running");
            t.commit();
        }
        ExecutionList newest = answer(Query.ListExecutions.newest("etl", 100, -1), ExecutionList.class);
        assertThat(newest.total()).isEqualTo(5);
        assertThat(newest.executions()).extracting(Execution::id)
                .containsExactly("3-1-n1", "1-2-n1", "2-1-n2", "2-1-n1", "1-1-n1");
        assertThat(newest.executions().get(1).output()).isEqualTo("retry");

        assertThat(answer(Query.ListExecutions.newest("etl", 0, -1), ExecutionList.class).executions())
                .as("no limit: all").hasSize(5);
        assertThat(answer(Query.ListExecutions.newest("etl", 2, -1), ExecutionList.class).executions())
                .extracting(Execution::id).containsExactly("3-1-n1", "1-2-n1");

        ExecutionList byEnd = answer(new Query.ListExecutions("etl", ExecutionSort.FINISHED_AT, false, 0, -1, -1),
                ExecutionList.class);
        assertThat(byEnd.executions()).extracting(Execution::id).as("running first, as Go's zero time")
                .containsExactly("3-1-n1", "1-1-n1", "2-1-n2", "1-2-n1", "2-1-n1");

        ExecutionList byAttempt = answer(new Query.ListExecutions("etl", ExecutionSort.ATTEMPT, true, 0, 2, 3),
                ExecutionList.class);
        assertThat(byAttempt.total()).isEqualTo(5);
        assertThat(byAttempt.executions()).extracting(Execution::id).as("ties in reversed key order")
                .containsExactly("1-2-n1", "3-1-n1");
        assertThat(byAttempt.executions().get(0).output()).isEqualTo("try");
        assertThat(byAttempt.executions().get(0).outputTruncated()).isTrue();

        ExecutionList tail = answer(new Query.ListExecutions("etl", null, true, 4, 10, -1), ExecutionList.class);
        assertThat(tail.executions()).extracting(Execution::id).containsExactly("1-1-n1");
        assertThat(answer(new Query.ListExecutions("etl", null, true, 9, 10, -1), ExecutionList.class).executions())
                .isEmpty();

        Reply missing = new QueryHandler(db).answer(Query.ListExecutions.newest("nope", 10, -1));
        assertThat(missing.status()).isEqualTo(404);
    }

    /** Through Ratis a query travels as JSON: what goes in comes out, defaults included. */
    @Test
    void listingQueriesSurviveTheirJson() throws Exception {
        Query jobs = new Query.ListJobs(new JobFilter(Map.of("k", "v"), "x", "", true), JobSort.LAST_ERROR, true, 3, 9);
        Query executions = new Query.ListExecutions("j", ExecutionSort.FINISHED_AT, false, 1, -1, 20);
        for (Query q : List.of(jobs, executions, Query.ListJobs.byName(0, -1))) {
            assertThat(Json.mapper().readValue(Json.write(q), Query.class)).isEqualTo(q);
        }
        assertThat(Json.mapper().readValue("{\"type\":\"ListJobs\",\"start\":0,\"end\":-1}", Query.class))
                .isEqualTo(Query.ListJobs.byName(0, -1));
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    <T> T answer(Query q, Class<T> type) throws AssertionError {
        try {
            Query carried = Json.mapper().readValue(Json.write(q), Query.class);
            Reply r = new QueryHandler(db).answer(carried);
            assertThat(r.ok()).as(r.error()).isTrue();
            return Json.mapper().readValue(Json.write(r), Reply.class).valueAs(type);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static void execution(Txn t, long runId, int attempt, String node, Instant started, Instant finished,
                          String output) {
        byte[] key = Keys.execution("etl", runId, attempt, node);
        Execution e = new Execution(Execution.idOf(runId, attempt, node), "etl", started, finished, finished != null,
                null, node, runId, attempt, started, finished == null ? null : 0,
                finished == null ? Execution.RUNNING : Execution.SUCCEEDED, null);
        t.put(Family.EXECUTIONS, key, Json.write(e));
        t.put(Family.OUTPUTS, key, output.getBytes(StandardCharsets.UTF_8));
    }

    Job stored(String name) {
        return new dev.hibachi.store.rocks.StoreView(db).job(name).orElseThrow();
    }
}
