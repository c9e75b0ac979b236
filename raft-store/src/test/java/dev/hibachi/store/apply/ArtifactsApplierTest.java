package dev.hibachi.store.apply;

import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.model.ArtifactFile;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.query.QueryHandler;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.Keys;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.hibachi.store.StoreTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;

/** Artifacts travel in a FINISHED report and live and die with their execution. */
class ArtifactsApplierTest extends ApplierFixture {

    static AttemptReport finishedWith(String job, long runId, Instant s, List<Command.Artifact> artifacts) {
        return new AttemptReport(job, runId, 1, AttemptReport.Phase.FINISHED, s, s.plusSeconds(1), true, 0, "ok",
                false, artifacts);
    }

    static Command.Artifact artifact(String path, String text) {
        return new Command.Artifact(path, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFirstResultsArtifactsAreStoredAndARepeatKeepsThem() {
        put(job("a", "@every 10s"), T0);
        Instant s = T0.plusSeconds(10);
        long runId = planRun("a", s, s.plusSeconds(10), N1);
        byte[] binary = new byte[3000];
        new Random(7).nextBytes(binary);

        report(N1, finishedWith("a", runId, s, List.of(artifact("report.txt", "hello"),
                new Command.Artifact("sub/dir/data.bin", binary))));
        Reply repeat = report(N1, finishedWith("a", runId, s, List.of(artifact("report.txt", "other"),
                artifact("late.txt", "late"))));

        assertThat(verdict(repeat)).isEqualTo("final");
        byte[] key = Keys.execution("a", runId, 1, "n1");
        assertThat(view().artifacts(key)).containsExactly(new ArtifactFile("report.txt", 5),
                new ArtifactFile("sub/dir/data.bin", 3000));
        assertThat(view().artifact(key, "report.txt")).hasValueSatisfying(
                b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("hello"));
        assertThat(view().artifact(key, "sub/dir/data.bin")).hasValueSatisfying(b -> assertThat(b).isEqualTo(binary));
    }

    @Test
    void badPathsAreLeftOutAndTheResultStillCounts() {
        put(job("b", "@every 10s"), T0);
        Instant s = T0.plusSeconds(10);
        long runId = planRun("b", s, s.plusSeconds(10), N1);

        Reply r = report(N1, finishedWith("b", runId, s, List.of(artifact("../escape", "x"), artifact("/abs", "x"),
                artifact("a//b", "x"), artifact("nul\0name", "x"), artifact("", "x"),
                new Command.Artifact("nodata", null), artifact("good", "x"))));

        assertThat(verdict(r)).isEqualTo("accepted");
        assertThat(view().artifacts(Keys.execution("b", runId, 1, "n1"))).extracting(ArtifactFile::path)
                .containsExactly("good");
        assertThat(stored("b").successCount()).isEqualTo(1);
    }

    @Test
    void retentionDeletesTheArtifactsOfEvictedExecutions() {
        apply(new Command.InitCluster(T0, new ClusterSettings("UTC", 2, 2, 1024, 100)));
        put(job("kept", "@every 10s"), T0);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Instant s = T0.plusSeconds(10L * i);
            long runId = planRun("kept", s, s.plusSeconds(10), N1);
            report(N1, finishedWith("kept", runId, s, List.of(artifact("f" + i, "run " + i),
                    artifact("d/g" + i, "more"))));
            keys.add(Keys.execution("kept", runId, 1, "n1"));
        }

        assertThat(view().artifacts(keys.get(0))).isEmpty();
        assertThat(view().artifacts(keys.get(1))).isEmpty();
        assertThat(view().artifacts(keys.get(2))).extracting(ArtifactFile::path).containsExactly("d/g3", "f3");
        assertThat(view().artifacts(keys.get(3))).extracting(ArtifactFile::path).containsExactly("d/g4", "f4");
        assertThat(countArtifacts()).isEqualTo(4);
    }

    @Test
    void deletingTheHistoryOrTheJobDeletesTheArtifacts() {
        put(job("h", "@every 10s"), T0);
        put(job("other", "@every 10s"), T0);
        Instant s = T0.plusSeconds(10);
        long h = planRun("h", s, s.plusSeconds(10), N1);
        long o = planRun("other", s, s.plusSeconds(10), N1);
        report(N1, finishedWith("h", h, s, List.of(artifact("x", "1"))));
        report(N1, finishedWith("other", o, s, List.of(artifact("y", "2"))));

        assertThat(apply(new Command.DeleteExecutions(s.plusSeconds(5), "h")).ok()).isTrue();
        assertThat(view().artifacts(Keys.execution("h", h, 1, "n1"))).isEmpty();
        assertThat(countArtifacts()).isEqualTo(1);

        assertThat(apply(new Command.DeleteJob(s.plusSeconds(6), "other")).ok()).isTrue();
        assertThat(countArtifacts()).isZero();
    }

    @Test
    void queriesListAndReadAndSayWhatIsMissing() throws java.io.IOException {
        put(job("q", "@every 10s"), T0);
        Instant s = T0.plusSeconds(10);
        long runId = planRun("q", s, s.plusSeconds(10), N1);
        report(N1, finishedWith("q", runId, s, List.of(artifact("a/b.txt", "abc"))));
        String id = view().executions("q", 1).get(0).id();
        QueryHandler queries = new QueryHandler(db);

        assertThat(queries.answer(new Query.ListArtifacts("q", id)).value().toString())
                .isEqualTo("[{\"path\":\"a/b.txt\",\"size\":3}]");
        Reply one = queries.answer(new Query.GetArtifact("q", id, "a/b.txt"));
        assertThat(one.ok()).isTrue();
        assertThat(new String(one.value().get("data").binaryValue(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(queries.answer(new Query.GetArtifact("q", id, "nope")).status()).isEqualTo(404);
        assertThat(queries.answer(new Query.ListArtifacts("q", id + "9")).error()).startsWith("execution not found");
        assertThat(queries.answer(new Query.ListArtifacts("nojob", id)).error()).startsWith("job not found");
    }

    /** A store made before the artifacts family gets it when it is opened, and keeps its data. */
    @Test
    void aStoreWithoutTheArtifactsFamilyGetsItOnOpen() throws Exception {
        db.close();
        Path old = dir.resolve("old-store");
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (Family f : Family.values()) {
            if (f != Family.ARTIFACTS) {
                descriptors.add(new ColumnFamilyDescriptor(f.cfName()));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB raw = RocksDB.open(options, old.toString(), descriptors, handles)) {
            raw.put(handles.get(1 + Family.JOBS.ordinal()), Keys.job("legacy"),
                    dev.hibachi.store.json.Json.write(job("legacy", "@every 10s")));
            handles.forEach(ColumnFamilyHandle::close);
        }

        db = JobDatabase.open(old);
        applier = new Applier(db, events::add);

        assertThat(db.get(Family.JOBS, Keys.job("legacy"))).isNotNull();
        put(job("fresh", "@every 10s"), T0);
        Instant s = T0.plusSeconds(10);
        long runId = planRun("fresh", s, s.plusSeconds(10), N1);
        report(N1, finishedWith("fresh", runId, s, List.of(artifact("f", "v"))));
        assertThat(view().artifacts(Keys.execution("fresh", runId, 1, "n1"))).hasSize(1);
    }

    private int countArtifacts() {
        int[] n = {0};
        db.scan(Family.ARTIFACTS, new byte[0], null, (k, v) -> ++n[0] > 0);
        return n[0];
    }
}
