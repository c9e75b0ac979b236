package dev.hibachi.store.rocks;

import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.ArtifactFile;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.model.DayStats;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.model.Pause;
import dev.hibachi.store.model.PendingChild;
import dev.hibachi.store.model.PendingDelete;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.model.PendingRetry;
import dev.hibachi.store.model.Run;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Typed reads of the store's records, over the committed database or an entry in progress. */
public final class StoreView {
    static final byte[] APPLIED = Keys.utf8("applied");
    static final byte[] SETTINGS = Keys.utf8("settings");
    static final byte[] PAUSE = Keys.utf8("pause");
    static final byte[] NOTICE_COUNT = Keys.utf8("notices-pending");

    /** The key of the cluster settings in {@link Family#META}. */
    public static byte[] settingsKey() {
        return SETTINGS.clone();
    }

    private final KeyValueReader reader;

    public StoreView(KeyValueReader reader) {
        this.reader = reader;
    }

    public Optional<Job> job(String name) {
        return read(Family.JOBS, Keys.job(name), Job.class);
    }

    /** Jobs in name order, starting after {@code after} (null = from the first). */
    public List<Job> jobs(String after, int limit) {
        List<Job> out = new ArrayList<>();
        byte[] from = after == null ? new byte[0] : Keys.jobPrefix(after);
        reader.scan(Family.JOBS, from, null, (k, v) -> {
            out.add(Json.read(v, Job.class));
            return out.size() < limit;
        });
        return out;
    }

    /** Hands every job to {@code visitor}, in name order, one at a time (none is kept). */
    public void eachJob(Consumer<Job> visitor) {
        reader.scan(Family.JOBS, new byte[0], null, (k, v) -> {
            visitor.accept(Json.read(v, Job.class));
            return true;
        });
    }

    public Optional<JobClock> clock(String job) {
        return read(Family.META, Keys.utf8(Keys.clock(job)), JobClock.class);
    }

    public Optional<ClusterSettings> settings() {
        return read(Family.META, SETTINGS, ClusterSettings.class);
    }

    /** The key of the pause switch in {@link Family#META}. */
    public static byte[] pauseKey() {
        return PAUSE.clone();
    }

    public Pause pause() {
        return read(Family.META, PAUSE, Pause.class).orElse(Pause.OFF);
    }

    /** One UTC day's counters of finished attempts (zero for a day without any). */
    public DayStats dayStats(LocalDate day) {
        return read(Family.META, Keys.utf8(DayStats.key(day)), DayStats.class).orElse(DayStats.empty(day));
    }

    public Optional<Run> run(String job, long runId) {
        return read(Family.PENDING, Keys.utf8(Keys.run(job, runId)), Run.class);
    }

    /** Every run that is not over, across all jobs. */
    public List<Run> openRuns() {
        return all(Family.PENDING, "run/", Run.class);
    }

    public List<Run> openRuns(String job) {
        return all(Family.PENDING, "run/" + job + "/", Run.class);
    }

    public List<PendingRetry> pendingRetries() {
        return all(Family.PENDING, "retry/", PendingRetry.class);
    }

    public List<PendingChild> pendingChildren() {
        return all(Family.PENDING, PendingChild.PREFIX, PendingChild.class);
    }

    public List<PendingDelete> pendingDeletes() {
        return all(Family.PENDING, PendingDelete.PREFIX, PendingDelete.class);
    }

    /**
     * Pending notification intents, oldest first, at most {@code limit}, starting after the record keyed
     * {@code afterKey} (null: from the oldest); so a leader can resume a large backlog a page at a time.
     */
    public List<PendingNotice> pendingNotices(String afterKey, int limit) {
        List<PendingNotice> out = new ArrayList<>();
        byte[] prefix = Keys.utf8(PendingNotice.PREFIX);
        // The first key after afterKey is afterKey followed by a zero byte.
        byte[] from = afterKey == null ? prefix : Arrays.copyOf(Keys.utf8(afterKey), Keys.utf8(afterKey).length + 1);
        if (limit <= 0) {
            return out;
        }
        reader.scan(Family.PENDING, from, Keys.prefixEnd(prefix), (k, v) -> {
            out.add(Json.read(v, PendingNotice.class));
            return out.size() < limit;
        });
        return out;
    }

