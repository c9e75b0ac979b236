package dev.hibachi.agent.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hibachi.store.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The member's own record of the attempts it took, on its disk: an attempt is journaled (and fsync'd)
 * before its process is spawned, so after any crash the member knows what it may have started, and a
 * repeated order for a journaled attempt is answered with its state instead of being run again.
 *
 * <p>Lines are JSON: {@code started}, {@code finished} (with the result, so a result not yet reported
 * survives a crash of the agent), {@code reported}. Reported attempts are remembered for
 * {@code rememberDone} more, which outlasts any re-send of their order. The file is compacted when it grows.
 */
public final class RunJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunJournal.class);
    private static final long COMPACT_ABOVE_BYTES = 4L << 20;

    public enum State { STARTED, FINISHED, REPORTED }

    /** One line of the journal, and the in-memory state of one attempt. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Record(String op, String key, String job, @JsonProperty("run_id") Long runId, Integer attempt,
                         String incarnation, @JsonProperty("scheduled_at") Instant scheduledAt,
                         @JsonProperty("started_at") Instant startedAt,
                         @JsonProperty("finished_at") Instant finishedAt, Boolean success,
                         @JsonProperty("exit_code") Integer exitCode, String output, Instant at) {
    }

    /** What the journal knows of one attempt. */
    public record Attempt(Record started, Record finished, Instant reportedAt) {
        public State state() {
            return reportedAt != null ? State.REPORTED : finished != null ? State.FINISHED : State.STARTED;
        }
    }

    private final Path file;
    private final Duration rememberDone;
    private final Map<String, Attempt> attempts = new LinkedHashMap<>();
    private FileChannel channel;
    /** While a compaction writes its file: the lines written since its snapshot; guarded by {@code this}. */
    private StringBuilder sinceSnapshot;

    public RunJournal(Path dir, Duration rememberDone) {
        this.rememberDone = rememberDone;
        try {
            Files.createDirectories(dir);
            this.file = dir.resolve("journal.jsonl");
            load();
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the run journal in " + dir, e);
        }
    }

    /**
     * Reads the journal. A crash can leave a torn last line (possibly cut inside a UTF-8 character): it is
     * cut off the file, so the next record starts on a line of its own.
     */
    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            LOG.warn("Run journal {}: dropping a torn last line of {} bytes", file, bytes.length - end);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        int bad = 0;
        int start = 0;
        for (int i = 0; i < end; i++) {
            if (bytes[i] == '\n') {
                String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    apply(Json.mapper().readValue(line, Record.class));
                } catch (IOException | RuntimeException e) {
                    bad++;
                }
            }
        }
        if (bad > 0) {
            LOG.warn("Run journal {}: skipped {} unreadable line(s)", file, bad);
        }
    }

    private void apply(Record r) {
        Attempt a = attempts.get(r.key());
        switch (r.op()) {
            case "started" -> attempts.put(r.key(), new Attempt(r, null, null));
            case "finished" -> {
                if (a != null) {
                    attempts.put(r.key(), new Attempt(a.started(), r, null));
                }
            }
            case "reported" -> {
                if (a != null) {
                    // Once in the store, the output is not needed here: only that the attempt is done.
                    attempts.put(r.key(), new Attempt(a.started(), withoutOutput(a.finished()), r.at()));
                }
            }
            default -> {
            }
        }
    }

    public synchronized Optional<Attempt> get(String key) {
        return Optional.ofNullable(attempts.get(key));
    }

    /** Journals attempts about to be spawned, with one fsync for the whole batch. */
    public synchronized void started(Collection<Record> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Record r : records) {
            sb.append(line(r));
            apply(r);
        }
        write(sb.toString(), true);
    }

    /** Journals a result before it is reported (no fsync: it guards against an agent crash, not a host crash). */
    public synchronized void finished(Record r) {
        apply(r);
        write(line(r), false);
    }

    public synchronized void reported(String key, Instant at) {
        if (!attempts.containsKey(key)) {
            return;
        }
        Record r = reportedRecord(key, at);
        apply(r);
        write(line(r), false);
    }

    /** Attempts that were started and whose result is not reported: what a restart must settle. */
    public synchronized List<Attempt> unreported() {
        List<Attempt> out = new ArrayList<>();
        for (Attempt a : attempts.values()) {
            if (a.state() != State.REPORTED) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Drops reported attempts older than {@code rememberDone} and rewrites the file when it is large. The rewrite
     * works from a snapshot, outside the lock, so that journaling new attempts (and so spawning them) never waits
     * for it; what is journaled meanwhile is appended to the new file before it replaces the old one.
     */
    public void prune(Instant now) {
        List<Attempt> snapshot;
        synchronized (this) {
            Instant cutoff = now.minus(rememberDone);
            attempts.values().removeIf(a -> a.reportedAt() != null && a.reportedAt().isBefore(cutoff));
            try {
                if (sinceSnapshot != null || channel.size() <= COMPACT_ABOVE_BYTES) {
                    return;
                }
            } catch (IOException e) {
                LOG.warn("Run journal: cannot read its size", e);
                return;
            }
            snapshot = new ArrayList<>(attempts.values());
            sinceSnapshot = new StringBuilder();
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            StringBuilder sb = new StringBuilder();
            for (Attempt a : snapshot) {
                sb.append(line(a.started()));
                if (a.finished() != null) {
                    sb.append(line(a.finished()));
                }
                if (a.reportedAt() != null) {
                    sb.append(line(reportedRecord(a.started().key(), a.reportedAt())));
                }
            }
            writeFully(out, sb.toString());
            synchronized (this) {
                writeFully(out, sinceSnapshot.toString());
                out.force(true);
                channel.close();
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Run journal compaction failed; it is retried later", e);
        } finally {
            synchronized (this) {
                sinceSnapshot = null;
            }
        }
    }

    private static void writeFully(FileChannel out, String text) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static Record withoutOutput(Record finished) {
        return finished == null || finished.output() == null ? finished
                : new Record(finished.op(), finished.key(), finished.job(), finished.runId(), finished.attempt(),
                        finished.incarnation(), finished.scheduledAt(), finished.startedAt(), finished.finishedAt(),
                        finished.success(), finished.exitCode(), null, finished.at());
    }

    private static Record reportedRecord(String key, Instant at) {
        return new Record("reported", key, null, null, null, null, null, null, null, null, null, null, at);
    }

    private static String line(Record r) {
        return new String(Json.write(r), StandardCharsets.UTF_8) + "\n";
    }

    private void write(String text, boolean sync) {
        if (sinceSnapshot != null) {
            sinceSnapshot.append(text);
        }
        try {
            writeFully(channel, text);
            if (sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("run journal write failed", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("closing the run journal failed", e);
        }
    }
}
