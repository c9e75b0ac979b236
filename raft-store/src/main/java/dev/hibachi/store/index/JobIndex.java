package dev.hibachi.store.index;

import dev.hibachi.store.model.Job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A replica's in-memory projection of its jobs for listing: one small {@link JobRow} per job (the fields that
 * Dkron's {@code GET /v1/jobs} filters and sorts on), in name order, plus the set of jobs that carry each
 * metadata {@code key=value}. A page of 100,000 jobs is chosen here without reading RocksDB; only the jobs on
 * the page are read from it afterwards.
 *
 * <p>The store keeps it in step with the jobs column family: every write of a job goes through the entry's
 * transaction, whose commit writes RocksDB and then changes the rows, both under this index's write lock
 * ({@link #change}). A reader that takes a RocksDB snapshot under the read lock ({@link #select}) therefore
 * sees the rows and the jobs at the same entry: a page, its total and the jobs' bodies always agree. Readers
 * hold the lock only while they choose the page (a few milliseconds at 100,000 jobs), so an entry that writes
 * jobs waits at most that long, as Dkron's writes wait for BuntDB's read transactions.
 *
 * <p>Name order needs no sort (the rows are kept in it); another order puts the matching rows in an array and
 * sorts only the requested slice ({@link PartialSort}), never all of them. The metadata filter starts from the
 * smallest of its label sets.
 */
public final class JobIndex {
    private static final Label[] NO_LABELS = JobRow.NO_LABELS;
    private static final Comparator<JobRow> BY_NAME = Comparator.comparing((JobRow r) -> r.name, NameOrder.INSTANCE);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<String, JobRow> rows = new TreeMap<>(NameOrder.INSTANCE);
    /** Each metadata key=value, with the rows that carry it in name order; a label without rows is dropped. */
    private final Map<Label, Labelled> labelled = new HashMap<>();

    /** The rows that carry one label; {@code label} is the one instance every row shares. */
    private record Labelled(Label label, TreeSet<JobRow> rows) {
    }

    /** What a listing chose: the names of the page, how many jobs passed the filter, and what was taken with it. */
    public record Selection<S>(int total, List<String> names, S state) {
    }

    /**
     * Replaces every row with the jobs that {@code source} hands over one at a time (when the store opens: no more
     * than one job is held at once).
     */
    public void rebuild(Consumer<Consumer<Job>> source) {
        lock.writeLock().lock();
        try {
            rows.clear();
            labelled.clear();
            source.accept(this::put);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code commit} (the RocksDB write of an entry) and then applies that entry's job writes, as one step for
     * readers. {@code changes} maps each written job's name to the job as written, or to null when it was deleted.
     * If {@code commit} throws, no row changes.
     */
    public void change(Map<String, Job> changes, Runnable commit) {
        lock.writeLock().lock();
        try {
            commit.run();
            changes.forEach((name, job) -> {
                if (job == null) {
                    remove(name);
                } else {
                    put(job);
                }
            });
        } finally {
            lock.writeLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return rows.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The names of the jobs that pass {@code filter}, ranked {@code [start, end)} in {@code sort} order
     * ({@code end < 0}: to the last), with how many passed in all. {@code sameState} is called under the same
     * read lock, after the choice: what it takes (a RocksDB snapshot) sees exactly the jobs the rows describe.
     */
    public <S> Selection<S> select(JobFilter filter, JobSort sort, boolean descending, int start, int end,
                                   Supplier<S> sameState) {
        int from = Math.max(0, start);
        int to = end < 0 ? Integer.MAX_VALUE : end;
        lock.readLock().lock();
        try {
            Selection<S> chosen = choose(filter == null ? JobFilter.NONE : filter, sort == null ? JobSort.NAME : sort,
                    descending, from, to);
            return new Selection<>(chosen.total(), chosen.names(), sameState.get());
        } finally {
            lock.readLock().unlock();
        }
    }

    private <S> Selection<S> choose(JobFilter filter, JobSort sort, boolean descending, int from, int to) {
        List<String> names = new ArrayList<>();
        if (filter.keepsAll() && sort == JobSort.NAME) {
            // the common first page: no filter, name order
            int i = 0;
            for (JobRow r : (descending ? rows.descendingMap() : rows).values()) {
                if (i >= to) {
                    break;
                }
                if (i++ >= from) {
                    names.add(r.name);
                }
            }
            return new Selection<>(rows.size(), names, null);
        }
        List<Label> required = new ArrayList<>();
        NavigableSet<JobRow> smallest = null;
        for (Map.Entry<String, String> m : filter.metadata().entrySet()) {
            Labelled l = labelled.get(new Label(m.getKey(), m.getValue()));
            if (l == null) {
                return new Selection<>(0, names, null); // no job carries it
            }
            required.add(l.label());
            if (smallest == null || l.rows().size() < smallest.size()) {
                smallest = l.rows();
            }
        }
        Iterable<JobRow> candidates = smallest == null ? (descending ? rows.descendingMap() : rows).values()
                : descending ? smallest.descendingSet() : smallest;
        Predicate<JobRow> passes = passes(filter, required);
        int total = 0;
        if (sort == JobSort.NAME) {
            // the candidates come in the asked order already
            for (JobRow r : candidates) {
                if (passes.test(r)) {
                    if (total >= from && total < to) {
                        names.add(r.name);
                    }
                    total++;
                }
            }
            return new Selection<>(total, names, null);
        }
        List<JobRow> matching = new ArrayList<>();
        for (JobRow r : candidates) {
            if (passes.test(r)) {
                matching.add(r);
            }
        }
        total = matching.size();
        int lo = Math.min(from, total);
        int hi = Math.min(to, total);
        if (lo < hi) {
            JobRow[] ranked = matching.toArray(new JobRow[0]);
            Comparator<JobRow> order = sort.rows(descending);
            PartialSort.slice(ranked, lo, hi, order);
            for (int i = lo; i < hi; i++) {
                names.add(ranked[i].name);
            }
        }
        return new Selection<>(total, names, null);
    }

    private static Predicate<JobRow> passes(JobFilter filter, List<Label> required) {
        String text = filter.text() == null ? null : filter.text().toLowerCase(Locale.ROOT);
        String status = filter.status();
        Boolean disabled = filter.disabled();
        Label[] labels = required.toArray(new Label[0]);
        return r -> {
            if (disabled != null && r.disabled != disabled) {
                return false;
            }
            if (status != null && !status.equals(r.status)) {
                return false;
            }
            for (Label l : labels) {
                if (!r.has(l)) {
                    return false;
                }
            }
            return text == null || r.mentions(text);
        };
    }

    private void put(Job job) {
        JobRow row = rows.get(job.name());
        if (row == null) {
            row = new JobRow(job.name());
            rows.put(row.name, row);
        }
        row.set(job);
        Label[] labels = labels(job.metadata());
        if (!Arrays.equals(row.labels, labels)) {
            unlabel(row);
            row.labels = labels;
            for (Label l : labels) {
                labelled.computeIfAbsent(l, k -> new Labelled(k, new TreeSet<>(BY_NAME))).rows().add(row);
            }
        }
    }

    private void remove(String name) {
        JobRow row = rows.remove(name);
        if (row != null) {
            unlabel(row);
        }
    }

    private void unlabel(JobRow row) {
        for (Label l : row.labels) {
            Labelled set = labelled.get(l);
            set.rows().remove(row);
            if (set.rows().isEmpty()) {
                labelled.remove(l);
            }
        }
        row.labels = NO_LABELS;
    }

    /** The job's metadata as shared labels, sorted by key; a label met for the first time gets its (empty) set. */
    private Label[] labels(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return NO_LABELS;
        }
        Label[] out = new Label[metadata.size()];
        int i = 0;
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            Label l = new Label(m.getKey(), m.getValue() == null ? "" : m.getValue());
            out[i++] = labelled.computeIfAbsent(l, k -> new Labelled(k, new TreeSet<>(BY_NAME))).label();
        }
        Arrays.sort(out, Comparator.comparing(Label::key));
        return out;
    }
}
