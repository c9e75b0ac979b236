package dev.hibachi.agent.schedule;

import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The next instant of every enabled job, in one ordered structure: the scheduler's timer. Every server
 * keeps it warm from applied entries, so a new leader starts scheduling without rescanning the store.
 *
 * <p>The leader plans ahead of the log: after it proposes a plan it advances a job here at once
 * ({@link #advance}), and an applied entry that is older than what was already proposed does not move the
 * job back. If a proposal fails, {@link #resync} puts the job back where the store says it is, so no
 * instant is lost. Each entry is ~100 bytes: 100,000 jobs cost ~10 MB of heap.
 */
public final class FireIndex implements StoreListener {
    private final Map<String, Entry> byJob = new HashMap<>();
    private final TreeMap<Instant, TreeSet<String>> byInstant = new TreeMap<>();
    private final Consumer<StoreEvent.Reloaded> onReload;
    private Runnable onChange = () -> { };

    /** @param onReload called when the store was replaced whole, to rebuild the index from it */
    public FireIndex(Consumer<StoreEvent.Reloaded> onReload) {
        this.onReload = onReload;
    }

    /** One job's place in the index: its next instant, the revision it was computed from, and the newest
     * instant the leader has proposed ({@code plannedThrough}). */
    public record Entry(String job, Instant next, long revision, Instant plannedThrough) {
    }

    public synchronized void setOnChange(Runnable onChange) {
        this.onChange = onChange;
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (event instanceof StoreEvent.JobChanged c) {
            update(c.job(), c.clock());
        } else if (event instanceof StoreEvent.JobDeleted d) {
            remove(d.name());
        } else if (event instanceof StoreEvent.Reloaded r) {
            onReload.accept(r);
        }
    }

    /** Sets a job from the store's view of it. */
    public void update(Job job, JobClock clock) {
        Runnable notify;
        synchronized (this) {
            Entry old = byJob.get(job.name());
            boolean sameRevision = old != null && old.revision() == clock.revision();
            if (sameRevision && old.plannedThrough() != null
                    && clock.lastPlannedAt().isBefore(old.plannedThrough())) {
                return; // the leader already proposed further than this entry
            }
            put(new Entry(job.name(), job.next(), clock.revision(), clock.lastPlannedAt()));
            notify = onChange;
        }
        notify.run();
    }

    /** After proposing a plan: the job's newest proposed instant and its following one. */
    public synchronized void advance(String job, Instant plannedThrough, Instant following) {
        Entry old = byJob.get(job);
        if (old != null) {
            put(new Entry(job, following, old.revision(), plannedThrough));
        }
    }

    /** Puts a job back to what the store holds (after a failed or refused proposal). */
    public void resync(Job job, JobClock clock) {
        synchronized (this) {
            byJob.remove(job.name());
            removeFromInstant(job.name(), null);
        }
        update(job, clock);
    }

    public void remove(String job) {
        synchronized (this) {
            Entry old = byJob.remove(job);
            if (old != null && old.next() != null) {
                removeFromInstant(job, old.next());
            }
        }
    }

    public synchronized void clear() {
        byJob.clear();
        byInstant.clear();
    }

    /** Jobs whose next instant is at or before {@code horizon}, earliest first. */
    public synchronized List<Entry> due(Instant horizon, int max) {
        List<Entry> out = new ArrayList<>();
        for (var e : byInstant.headMap(horizon, true).entrySet()) {
            for (String job : e.getValue()) {
                out.add(byJob.get(job));
                if (out.size() >= max) {
                    return out;
                }
            }
        }
        return out;
    }

    public synchronized Optional<Instant> earliest() {
        return byInstant.isEmpty() ? Optional.empty() : Optional.of(byInstant.firstKey());
    }

    public synchronized Optional<Entry> entry(String job) {
        return Optional.ofNullable(byJob.get(job));
    }

    public synchronized int size() {
        return byJob.size();
    }

    private void put(Entry e) {
        Entry old = byJob.put(e.job(), e);
        if (old != null && old.next() != null) {
            removeFromInstant(e.job(), old.next());
        }
        if (e.next() != null) {
            byInstant.computeIfAbsent(e.next(), k -> new TreeSet<>()).add(e.job());
        }
    }

    private void removeFromInstant(String job, Instant at) {
        if (at == null) {
            byInstant.values().forEach(s -> s.remove(job));
            byInstant.values().removeIf(TreeSet::isEmpty);
            return;
        }
        TreeSet<String> set = byInstant.get(at);
        if (set != null) {
            set.remove(job);
            if (set.isEmpty()) {
                byInstant.remove(at);
            }
        }
    }
}
