package dev.hibachi.agent.dispatch;

import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.Run;
import dev.hibachi.store.raft.JobStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends planned attempts to their members, on the leader. Attempts arrive from applied plans (and, on
 * gaining leadership, from the store's open runs); each waits in one timer structure until its instant and
 * is then sent, batched per member, with no commit between the instant and the send. Until a member
 * acknowledges, the order is re-sent every {@code resendEvery}; the member's journal makes repeats harmless.
 * Sending never decides anything: targets and instants were fixed in the log.
 *
 * <p>A committed kill request ({@code KillRequested}) replaces whatever order the attempt had: any order not yet
 * sent is dropped, and a kill order goes to the member at once and again every {@code resendEvery} until the
 * store closes the attempt (or the job is deleted). Acks do not stop it: only the member's result, applied in
 * the store, ends it; a repeated kill is harmless on the member.
 *
 * <p>Invariant: an attempt is either waiting (by instant), outstanding (sent, not acknowledged), acknowledged,
 * or being killed; it leaves all four when the store closes it.
 */
public final class Dispatcher implements StoreListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final String self;
    private final RunTransport transport;
    private final JobStateMachine store;
    private final Clock clock;
    private final Duration resendEvery;
    private final DispatchObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<Instant, List<Pending>> waiting = new TreeMap<>();
    private final Map<String, Pending> outstanding = new LinkedHashMap<>();
    private final Map<String, Pending> acknowledged = new HashMap<>();
    private final java.util.Set<String> waitingKeys = new java.util.HashSet<>();
    /** Kill orders, by slot key: sent at once, re-sent until the attempt is closed. */
    private final Map<String, Pending> killing = new LinkedHashMap<>();
    private volatile boolean active;
    private volatile long term;
    private Thread thread;

    /** An attempt for one member, and when it was last sent. */
    private record Pending(String node, RunOrder.Attempt attempt, Instant lastSent) {
        Pending sentAt(Instant t) {
            return new Pending(node, attempt, t);
        }

        /** Several members run the same attempt of a run: the dispatcher tracks each member's copy. */
        String key() {
            return slotKey(attempt.key(), node);
        }
    }

    private static String slotKey(String attemptKey, String node) {
        return attemptKey + "@" + node;
    }

    public Dispatcher(String self, RunTransport transport, JobStateMachine store, Clock clock, Duration resendEvery,
                      DispatchObserver observer) {
        this.self = self;
        this.transport = transport;
        this.store = store;
        this.clock = clock;
        this.resendEvery = resendEvery;
        this.observer = observer;
        transport.onAck(this::onAck);
    }

    /** Becomes active for {@code leaderTerm}: resumes every open attempt in the store, then dispatches. */
    public void start(long leaderTerm) {
        lock.lock();
        try {
            this.term = leaderTerm;
            waiting.clear();
            waitingKeys.clear();
            outstanding.clear();
            acknowledged.clear();
            killing.clear();
            active = true;
            for (Run run : store.read(v -> v.openRuns())) {
                Job job = store.read(v -> v.job(run.job())).orElse(null);
                if (job == null || run.isQueued()) {
                    continue; // a queued run is announced when the run before it is over
                }
                for (Run.Slot slot : run.slots()) {
                    if (slot.open() && slot.kill() != null) {
                        kill(new Pending(slot.target().node(), RunOrder.Attempt.killOrder(job, run.runId(),
                                slot.attempt(), slot.target().incarnation(), run.scheduledAt(), slot.kill().by()),
                                null));
                    } else if (slot.open()) {
                        // PLANNED waits for its instant; RUNNING is re-sent now, and the member answers with its state.
                        Instant due = slot.state() == Run.SlotState.PLANNED ? slot.notBefore() : Instant.MIN;
                        enqueue(due, new Pending(slot.target().node(), new RunOrder.Attempt(job, run.runId(),
                                slot.attempt(), slot.target().incarnation(), run.scheduledAt(), slot.notBefore()), null));
                    }
                }
            }
            if (thread == null) {
                thread = new Thread(this::loop, "dispatcher");
                thread.setDaemon(true);
                thread.start();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void stop() {
        lock.lock();
        try {
            active = false;
            waiting.clear();
            waitingKeys.clear();
            outstanding.clear();
            acknowledged.clear();
            killing.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onEvent(StoreEvent event) {
        if (!active) {
            return;
        }
        if (event instanceof StoreEvent.AttemptPlanned p) {
            lock.lock();
            try {
                enqueue(p.notBefore(), new Pending(p.target().node(), new RunOrder.Attempt(p.job(), p.runId(),
                        p.attempt(), p.target().incarnation(), p.scheduledAt(), p.notBefore()), null));
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } else if (event instanceof StoreEvent.KillRequested k) {
            lock.lock();
            try {
                kill(new Pending(k.target().node(), RunOrder.Attempt.killOrder(k.job(), k.runId(), k.attempt(),
                        k.target().incarnation(), k.scheduledAt(), k.by()), null));
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } else if (event instanceof StoreEvent.AttemptClosed c) {
            forget(slotKey(c.execution().jobName() + "/" + c.execution().group() + "/" + c.execution().attempt(),
                    c.execution().nodeName()));
        } else if (event instanceof StoreEvent.JobDeleted d) {
            lock.lock();
            try {
                String prefix = d.name() + "/";
                outstanding.keySet().removeIf(k -> k.startsWith(prefix));
                acknowledged.keySet().removeIf(k -> k.startsWith(prefix));
                killing.keySet().removeIf(k -> k.startsWith(prefix));
                waiting.values().forEach(l -> l.removeIf(p -> p.attempt().job().name().equals(d.name())));
                waitingKeys.removeIf(k -> k.startsWith(prefix));
            } finally {
                lock.unlock();
            }
        }
    }

    private void enqueue(Instant due, Pending p) {
        String key = p.key();
        // The open-runs scan at leadership and an apply event can both bring the same attempt.
        if (outstanding.containsKey(key) || acknowledged.containsKey(key) || killing.containsKey(key)
                || !waitingKeys.add(key)) {
            return;
        }
        waiting.computeIfAbsent(due, k -> new ArrayList<>()).add(p);
    }

    /** Replaces the attempt's order, sent or not, with a kill order, due now (the caller holds the lock). */
    private void kill(Pending p) {
        String key = p.key();
        if (killing.containsKey(key)) {
            return; // already being killed: the re-sends go on
        }
        outstanding.remove(key);
        acknowledged.remove(key);
        dropWaiting(key);
        killing.put(key, p);
    }

    private void dropWaiting(String key) {
        if (waitingKeys.remove(key)) {
            waiting.values().forEach(list -> list.removeIf(p -> p.key().equals(key)));
            waiting.values().removeIf(List::isEmpty);
        }
    }

    private void forget(String key) {
        lock.lock();
        try {
            outstanding.remove(key);
            acknowledged.remove(key);
            killing.remove(key);
            dropWaiting(key);
        } finally {
            lock.unlock();
        }
    }

    private void onAck(RunAck ack) {
        lock.lock();
        try {
            for (RunAck.Entry e : ack.entries()) {
                String key = slotKey(e.key(), ack.node());
                Pending p = outstanding.remove(key);
                if (p == null) {
                    continue;
                }
                if (e.state() == RunAck.State.REFUSED) {
                    // The lost-attempt sweep closes it once that incarnation is gone; re-sending cannot help.
                    LOG.warn("{} refused {}: {}", ack.node(), e.key(), e.reason());
                }
                if (e.state() != RunAck.State.FINISHED) {
                    acknowledged.put(key, p);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            Map<String, List<RunOrder.Attempt>> toSend = new LinkedHashMap<>();
            long waitNanos;
            lock.lock();
            try {
                if (!active) {
                    changed.await(1, TimeUnit.SECONDS);
                    continue;
                }
                Instant now = clock.instant();
                while (!waiting.isEmpty() && !waiting.firstKey().isAfter(now)) {
                    for (Pending p : waiting.pollFirstEntry().getValue()) {
                        waitingKeys.remove(p.key());
                        toSend.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p.attempt());
                        outstanding.put(p.key(), p.sentAt(now));
                        observer.dispatched(p.attempt(), now);
                    }
                }
                Instant resendBefore = now.minus(resendEvery);
                for (Map.Entry<String, Pending> e : outstanding.entrySet()) {
                    Pending p = e.getValue();
                    if (p.lastSent() != null && p.lastSent().isBefore(resendBefore)) {
                        toSend.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p.attempt());
                        e.setValue(p.sentAt(now));
                    }
                }
                for (Map.Entry<String, Pending> e : killing.entrySet()) {
                    Pending p = e.getValue();
                    if (p.lastSent() == null || p.lastSent().isBefore(resendBefore)) {
                        toSend.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p.attempt());
                        e.setValue(p.sentAt(now));
                    }
                }
                long untilNext = waiting.isEmpty() ? resendEvery.toNanos()
                        : Duration.between(now, waiting.firstKey()).toNanos();
                waitNanos = Math.max(0, Math.min(untilNext, resendEvery.toNanos() / 2));
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            long t = term;
            toSend.forEach((node, attempts) -> transport.sendOrder(node, new RunOrder(self, t, attempts)));
            if (toSend.isEmpty() && waitNanos > 0) {
                lock.lock();
                try {
                    changed.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Waits until every attempt due before {@code deadline} has been sent and acknowledged (or closed), or
     * the deadline passes: at shutdown, what was already planned reaches its member instead of being lost.
     */
    public boolean awaitDelivered(Instant deadline) throws InterruptedException {
        lock.lock();
        try {
            while (active && (!outstanding.isEmpty() || !waiting.headMap(deadline, true).isEmpty())) {
                long left = Duration.between(clock.instant(), deadline).toNanos();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, 50_000_000L));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Attempts with a kill order that their member is still told about (for tests). */
    public int killingCount() {
        lock.lock();
        try {
            return killing.size();
        } finally {
            lock.unlock();
        }
    }

    /** Attempts sent and not yet acknowledged (for tests and the busy view). */
    public int outstandingCount() {
        lock.lock();
        try {
            return outstanding.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        stop();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