    /** How many notification intents are pending (kept by apply, so reading it costs one get). */
    public long pendingNoticeCount() {
        byte[] v = reader.get(Family.META, NOTICE_COUNT);
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    /** The key of the pending notification count in {@link Family#META}. */
    public static byte[] noticeCountKey() {
        return NOTICE_COUNT.clone();
    }

    /** A job's executions, newest first (by run, then attempt), at most {@code limit}. */
    public List<Execution> executions(String job, int limit) {
        List<Execution> out = new ArrayList<>();
        byte[] prefix = Keys.jobPrefix(job);
        reader.scanBackward(Family.EXECUTIONS, prefix, Keys.prefixEnd(prefix), (k, v) -> {
            out.add(Json.read(v, Execution.class));
            return out.size() < limit;
        });
        return out;
    }

    /** The keys of a job's executions, oldest first. */
    public List<byte[]> executionKeys(String job) {
        List<byte[]> out = new ArrayList<>();
        byte[] prefix = Keys.jobPrefix(job);
        reader.scan(Family.EXECUTIONS, prefix, Keys.prefixEnd(prefix), (k, v) -> out.add(k));
        return out;
    }

    public Optional<Execution> execution(byte[] key) {
        return read(Family.EXECUTIONS, key, Execution.class);
    }

    public Optional<String> output(byte[] key) {
        byte[] v = reader.get(Family.OUTPUTS, key);
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    /** The artifacts of one execution, in path order (byte order of their UTF-8 names). */
    public List<ArtifactFile> artifacts(byte[] executionKey) {
        List<ArtifactFile> out = new ArrayList<>();
        byte[] prefix = Keys.artifactPrefix(executionKey);
        reader.scan(Family.ARTIFACTS, prefix, Keys.prefixEnd(prefix), (k, v) -> {
            out.add(new ArtifactFile(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8),
                    v.length));
            return true;
        });
        return out;
    }

    /** The keys of one execution's artifacts, for deleting them with it. */
    public List<byte[]> artifactKeys(byte[] executionKey) {
        List<byte[]> out = new ArrayList<>();
        byte[] prefix = Keys.artifactPrefix(executionKey);
        reader.scan(Family.ARTIFACTS, prefix, Keys.prefixEnd(prefix), (k, v) -> out.add(k));
        return out;
    }

    public Optional<byte[]> artifact(byte[] executionKey, String path) {
        return Optional.ofNullable(reader.get(Family.ARTIFACTS, Keys.artifact(executionKey, path)));
    }

    public List<MissedSpan> misses(String job, int limit) {
        List<MissedSpan> out = new ArrayList<>();
        byte[] prefix = Keys.jobPrefix(job);
        reader.scanBackward(Family.MISSES, prefix, Keys.prefixEnd(prefix), (k, v) -> {
            out.add(Json.read(v, MissedSpan.class));
            return out.size() < limit;
        });
        return out;
    }

    /** The log index of the last entry applied to this store (0 for an empty store), and its term. */
    public long[] applied() {
        byte[] v = reader.get(Family.META, APPLIED);
        if (v == null) {
            return new long[]{0, 0};
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        return new long[]{b.getLong(), b.getLong()};
    }

    private <T> List<T> all(Family family, String prefix, Class<T> type) {
        List<T> out = new ArrayList<>();
        byte[] from = Keys.utf8(prefix);
        reader.scan(family, from, Keys.prefixEnd(from), (k, v) -> out.add(Json.read(v, type)));
        return out;
    }

    private <T> Optional<T> read(Family family, byte[] key, Class<T> type) {
        byte[] v = reader.get(family, key);
        return v == null ? Optional.empty() : Optional.of(Json.read(v, type));
    }
}
