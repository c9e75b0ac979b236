package dev.hibachi.store.index;

import dev.hibachi.store.model.Job;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.StoreView;
import dev.hibachi.store.rocks.Txn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static dev.hibachi.store.StoreTestSupport.job;
import static dev.hibachi.store.StoreTestSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job index over a real RocksDB, written as the applier writes (an entry's {@link Txn}): what a listing
 * chooses is checked against the jobs themselves, after writes, changes, deletes, a reopen, and while entries
 * are being applied.
 */
class JobIndexTest {
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
    void writtenJobsAppearInNameOrderWithTheirTotal() {
        write(job("b", "@every 1m"), job("a", "@every 1m"), job("c-1", "@every 1m"), job("c", "@every 1m"));

        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 0, -1)).containsExactly("a", "b", "c", "c-1");
        assertThat(names(JobFilter.NONE, JobSort.NAME, true, 0, -1)).containsExactly("c-1", "c", "b", "a");
        assertThat(select(JobFilter.NONE, JobSort.NAME, false, 1, 3).total()).isEqualTo(4);
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 1, 3)).containsExactly("b", "c");
        assertThat(db.jobIndex().size()).isEqualTo(4);
    }

    @Test
    void slicesAreJavaScriptSlicesOfTheWholeAnswer() {
        for (int i = 0; i < 10; i++) {
            write(job("j" + i, "@every 1m"));
        }
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 8, -1)).containsExactly("j8", "j9");
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 8, 100)).containsExactly("j8", "j9");
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 12, 20)).isEmpty();
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 5, 3)).isEmpty();
        assertThat(names(JobFilter.NONE, JobSort.NEXT, true, 5, 3)).isEmpty();
        assertThat(select(JobFilter.NONE, JobSort.NEXT, false, 12, 20).total()).isEqualTo(10);
    }

    @Test
    void everyFilterKeepsOnlyWhatMatches() {
        write(with(job("web-1", "@every 1m"), Map.of("metadata", Map.of("team", "web", "env", "prod"),
                        "displayname", "Front Door", "status", "success")),
                with(job("web-2", "@every 1m"), Map.of("metadata", Map.of("team", "web", "env", "dev"),
                        "status", "failed", "disabled", true)),
                with(job("db-backup", "@daily"), Map.of("metadata", Map.of("team", "data", "env", "prod"),
                        "displayname", "Nightly BACKUP", "status", "partially_failed")),
                job("fresh", "@hourly"));

        assertThat(names(filter(Map.of("team", "web")))).containsExactly("web-1", "web-2");
        assertThat(names(filter(Map.of("team", "web", "env", "prod")))).containsExactly("web-1");
        assertThat(names(filter(Map.of("env", "prod")))).containsExactly("db-backup", "web-1");
        assertThat(select(filter(Map.of("team", "nobody")), JobSort.NAME, false, 0, -1).total()).isZero();
        assertThat(names(filter(Map.of("team", "WEB")))).as("metadata values match exactly").isEmpty();

        assertThat(names(text("web"))).containsExactly("web-1", "web-2");
        assertThat(names(text("door"))).as("display name, any case").containsExactly("web-1");
        assertThat(names(text("BackUp"))).as("name or display name, any case").containsExactly("db-backup");
        assertThat(names(text("zzz"))).isEmpty();
        assertThat(names(text("1\u0000front"))).as("never across name and display name").isEmpty();
        assertThat(names(text("web-1\u0000"))).isEmpty();

        assertThat(names(new JobFilter(null, null, "success", null))).containsExactly("web-1");
        assertThat(names(new JobFilter(null, null, "failed", null))).containsExactly("web-2");
        assertThat(names(new JobFilter(null, null, "partially_failed", null))).containsExactly("db-backup");
        assertThat(names(new JobFilter(null, null, "", null))).as("untriggered").containsExactly("fresh");

        assertThat(names(new JobFilter(null, null, null, true))).containsExactly("web-2");
        assertThat(names(new JobFilter(null, null, null, false))).containsExactly("db-backup", "fresh", "web-1");

        assertThat(names(new JobFilter(Map.of("team", "web"), "2", "failed", true))).containsExactly("web-2");
        assertThat(names(new JobFilter(Map.of("team", "web"), "1", "failed", null))).isEmpty();
    }

    @Test
    void tagFiltersReadEachTagsValueWithoutItsCount() {
        write(with(job("web-all", "@every 1m"), Map.of("tags", Map.of("role", "web"), "metadata", Map.of("role", "x"))),
                with(job("web-two", "@every 1m"), Map.of("tags", Map.of("role", "web:2", "dc", "eu"))),
                with(job("db", "@every 1m"), Map.of("tags", Map.of("role", "db", "dc", "eu"))),
                with(job("odd", "@every 1m"), Map.of("tags", Map.of("role", "web:x"))),
                job("anywhere", "@every 1m"));

        assertThat(names(tags(Map.of("role", "web")))).as("web:N and a malformed count are still web")
                .containsExactly("odd", "web-all", "web-two");
        assertThat(names(tags(Map.of("role", "web", "dc", "eu")))).containsExactly("web-two");
        assertThat(names(tags(Map.of("dc", "eu")))).containsExactly("db", "web-two");
        assertThat(names(tags(Map.of("role", "web:2")))).isEmpty();
        assertThat(names(tags(Map.of("role", "x")))).as("tags are not metadata").isEmpty();
        assertThat(names(filter(Map.of("role", "web")))).as("metadata is not tags").isEmpty();

        write(with(stored("web-two"), "tags", Map.of("role", "db:1")));
        assertThat(names(tags(Map.of("role", "db")))).as("a changed tag moves the job").containsExactly("db", "web-two");
        assertThat(names(new JobFilter(null, "two", null, null, Map.of("role", "db")))).containsExactly("web-two");
    }

    @Test
    void everySortOrdersByItsFieldThenByName() {
        write(with(job("a", "@every 1m"), Map.of("displayname", "zebra", "success_count", 5, "error_count", 1,
                        "last_success", T0.toString(), "next", T0.plusSeconds(60).toString())),
                with(job("b", "0 0 * * * *"), Map.of("displayname", "Apple", "success_count", 5, "error_count", 0,
                        "last_error", T0.toString(), "next", T0.plusSeconds(10).toString())),
                with(job("c", "@Daily"), Map.of("displayname", "apple", "success_count", 0, "error_count", 3,
                        "last_success", T0.plusSeconds(5).toString(), "last_error", T0.minusSeconds(5).toString())),
                job("d", "@every 1m"));

        assertThat(names(JobFilter.NONE, JobSort.DISPLAYNAME, false, 0, -1)).as("case-insensitive, then exact")
                .containsExactly("d", "b", "c", "a");
        assertThat(names(JobFilter.NONE, JobSort.SCHEDULE, false, 0, -1)).containsExactly("b", "c", "a", "d");
        assertThat(names(JobFilter.NONE, JobSort.SUCCESS_COUNT, false, 0, -1)).containsExactly("c", "d", "a", "b");
        assertThat(names(JobFilter.NONE, JobSort.SUCCESS_COUNT, true, 0, -1)).as("DESC reverses ties too")
                .containsExactly("b", "a", "d", "c");
        assertThat(names(JobFilter.NONE, JobSort.ERROR_COUNT, false, 0, -1)).containsExactly("b", "d", "a", "c");
        assertThat(names(JobFilter.NONE, JobSort.LAST_SUCCESS, false, 0, -1)).as("never comes first")
                .containsExactly("b", "d", "a", "c");
        assertThat(names(JobFilter.NONE, JobSort.LAST_ERROR, true, 0, -1)).containsExactly("b", "c", "d", "a");
        assertThat(names(JobFilter.NONE, JobSort.NEXT, true, 0, -1)).containsExactly("a", "b", "d", "c");
        assertThat(names(JobFilter.NONE, JobSort.NEXT, true, 1, 3)).containsExactly("b", "d");
    }

    @Test
    void aChangedJobMovesBetweenFiltersAndPlaces() {
        write(with(job("x", "@every 1m"), Map.of("metadata", Map.of("team", "a"), "next", T0.toString())),
                with(job("y", "@every 1m"), Map.of("metadata", Map.of("team", "a"), "next", T0.plusSeconds(1)
                        .toString())));
        assertThat(names(JobFilter.NONE, JobSort.NEXT, false, 0, -1)).containsExactly("x", "y");

        Job x = stored("x");
        write(with(x.withNext(T0.plusSeconds(2)).withResult(false, T0, "failed"), "metadata",
                Map.of("team", "b", "tier", "1")));

        assertThat(names(JobFilter.NONE, JobSort.NEXT, false, 0, -1)).containsExactly("y", "x");
        assertThat(names(filter(Map.of("team", "a")))).containsExactly("y");
        assertThat(names(filter(Map.of("team", "b", "tier", "1")))).containsExactly("x");
        assertThat(names(new JobFilter(null, null, "failed", null))).containsExactly("x");
        assertThat(names(JobFilter.NONE, JobSort.ERROR_COUNT, true, 0, 1)).containsExactly("x");

        write(stored("x").withDisabled(true));
        assertThat(names(new JobFilter(null, null, null, true))).containsExactly("x");
        assertThat(names(filter(Map.of("team", "b")))).as("labels kept by an unrelated change").containsExactly("x");

        assertThat(names(text("renamed"))).isEmpty();
        assertThat(names(JobFilter.NONE, JobSort.DISPLAYNAME, false, 0, -1)).containsExactly("x", "y");
        write(with(stored("x"), Map.of("displayname", "Renamed", "schedule", "@hourly")),
                with(stored("y"), "displayname", "Also"));
        assertThat(names(text("renamed"))).containsExactly("x");
        assertThat(names(JobFilter.NONE, JobSort.DISPLAYNAME, false, 0, -1)).containsExactly("y", "x");
        assertThat(names(JobFilter.NONE, JobSort.SCHEDULE, false, 0, -1)).containsExactly("y", "x");
        assertThat(names(JobFilter.NONE, JobSort.SCHEDULE, true, 0, -1)).containsExactly("x", "y");
    }

    @Test
    void aDeletedJobLeavesEveryList() {
        write(with(job("gone", "@every 1m"), "metadata", Map.of("team", "a")), job("kept", "@every 1m"));
        try (Txn t = db.begin()) {
            t.deleteJob("gone");
            t.commit();
        }
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 0, -1)).containsExactly("kept");
        assertThat(names(JobFilter.NONE, JobSort.NEXT, false, 0, -1)).containsExactly("kept");
        assertThat(select(filter(Map.of("team", "a")), JobSort.NAME, false, 0, -1).total()).isZero();
        assertThat(db.jobIndex().size()).isEqualTo(1);
    }

    @Test
    void anEntryThatIsNotCommittedChangesNothing() {
        write(job("a", "@every 1m"));
        try (Txn t = db.begin()) {
            t.putJob(job("b", "@every 1m"));
            t.deleteJob("a");
        }
        assertThat(names(JobFilter.NONE, JobSort.NAME, false, 0, -1)).containsExactly("a");
        // and the last write of a job in one entry is the one that counts
        try (Txn t = db.begin()) {
            t.putJob(with(job("c", "@every 1m"), "status", "failed"));
            t.deleteJob("c");
            t.putJob(with(job("c", "@every 1m"), "status", "success"));
            t.commit();
        }
        assertThat(names(new JobFilter(null, null, "success", null))).containsExactly("c");
    }

    @Test
    void jobsAreWrittenOnlyThroughTheIndexedCalls() {
        try (Txn t = db.begin()) {
            assertThatThrownBy(() -> t.put(dev.hibachi.store.rocks.Family.JOBS, new byte[]{'x'}, new byte[]{'{', '}'}))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Random jobs, every sort, both orders, filters and slices: the index agrees with sorting the jobs themselves. */
    @Test
    void anyListingEqualsSortingAndSlicingTheJobsThemselves() {
        Random random = new Random(7);
        Map<String, Job> jobs = randomJobs(random, 600);
        jobs.values().forEach(this::write);
        assertListingsMatch(random, jobs, 300);
    }

    @Test
    void changesDeletesAndAReopenKeepEveryListingRight() {
        Random random = new Random(11);
        Map<String, Job> jobs = randomJobs(random, 400);
        jobs.values().forEach(this::write);
        for (int i = 0; i < 40; i++) { // changes and deletes after the first writes
            String name = "job-" + random.nextInt(400);
            if (random.nextBoolean()) {
                delete(name);
                jobs.remove(name);
            } else {
                Job changed = randomJob(random, name);
                write(changed);
                jobs.put(name, changed);
            }
        }
        for (int i = 400; i < 440; i++) { // new jobs take the slots of deleted ones
            Job added = randomJob(random, "job-" + i);
            write(added);
            jobs.put(added.name(), added);
        }
        assertListingsMatch(random, jobs, 100);
        List<Object> before = answers(new Random(3), 100);
        db.close();
        db = JobDatabase.open(dir.resolve("store"));
        assertThat(answers(new Random(3), 100)).isEqualTo(before);
        assertListingsMatch(random, jobs, 100);
    }

    /**
     * While entries move jobs between two labels, ten at a time, every listing sees whole entries: its total is a
     * multiple of ten, and every job it returns, read from the snapshot taken with it, carries the label.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readersSeeWholeEntriesWhileJobsAreWritten() throws Exception {
        int n = 200;
        for (int i = 0; i < n; i += 10) {
            List<Job> batch = new ArrayList<>();
            for (int j = i; j < i + 10; j++) {
                batch.add(with(job(String.format("job-%03d", j), "@every 1m"), "metadata", Map.of("side", "left")));
            }
            write(batch.toArray(Job[]::new));
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> writer = pool.submit(() -> {
                Random random = new Random(5);
                int entries = 0;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < until) {
                    String side = random.nextBoolean() ? "left" : "right";
                    int first = random.nextInt(n / 10) * 10;
                    List<Job> batch = new ArrayList<>();
                    for (int j = first; j < first + 10; j++) {
                        Job current = stored(String.format("job-%03d", j));
                        batch.add(with(current.withNext(T0.plusSeconds(random.nextInt(1000))), "metadata",
                                Map.of("side", side)));
                    }
                    write(batch.toArray(Job[]::new));
                    entries++;
                }
                writing.set(false);
                return entries;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = r;
                readers.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int reads = 0;
                    while (writing.get()) {
                        String side = random.nextBoolean() ? "left" : "right";
                        JobSort sort = random.nextBoolean() ? JobSort.NAME : JobSort.NEXT;
                        var chosen = db.jobIndex().select(filter(Map.of("side", side)), sort, random.nextBoolean(),
                                0, 25, db::snapshot);
                        try (JobDatabase.Snapshot at = chosen.state()) {
                            assertThat(chosen.total() % 10).as("total %s", chosen.total()).isZero();
                            assertThat(chosen.names()).hasSize(Math.min(25, chosen.total()));
                            StoreView v = new StoreView(at);
                            for (String name : chosen.names()) {
                                assertThat(v.job(name)).get().extracting(j -> j.metadata().get("side"))
                                        .isEqualTo(side);
                            }
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            assertThat(writer.get(30, TimeUnit.SECONDS)).isPositive();
            for (Future<Integer> r : readers) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        var left = select(filter(Map.of("side", "left")), JobSort.NAME, false, 0, -1);
        var right = select(filter(Map.of("side", "right")), JobSort.NAME, false, 0, -1);
        assertThat(left.total() + right.total()).isEqualTo(n);
    }

    // ---- reference: the same listing computed from the jobs themselves ---------------------------------------

    void assertListingsMatch(Random random, Map<String, Job> jobs, int rounds) {
        for (int round = 0; round < rounds; round++) {
            JobFilter filter = randomFilter(random);
            JobSort sort = JobSort.values()[random.nextInt(JobSort.values().length)];
            boolean descending = random.nextBoolean();
            int start = random.nextInt(jobs.size() + 10);
            int end = random.nextInt(4) == 0 ? -1 : start + random.nextInt(80) - 5;
            List<Job> expected = jobs.values().stream().filter(reference(filter))
                    .sorted(descending ? order(sort).reversed() : order(sort)).toList();
            int to = end < 0 ? expected.size() : Math.min(end, expected.size());
            List<String> page = start >= to ? List.of()
                    : expected.subList(start, to).stream().map(Job::name).toList();
            var chosen = select(filter, sort, descending, start, end);
            assertThat(chosen.total()).as("total of %s by %s", filter, sort).isEqualTo(expected.size());
            assertThat(chosen.names()).as("%s by %s %s [%s, %s)", filter, sort, descending ? "DESC" : "ASC", start,
                    end).isEqualTo(page);
        }
    }

    static Predicate<Job> reference(JobFilter f) {
        return j -> {
            for (Map.Entry<String, String> m : f.metadata().entrySet()) {
                if (j.metadata() == null || !m.getValue().equals(j.metadata().get(m.getKey()))) {
                    return false;
                }
            }
            if (f.text() != null) {
                String t = f.text().toLowerCase(Locale.ROOT);
                if (!j.name().toLowerCase(Locale.ROOT).contains(t)
                        && !j.displayname().toLowerCase(Locale.ROOT).contains(t)) {
                    return false;
                }
            }
            if (f.status() != null && !f.status().equals(j.status())) {
                return false;
            }
            return f.disabled() == null || f.disabled() == j.disabled();
        };
    }

    static Comparator<Job> order(JobSort sort) {
        Comparator<Instant> time = Comparator.nullsFirst(Comparator.naturalOrder());
        Comparator<Job> field = switch (sort) {
            case NAME -> (a, b) -> 0;
            case DISPLAYNAME -> Comparator.comparing(Job::displayname, String.CASE_INSENSITIVE_ORDER)
                    .thenComparing(Job::displayname);
            case SCHEDULE -> Comparator.comparing(Job::schedule, String.CASE_INSENSITIVE_ORDER)
                    .thenComparing(Job::schedule);
            case SUCCESS_COUNT -> Comparator.comparingLong(Job::successCount);
            case ERROR_COUNT -> Comparator.comparingLong(Job::errorCount);
            case LAST_SUCCESS -> Comparator.comparing(Job::lastSuccess, time);
            case LAST_ERROR -> Comparator.comparing(Job::lastError, time);
            case NEXT -> Comparator.comparing(Job::next, time);
        };
        return field.thenComparing(Job::name);
    }

    static Map<String, Job> randomJobs(Random random, int count) {
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = "job-" + i;
            jobs.put(name, randomJob(random, name));
        }
        return jobs;
    }

    static final String[] STATUSES = {"", "success", "failed", "partially_failed"};
    static final String[] SCHEDULES = {"@every 1m", "@daily", "@Daily", "0 0 * * * *", "@hourly"};
    static final String[] WORDS = {"Alpha", "beta", "GAMMA", "delta", ""};

    static Job randomJob(Random random, String name) {
        Map<String, Object> fields = new HashMap<>();
        Map<String, String> metadata = new HashMap<>();
        if (random.nextInt(3) > 0) {
            metadata.put("team", "t" + random.nextInt(4));
        }
        if (random.nextBoolean()) {
            metadata.put("env", random.nextBoolean() ? "prod" : "dev");
        }
        fields.put("metadata", metadata.isEmpty() ? null : metadata);
        fields.put("displayname", WORDS[random.nextInt(WORDS.length)] + (random.nextBoolean() ? " " + name : ""));
        fields.put("status", STATUSES[random.nextInt(STATUSES.length)]);
        fields.put("disabled", random.nextInt(5) == 0);
        fields.put("success_count", random.nextInt(5));
        fields.put("error_count", random.nextInt(5));
        fields.put("last_success", random.nextBoolean() ? null : T0.plusMillis(random.nextInt(20)).toString());
        fields.put("last_error", random.nextBoolean() ? null : T0.plusNanos(random.nextInt(20)).toString());
        fields.put("next", random.nextInt(4) == 0 ? null : T0.plusSeconds(random.nextInt(30)).toString());
        return with(job(name, SCHEDULES[random.nextInt(SCHEDULES.length)]), fields);
    }

    static JobFilter randomFilter(Random random) {
        Map<String, String> metadata = new HashMap<>();
        if (random.nextInt(3) == 0) {
            metadata.put("team", "t" + random.nextInt(5));
        }
        if (random.nextInt(4) == 0) {
            metadata.put("env", random.nextBoolean() ? "prod" : "dev");
        }
        String[] texts = {"alp", "GAM", "job-1", "a", "1 ", "3\u0000"};
        String text = random.nextInt(4) == 0 ? texts[random.nextInt(texts.length)] : null;
        String status = random.nextInt(4) == 0 ? STATUSES[random.nextInt(STATUSES.length)] : null;
        Boolean disabled = random.nextInt(4) == 0 ? random.nextBoolean() : null;
        return new JobFilter(metadata, text, status, disabled);
    }

    /** Answers to a fixed series of listings (for comparing two states of the index). */
    List<Object> answers(Random random, int rounds) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            JobFilter filter = randomFilter(random);
            JobSort sort = JobSort.values()[random.nextInt(JobSort.values().length)];
            var chosen = select(filter, sort, random.nextBoolean(), random.nextInt(50), 50 + random.nextInt(50));
            out.add(chosen.total() + " " + chosen.names());
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    void write(Job... jobs) {
        try (Txn t = db.begin()) {
            for (Job j : jobs) {
                t.putJob(j);
            }
            t.commit();
        }
    }

    void delete(String name) {
        try (Txn t = db.begin()) {
            t.deleteJob(name);
            t.commit();
        }
    }

    Job stored(String name) {
        return new StoreView(db).job(name).orElseThrow();
    }

    JobIndex.Selection<Object> select(JobFilter filter, JobSort sort, boolean descending, int start, int end) {
        return db.jobIndex().select(filter, sort, descending, start, end, () -> null);
    }

    List<String> names(JobFilter filter, JobSort sort, boolean descending, int start, int end) {
        return select(filter, sort, descending, start, end).names();
    }

    List<String> names(JobFilter filter) {
        return names(filter, JobSort.NAME, false, 0, -1);
    }

    static JobFilter filter(Map<String, String> metadata) {
        return new JobFilter(metadata, null, null, null);
    }

    static JobFilter tags(Map<String, String> tags) {
        return new JobFilter(null, null, null, null, tags);
    }

    static JobFilter text(String q) {
        return new JobFilter(null, q, null, null);
    }
}
