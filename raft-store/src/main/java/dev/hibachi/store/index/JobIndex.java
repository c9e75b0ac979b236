package dev.hibachi.store.index;

import dev.hibachi.store.model.Job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * A replica's in-memory projection of its jobs for listing: one small {@link JobRow} per job (the fields that
 * Dkron's {@code GET /v1/jobs} filters and sorts on), in name order. A page of 100,000 jobs is chosen here
 * without reading RocksDB; only the jobs on the page are read from it afterwards.
 *
 * <p>The store keeps it in step with the jobs column family: every write of a job goes through the entry's
 * transaction, whose commit writes RocksDB and then changes the rows, both under this index's write lock
 * ({@link #change}). A reader that takes a RocksDB snapshot under the read lock ({@link #select}) therefore
 * sees the rows and the jobs at the same entry: a page, its total and the jobs' bodies always agree. Readers
 * hold the lock only while they choose the page (about a millisecond at 100,000 jobs), so an entry that writes
 * jobs waits at most that long, as Dkron's writes wait for BuntDB's read transactions.
 *
 * <p>Every listing is at most one pass over an array of rows ({@link RowArray}; a tree walk costs ten times
 * more): in name order, or in display name or schedule order, which are kept in sorted sets from their first
 * use on; a numeric order (counters, times) ranks the matching rows' keys and sorts only the requested slice
 * ({@link PartialSort}). Filters are tested on each row in the pass (a metadata pair is two compares of interned
 * strings); {@code q} is answered for all rows at once by one scan of their texts ({@link SearchText}).
 */
public final class JobIndex {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<String, JobRow> rows = new TreeMap<>(NameOrder.INSTANCE);
    private final RowArray byName = new RowArray(rows.values());
    /** Rows by {@link JobRow#slot} (null for a free slot), and the free slots. */
    private final List<JobRow> bySlot = new ArrayList<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    /** What a reader builds and writers then keep or drop (see {@link #built}); guarded by itself for building. */
    private final Object building = new Object();
    private volatile TextOrder displaynames;
    private volatile TextOrder schedules;
    private volatile SearchText searchText;

    /**
     * The rows in a text order, kept rather than sorted per query once asked for: sorting the strings of 100,000
     * rows costs tens of milliseconds, while display names and schedules change only when a job is redefined.
     */
    private static final class TextOrder {
        final TreeSet<JobRow> rows;
        final RowArray array;

        TextOrder(JobSort sort, Iterable<JobRow> all) {
            rows = new TreeSet<>(sort.kept());
            all.forEach(rows::add);
            array = new RowArray(rows);
        }
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
            bySlot.clear();
            freeSlots.clear();
            byName.changed();
            displaynames = null;
            schedules = null;
            searchText = null;
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

    /**
     * How many jobs there are by {@code status} ({@code ""} for a job that never ran), the same among enabled jobs
     * only, and how many are disabled; one pass over the rows, for gauges and the dashboard's overview.
     */
    public record Counts(Map<String, Integer> byStatus, Map<String, Integer> enabledByStatus, int disabled,
                         int total) {
        public static final Counts NONE = new Counts(Map.of(), Map.of(), 0, 0);
    }

    public Counts counts() {
        lock.readLock().lock();
        try {
            Map<String, Integer> byStatus = new HashMap<>();
            Map<String, Integer> enabled = new HashMap<>();
            int disabled = 0;
            for (JobRow r : rows.values()) {
                byStatus.merge(r.status, 1, Integer::sum);
                if (r.disabled) {
                    disabled++;
                } else {
                    enabled.merge(r.status, 1, Integer::sum);
                }
            }
            return new Counts(Map.copyOf(byStatus), Map.copyOf(enabled), disabled, rows.size());
        } finally {
            lock.readLock().unlock();
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
        if (filter.keepsAll() && sort == JobSort.NAME) {
            // the plain page: no filter, name order, no pass at all
            JobRow[] all = byName.rows();
            List<String> names = new ArrayList<>();
            for (int i = from; i < Math.min(to, all.length); i++) {
                names.add(all[descending ? all.length - 1 - i : i].name);
            }
            return new Selection<>(all.length, names, null);
        }
        Predicate<JobRow> passes = passes(filter);
        if (sort.key() != null) {
            return ranked(byName.rows(), passes, sort.key(), descending, from, to);
        }
        JobRow[] ordered = sort == JobSort.NAME ? byName.rows() : textOrder(sort).array.rows();
        return pass(ordered, descending, passes, from, to);
    }

    /** One pass over rows in the asked order (backwards when descending): the page is the matches [from, to). */
    private static <S> Selection<S> pass(JobRow[] ordered, boolean descending, Predicate<JobRow> passes, int from,
                                         int to) {
        List<String> names = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < ordered.length; i++) {
            JobRow r = ordered[descending ? ordered.length - 1 - i : i];
            if (passes.test(r)) {
                if (total >= from && total < to) {
                    names.add(r.name);
                }
                total++;
            }
        }
        return new Selection<>(total, names, null);
    }

    /**
     * The matches ranked [from, to) by a numeric key, ties by name: {@code byName} is in name order, so a match's
     * position among the matches is its name's rank, and only the slice is sorted.
     */
    private static <S> Selection<S> ranked(JobRow[] byName, Predicate<JobRow> passes, ToLongFunction<JobRow> key,
                                          boolean descending, int from, int to) {
        JobRow[] matching = new JobRow[byName.length];
        long[] keys = new long[byName.length];
        int total = 0;
        for (JobRow r : byName) {
            if (passes.test(r)) {
                matching[total] = r;
                keys[total] = key.applyAsLong(r);
                total++;
            }
        }
        int lo = Math.min(from, total);
        int hi = Math.min(to, total);
        int[] order = PartialSort.slice(keys, total, lo, hi, descending);
        List<String> names = new ArrayList<>(Math.max(0, hi - lo));
        for (int i = lo; i < hi; i++) {
            names.add(matching[order[i]].name);
        }
        return new Selection<>(total, names, null);
    }

    private Predicate<JobRow> passes(JobFilter filter) {
        String text = filter.text() == null ? null : filter.text().toLowerCase(Locale.ROOT);
        boolean[] hits = text == null ? null : searchText().find(text);
        String status = filter.status();
        Boolean disabled = filter.disabled();
        String[] labels = interned(filter.metadata());
        String[] tags = interned(filter.tags());
        return r -> {
            if (disabled != null && r.disabled != disabled) {
                return false;
            }
            if (status != null && !status.equals(r.status)) {
                return false;
            }
            for (int l = 0; l < labels.length; l += 2) {
                if (!JobRow.has(r.labels, labels[l], labels[l + 1])) {
                    return false;
                }
            }
            for (int l = 0; l < tags.length; l += 2) {
                if (!JobRow.has(r.tags, tags[l], tags[l + 1])) {
                    return false;
                }
            }
            return text == null || (hits != null ? hits[r.slot] : r.mentions(text));
        };
    }

    /** A filter's pairs as {@code key0, value0, ...}, interned like the rows' own, so most compares are one. */
    private static String[] interned(Map<String, String> pairs) {
        String[] out = new String[pairs.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> m : pairs.entrySet()) {
            out[i++] = m.getKey().intern();
            out[i++] = m.getValue().intern();
        }
        return out;
    }

    /** The rows in a text order: built by the first reader that asks (under the read lock), kept by writers after. */
    private TextOrder textOrder(JobSort sort) {
        TextOrder order = sort == JobSort.DISPLAYNAME ? displaynames : schedules;
        if (order == null) {
            synchronized (building) {
                order = sort == JobSort.DISPLAYNAME ? displaynames : schedules;
                if (order == null) {
                    order = new TextOrder(sort, rows.values());
                    if (sort == JobSort.DISPLAYNAME) {
                        displaynames = order;
                    } else {
                        schedules = order;
                    }
                }
            }
        }
        return order;
    }

    /** The texts laid out for {@code q}: built by the first reader after a change (two may both build it). */
    private SearchText searchText() {
        SearchText t = searchText;
        if (t == null) {
            t = SearchText.of(bySlot);
            searchText = t;
        }
        return t;
    }

    private void put(Job job) {
        JobRow row = rows.get(job.name());
        if (row == null) {
            Integer free = freeSlots.poll();
            row = new JobRow(job.name(), free == null ? bySlot.size() : free);
            if (free == null) {
                bySlot.add(row);
            } else {
                bySlot.set(free, row);
            }
            row.set(job);
            rows.put(row.name, row);
            byName.changed();
            searchText = null;
            add(displaynames, row);
            add(schedules, row);
            return;
        }
        // a row leaves a sorted set before the field that places it changes, and comes back after
        boolean renamed = !row.displayname.equals(JobRow.displayname(job));
        boolean rescheduled = !row.schedule.equals(JobRow.schedule(job));
        TextOrder d = renamed ? displaynames : null;
        TextOrder s = rescheduled ? schedules : null;
        remove(d, row);
        remove(s, row);
        row.set(job);
        add(d, row);
        add(s, row);
        if (renamed) {
            searchText = null;
        }
    }

    private void remove(String name) {
        JobRow row = rows.remove(name);
        if (row != null) {
            bySlot.set(row.slot, null);
            freeSlots.push(row.slot);
            byName.changed();
            searchText = null;
            remove(displaynames, row);
            remove(schedules, row);
        }
    }

    private static void add(TextOrder order, JobRow row) {
        if (order != null) {
            order.rows.add(row);
            order.array.changed();
        }
    }

    private static void remove(TextOrder order, JobRow row) {
        if (order != null) {
            order.rows.remove(row);
            order.array.changed();
        }
    }
}
