package dev.hibachi.agent.notify;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.MembershipEvent;
import dev.hibachi.agent.cluster.MembershipListener;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.raft.JobStateMachine;
import dev.hibachi.store.raft.LeadershipListener;
import dev.hibachi.store.raft.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Delivers, on the leader only, the notification intents the store holds pending (DESIGN.md, step 5). Each
 * intent becomes a {@link Notice}; it goes to every channel that {@link Channel#accepts accepts} it and whose rule
 * ({@link NoticeFilter}) passes; a channel that fails is tried again with backoff; once every chosen channel
 * delivered (or gave up, past the maximum age) the leader commits the intent's completion, in batches.
 *
 * <p>At least once: a channel that delivered is not sent the notice again by this leader, but a new leader sends
 * the whole intent again (a duplicate only if a leader dies between a send and the commit); the delivery id lets
 * receivers drop it. Nothing here blocks the applier, the scheduler or a job: all state lives on one thread of
 * its own, and sends are asynchronous. At most {@link Timing#inFlight} intents are held in memory; the rest wait
 * in the store and are read a page at a time.
 */
public final class Notifier implements StoreListener, LeadershipListener, MembershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final int COMPLETIONS_PER_ENTRY = 1000;

    /**
     * @param backoff between a channel's tries
     * @param maxAge an intent older than this is given up (completed undelivered, logged, reported)
     * @param inFlight intents held in memory at most
     * @param flushEvery how long completions wait to be committed together
     * @param sendTimeout a send that has not completed by then counts as failed
     */
    public record Timing(DeliveryBackoff backoff, Duration maxAge, int inFlight, Duration flushEvery,
                         Duration sendTimeout) {
        public static Timing defaults() {
            return new Timing(DeliveryBackoff.DEFAULT, Duration.ofHours(24), 1000, Duration.ofMillis(200),
                    Duration.ofMinutes(1));
        }
    }

    private final JobStateMachine store;
    private final StoreClient client;
    private final List<Channel> channels;
    private final NoticeFilter filter;
    private final NotifySettings settings;
    private final DeliveryObserver observer;
    private final String nodeName;
    private final Clock clock;
    private final Timing timing;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "notifier");
        t.setDaemon(true);
        return t;
    });

    // Touched only on the notifier's thread.
    private final Map<String, Delivery> inFlight = new LinkedHashMap<>();
    /** Intents delivered (or given up) whose completion is not committed yet, by key. */
    private final Map<String, Completion> completing = new LinkedHashMap<>();
    private ScheduledFuture<?> flush;
    private boolean backlog;
    /** Bumped on every start and stop, so that callbacks of an earlier term of leadership do nothing. */
    private long epoch;
    private volatile boolean active;

    /** One intent being delivered: its notice and the channels still to deliver it. */
    private record Delivery(PendingNotice intent, Notice notice, Set<Channel> remaining, Map<Channel, Integer> failures,
                            List<ScheduledFuture<?>> timers, boolean[] gaveUp) {
    }

    private record Completion(String deliveryId, String outcome, boolean[] committing) {
    }

    public Notifier(JobStateMachine store, StoreClient client, List<Channel> channels, NotifySettings settings,
                    DeliveryObserver observer, String nodeName, Clock clock, Timing timing) {
        this.store = store;
        this.client = client;
        this.channels = List.copyOf(channels);
        this.settings = settings;
        this.filter = new NoticeFilter(settings);
        this.observer = observer;
        this.nodeName = nodeName;
        this.clock = clock;
        this.timing = timing;
    }

    // ---- leadership --------------------------------------------------------------------------------------

    @Override
    public void leaderReady(long term) {
        run(() -> {
            epoch++;
            active = true;
            LOG.info("Leading: delivering the pending notifications ({} channel(s): {})", channels.size(),
                    channels.stream().map(Channel::name).toList());
            refill();
            if (settings.clusterEvents()) {
                record(Command.RecordClusterEvent.LEADER_CHANGED, nodeName, "node " + nodeName
                        + " became the leader (term " + term + ")", 0);
            }
        });
    }

    @Override
    public void leadershipLost() {
        run(this::stopDelivering);
    }

    private void stopDelivering() {
        epoch++;
        active = false;
        inFlight.values().forEach(d -> d.timers().forEach(f -> f.cancel(false)));
        inFlight.clear();
        completing.clear(); // the next leader sends these again: at least once
        if (flush != null) {
            flush.cancel(false);
            flush = null;
        }
    }

    @Override
    public void onEvent(MembershipEvent event) {
        if (active && settings.clusterEvents() && event.member().status() == Member.Status.FAILED
                && event.type() != MembershipEvent.Type.MEMBER_REMOVED) {
            String name = event.member().name();
            run(() -> record(Command.RecordClusterEvent.MEMBER_FAILED, name, "member " + name + " failed", 0));
        }
    }

    /** Commits a cluster event, so that its notification is an intent like any other; retried while leading. */
    private void record(String event, String node, String detail, int failures) {
        long mine = epoch;
        client.submit(new Command.RecordClusterEvent(clock.instant(), event, node, detail))
                .whenComplete((reply, error) -> run(() -> {
                    if (mine != epoch || (error == null && reply != null && reply.ok())) {
                        return;
                    }
                    LOG.debug("Recording {} failed ({}); trying again", event, error != null ? error : reply.error());
                    thread.schedule(() -> record(event, node, detail, failures + 1),
                            timing.backoff().after(failures + 1).toMillis(), TimeUnit.MILLISECONDS);
                }));
    }

    // ---- intents -----------------------------------------------------------------------------------------

    @Override
    public void onEvent(StoreEvent event) {
        if (event instanceof StoreEvent.NotificationPending p && active) {
            run(() -> {
                if (active) {
                    admit(p.notice());
                }
            });
        }
    }

    /** Reads pending intents from the store while there is room (on start, and as completions free it). */
    private void refill() {
        int room = timing.inFlight() - inFlight.size();
        if (!active || room <= 0) {
            return;
        }
        int known = inFlight.size() + completing.size();
        List<PendingNotice> page = store.read(v -> v.pendingNotices(null, known + room));
        backlog = page.size() == known + room;
        for (PendingNotice p : page) {
            admit(p);
        }
    }

    private void admit(PendingNotice intent) {
        String key = intent.key();
        if (inFlight.containsKey(key) || completing.containsKey(key)) {
            return;
        }
        if (inFlight.size() >= timing.inFlight()) {
            backlog = true;
            return;
        }
        Notice notice;
        try {
            notice = noticeOf(intent);
        } catch (IllegalArgumentException e) {
            LOG.warn("Notification {} cannot be sent ({}): dropped", intent.deliveryId(), e.getMessage());
            complete(key, intent.deliveryId(), "undeliverable");
            return;
        }
        Set<Channel> chosen = new LinkedHashSet<>();
        for (Channel c : channels) {
            try {
                if (c.accepts(notice) && filter.wants(c.name(), notice)) {
                    chosen.add(c);
                }
            } catch (RuntimeException e) {
                LOG.warn("Channel {} could not decide on notification {}: skipped", c.name(), notice.deliveryId(), e);
            }
        }
        if (chosen.isEmpty()) {
            complete(key, intent.deliveryId(), "no channel");
            return;
        }
        Delivery d = new Delivery(intent, notice, chosen, new HashMap<>(), new ArrayList<>(), new boolean[1]);
        inFlight.put(key, d);
        for (Channel c : List.copyOf(chosen)) {
            send(d, c);
        }
    }

    private void send(Delivery d, Channel channel) {
        long mine = epoch;
        CompletableFuture<Void> sent;
        try {
            sent = channel.send(d.notice());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.orTimeout(timing.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, error) -> run(() -> {
                    if (mine == epoch && inFlight.get(d.intent().key()) == d) {
                        sent(d, channel, error);
                    }
                }));
    }

    private void sent(Delivery d, Channel channel, Throwable error) {
        Notice notice = d.notice();
        if (error == null) {
            d.remaining().remove(channel);
            observer.delivered(channel.name(), notice);
        } else {
            int failures = d.failures().merge(channel, 1, Integer::sum);
            Duration wait = timing.backoff().after(failures);
            boolean expired = Duration.between(notice.at(), clock.instant()).plus(wait).compareTo(timing.maxAge()) > 0;
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            observer.failed(channel.name(), notice, cause, !expired);
            if (expired) {
                LOG.error("Notification {} ({} of {}) via {} failed {} time(s) and is older than {}: given up: {}",
                        notice.deliveryId(), notice.event(), describe(notice), channel.name(), failures,
                        timing.maxAge(), cause.toString());
                d.remaining().remove(channel);
                d.gaveUp()[0] = true;
            } else {
                LOG.warn("Notification {} ({} of {}) via {} failed ({}); trying again in {} ms", notice.deliveryId(),
                        notice.event(), describe(notice), channel.name(), cause.toString(), wait.toMillis());
                long mine = epoch;
                d.timers().add(thread.schedule(() -> {
                    if (mine == epoch && inFlight.get(d.intent().key()) == d) {
                        send(d, channel);
                    }
                }, wait.toMillis(), TimeUnit.MILLISECONDS));
                return;
            }
        }
        if (d.remaining().isEmpty()) {
            inFlight.remove(d.intent().key());
            complete(d.intent().key(), notice.deliveryId(), d.gaveUp()[0] ? "given up" : "delivered");
        }
    }

    private static String describe(Notice n) {
        return n.job() != null ? "job " + n.job() : "the cluster";
    }

    private void complete(String key, String deliveryId, String outcome) {
        inFlight.remove(key);
        completing.put(key, new Completion(deliveryId, outcome, new boolean[1]));
        if (flush == null) {
            flush = thread.schedule(this::flush, timing.flushEvery().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Commits the completions gathered since the last flush, one entry per outcome and thousand ids. */
    private void flush() {
        flush = null;
        if (!active) {
            return;
        }
        Map<String, List<String>> byOutcome = new LinkedHashMap<>();
        Map<String, List<String>> keys = new HashMap<>();
        completing.forEach((key, c) -> {
            if (!c.committing()[0]) {
                c.committing()[0] = true;
                byOutcome.computeIfAbsent(c.outcome(), o -> new ArrayList<>()).add(c.deliveryId());
                keys.computeIfAbsent(c.outcome(), o -> new ArrayList<>()).add(key);
            }
        });
        long mine = epoch;
        byOutcome.forEach((outcome, ids) -> {
            for (int from = 0; from < ids.size(); from += COMPLETIONS_PER_ENTRY) {
                int to = Math.min(ids.size(), from + COMPLETIONS_PER_ENTRY);
                List<String> batchKeys = List.copyOf(keys.get(outcome).subList(from, to));
                client.submit(new Command.CompleteNotifications(clock.instant(), List.copyOf(ids.subList(from, to)),
                        outcome)).whenComplete((reply, error) -> run(() -> committed(mine, batchKeys, reply, error)));
            }
        });
    }

    private void committed(long mine, List<String> batchKeys, Reply reply, Throwable error) {
        if (mine != epoch) {
            return;
        }
        boolean ok = error == null && reply != null && reply.ok();
        for (String key : batchKeys) {
            Completion c = completing.get(key);
            if (ok) {
                completing.remove(key);
            } else if (c != null) {
                c.committing()[0] = false;
            }
        }
        if (ok) {
            if (backlog) {
                refill();
            }
        } else {
            LOG.debug("Committing {} notification completion(s) failed ({}); trying again", batchKeys.size(),
                    error != null ? error : reply.error());
            if (flush == null) {
                flush = thread.schedule(this::flush, Math.max(1000, timing.flushEvery().toMillis()),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The notice a channel is handed, from the stored intent; an unknown event is refused. */
    static Notice noticeOf(PendingNotice p) {
        Notice.Event event = Notice.Event.valueOf(p.event() == null ? "" : p.event());
        List<Notice.Attempt> attempts = p.executions().stream().map(a -> new Notice.Attempt(a.id(), a.node(),
                a.attempt(), a.startedAt(), a.finishedAt(), a.success(), a.exitCode(), a.output())).toList();
        Instant at = p.at() == null ? Instant.EPOCH : p.at();
        return new Notice(p.deliveryId(), event, at, p.job(), p.ownerEmail(), p.metadata(), p.runId(), p.status(),
                p.previousStatus(), attempts, p.detail());
    }

    /** How many intents this leader holds in memory (delivering, or waiting for their completion to commit). */
    public int inFlight() {
        try {
            return CompletableFuture.supplyAsync(() -> inFlight.size() + completing.size(), thread).join();
        } catch (RejectedExecutionException e) {
            return 0;
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Notifier step failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nothing more to deliver here.
        }
    }

    @Override
    public void close() {
        run(this::stopDelivering);
        thread.shutdown();
    }
}
