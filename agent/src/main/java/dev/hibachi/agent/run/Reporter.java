package dev.hibachi.agent.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.Command.AttemptReport;
import dev.hibachi.store.model.OutputTail;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends this member's attempt starts and results to the store in batches: at most one entry every
 * {@code window} (50 ms), so the Raft log carries decisions, not traffic. A run that ends inside the
 * window writes one record (its result replaces its start). If the store cannot be reached the batch is
 * kept and re-sent; the journal marks each result reported once the store has it.
 *
 * <p>Memory is bounded: while results wait, their outputs count against {@code maxQueuedOutputBytes};
 * past it, new outputs wait as a short tail only (the journal on disk keeps the whole result).
 *
 * <p>A result's artifacts are read from its attempt's folder only as its entry is built, and an entry holds at most
 * {@link #MAX_ENTRY_BYTES} of outputs and artifacts (the rest go in the next entry): queued results hold no artifact
 * bytes, and no entry grows past what Raft replicates. The folder is deleted once the store has the report; until
 * then it stays on disk, so an agent restarted before that collects it again.
 */
public final class Reporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reporter.class);
    private static final long MAX_QUEUED_OUTPUT_BYTES = 64L << 20;
    private static final int TAIL_WHEN_FULL = 4096;
    private static final int MAX_BATCH = 500;
    /**
     * Outputs and artifacts in one entry, at most (one report alone may pass it). Ratis's leader refuses to replicate
     * an entry over its appender buffer (4 MB by default: an assertion in its DataQueue), so this leaves room for
     * base64 and JSON around the bytes, which deflate only partly wins back on incompressible data.
     */
    static final long MAX_ENTRY_BYTES = 2L << 20;

    private record Item(String incarnation, String key, AttemptReport report) {
    }

    private final StoreClient client;
    private final String node;
    private final RunJournal journal;
    private final Clock clock;
    private final Duration window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private final Map<String, Item> queue = new LinkedHashMap<>();
    private long queuedOutputBytes;
    private int inFlight;
    private volatile boolean closed;
    private final Thread thread;
    /** Where results' artifacts are collected from; null: results carry none. */
    private final ArtifactFolders artifacts;

    public Reporter(StoreClient client, String node, RunJournal journal, Clock clock, Duration window) {
        this(client, node, journal, clock, window, null);
    }

    public Reporter(StoreClient client, String node, RunJournal journal, Clock clock, Duration window,
                    ArtifactFolders artifacts) {
        this.artifacts = artifacts;
        this.client = client;
        this.node = node;
        this.journal = journal;
        this.clock = clock;
        this.window = window;
        this.thread = new Thread(this::loop, "reporter");
        thread.setDaemon(true);
        thread.start();
    }

    public void started(String incarnation, String key, AttemptReport report) {
        enqueue(new Item(incarnation, key, report), false);
    }

    public void finished(String incarnation, String key, AttemptReport report) {
        enqueue(new Item(incarnation, key, report), true);
    }

    private void enqueue(Item item, boolean result) {
        lock.lock();
        try {
            if (result) {
                AttemptReport r = item.report();
                if (r.output() != null && queuedOutputBytes + r.output().length() > MAX_QUEUED_OUTPUT_BYTES) {
                    r = new AttemptReport(r.job(), r.runId(), r.attempt(), r.phase(), r.startedAt(), r.finishedAt(),
                            r.success(), r.exitCode(), OutputTail.cut(r.output(), TAIL_WHEN_FULL), true);
                    item = new Item(item.incarnation(), item.key(), r);
                }
                Item old = queue.put(item.key(), item);
                subtract(old);
                queuedOutputBytes += outputSize(item);
            } else {
                queue.putIfAbsent(item.key(), item);
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until everything queued has reached the store, or the timeout passes; true if drained. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!queue.isEmpty() || inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long backoffMillis = 0;
        while (!closed) {
            List<Item> batch;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    arrived.await();
                }
                // Let the window fill, so starts and results of quick runs travel together.
                long until = System.nanoTime() + window.toNanos() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
                for (long left; (left = until - System.nanoTime()) > 0 && !closed; ) {
                    arrived.awaitNanos(left);
                }
                // At most MAX_BATCH reports an entry: a backlog (after the store was unreachable) drains in
                // bounded entries instead of one that grows until it can never commit.
                batch = new ArrayList<>();
                var it = queue.values().iterator();
                while (it.hasNext() && batch.size() < MAX_BATCH) {
                    Item i = it.next();
                    batch.add(i);
                    queuedOutputBytes -= outputSize(i);
                    it.remove();
                }
                inFlight = batch.size();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean ok = send(batch);
            lock.lock();
            try {
                inFlight = 0;
                if (!ok) {
                    for (Item i : batch) {
                        Item newer = queue.get(i.key());
                        if (newer == null || i.report().phase() == AttemptReport.Phase.FINISHED) {
                            queue.put(i.key(), newer != null && newer.report().phase() == AttemptReport.Phase.FINISHED
                                    ? newer : i);
                        }
                    }
                    queuedOutputBytes = 0;
                    queue.values().forEach(i -> queuedOutputBytes += outputSize(i));
                    backoffMillis = Math.min(2000, Math.max(250, backoffMillis * 2));
                } else {
                    backoffMillis = 0;
                }
                if (queue.isEmpty()) {
                    drained.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean send(List<Item> batch) {
        Map<String, List<Item>> byIncarnation = new LinkedHashMap<>();
        for (Item i : batch) {
            byIncarnation.computeIfAbsent(i.incarnation(), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Item>> e : byIncarnation.entrySet()) {
            List<Item> items = new ArrayList<>();
            List<AttemptReport> reports = new ArrayList<>();
            long bytes = 0;
            for (Item item : e.getValue()) {
                AttemptReport report = withArtifacts(item.report());
                long size = payloadBytes(report);
                if (!items.isEmpty() && bytes + size > MAX_ENTRY_BYTES) {
                    if (!submit(e.getKey(), items, reports)) {
                        return false;
                    }
                    items = new ArrayList<>();
                    reports = new ArrayList<>();
                    bytes = 0;
                }
                items.add(item);
                reports.add(report);
                bytes += size;
            }
            if (!items.isEmpty() && !submit(e.getKey(), items, reports)) {
                return false;
            }
        }
        return true;
    }

    /** Sends one entry; false if the store was not reached (the caller re-queues the whole batch). */
    private boolean submit(String incarnation, List<Item> items, List<AttemptReport> reports) {
        Reply reply;
        try {
            reply = client.submit(new Command.ReportAttempts(clock.instant(), node, incarnation, reports),
                    Duration.ofSeconds(10));
        } catch (Exception ex) {
            LOG.warn("Reporting {} attempt(s) failed; they are re-sent: {}", reports.size(), ex.getMessage());
            return false;
        }
        if (!reply.ok()) {
            LOG.error("The store refused a report batch: {}", reply.error());
        }
        JsonNode verdicts = reply.value() == null ? null : reply.value().path("verdicts");
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            String verdict = verdicts == null ? "refused" : verdicts.path(i).path("verdict").asText();
            if (verdict.startsWith("refused")) {
                LOG.warn("Report for {} was refused: {}", item.key(), verdict);
            }
            AttemptReport r = item.report();
            if (r.phase() == AttemptReport.Phase.FINISHED) {
                journal.reported(item.key(), clock.instant());
                if (artifacts != null) {
                    artifacts.delete(r.job(), r.runId(), r.attempt());
                }
            }
        }
        return true;
    }

    /** A result with its attempt's artifacts, and a line in its output for each file left out. */
    private AttemptReport withArtifacts(AttemptReport r) {
        if (artifacts == null || r.phase() != AttemptReport.Phase.FINISHED) {
            return r;
        }
        ArtifactFolders.Collected collected = artifacts.collect(r.job(), r.runId(), r.attempt());
        if (collected.notes().isEmpty() && collected.artifacts().isEmpty()) {
            return r;
        }
        String output = r.output() == null ? "" : r.output();
        if (!collected.notes().isEmpty()) {
            StringBuilder sb = new StringBuilder(output);
            if (!output.isEmpty() && !output.endsWith("\n")) {
                sb.append('\n');
            }
            collected.notes().forEach(n -> sb.append(n).append('\n'));
            output = sb.toString();
        }
        return r.with(output, r.truncated(), collected.artifacts());
    }

    private static long payloadBytes(AttemptReport r) {
        long bytes = r.output() == null ? 0 : r.output().length();
        for (Command.Artifact a : r.artifacts()) {
            bytes += a.data().length + a.path().length();
        }
        return bytes;
    }

    private void subtract(Item old) {
        if (old != null) {
            queuedOutputBytes -= outputSize(old);
        }
    }

    private static long outputSize(Item i) {
        return i.report().output() == null ? 0 : i.report().output().length();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
