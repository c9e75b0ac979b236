package dev.hibachi.agent.cluster;

import org.jgroups.Address;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's membership as JGroups views show it, with Serf's statuses: a member in the view is
 * {@code ALIVE}; one that announced its leave is {@code LEAVING}, then {@code LEFT} once out of the view; one
 * that drops out of the view without a leave is {@code FAILED}. Members that failed or left stay listed
 * until the reconnect timeout reaps them (Dkron's {@code --serf-reconnect-timeout}); one that comes back with
 * the same incarnation (a healed partition) is {@code ALIVE} again, and one that comes back restarted (same
 * name, new incarnation) replaces its old record.
 *
 * <p>Invariant: the member table is changed only on the one {@code membership} thread, which applies views,
 * leave notices and reaps in the order they arrive and calls the listeners there, so events are delivered in
 * order and never on a JGroups thread. Readers see an immutable snapshot.
 */
public final class JGroupsMembership implements Membership, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JGroupsMembership.class);

    /** The message type of a leave notice. */
    static final String LEAVING = "leaving";
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofHours(24);

    /** What a member broadcasts before it disconnects, so that the others record a leave, not a failure. */
    record LeaveNotice(String name, String incarnation) {
    }

    /** A member's record, where it was last reached, and its pending reap if it is gone. */
    private record Entry(Member member, Address address, ScheduledFuture<?> reap) {
    }

    private final ClusterChannel channel;
    private final Duration reconnectTimeout;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "membership");
        t.setDaemon(true);
        return t;
    });
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Entry> table = new LinkedHashMap<>(); // membership thread only
    private volatile List<Member> snapshot;
    private volatile Member local;

    /** Listens on {@code channel}, which must not be connected yet, so that no view is missed. */
    public JGroupsMembership(ClusterChannel channel, Duration reconnectTimeout, Clock clock) {
        this.channel = channel;
        this.reconnectTimeout = reconnectTimeout;
        this.clock = clock;
        this.local = channel.self().withStatus(Member.Status.ALIVE);
        table.put(local.name(), new Entry(local, MemberAddress.of(local), null));
        this.snapshot = List.of(local);
        thread.setRemoveOnCancelPolicy(true); // a member that comes back leaves no 24 h task behind
        thread.setRejectedExecutionHandler(new ThreadPoolExecutor.DiscardPolicy()); // views after close()
        channel.onView(view -> thread.execute(() -> apply(view)));
        channel.on(LEAVING, LeaveNotice.class, (from, notice) -> thread.execute(() -> leaving(from, notice)));
    }

    @Override
    public Member local() {
        return local;
    }

    @Override
    public Collection<Member> members() {
        return snapshot;
    }

    @Override
    public void addListener(MembershipListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MembershipListener listener) {
        listeners.remove(listener);
    }

    /**
     * Announces that this member is leaving and waits (at most a second) until every member has taken the
     * notice: they record it as {@code LEAVING}, then {@code LEFT} when the channel closes, never
     * {@code FAILED}. Call it just before closing the channel.
     */
    public void leave() {
        channel.broadcastAndWait(LEAVING, new LeaveNotice(local.name(), local.incarnation()));
    }

    /** Stops applying views and delivering events. */
    @Override
    public void close() {
        thread.shutdownNow();
    }

    private void apply(View view) {
        Map<String, MemberAddress.Located> present = MemberAddress.byName(view);
        for (MemberAddress.Located now : present.values()) {
            Member m = now.member();
            Entry known = table.get(m.name());
            if (known == null) {
                table.put(m.name(), new Entry(m, now.address(), null));
                emit(MembershipEvent.Type.MEMBER_ADDED, m);
            } else if (!known.member().incarnation().equals(m.incarnation())) {
                if (!known.member().gone()) {
                    LOG.warn("{} is now incarnation {} while {} is still in the view (it restarted, or two agents"
                            + " share the name)", m.name(), m.incarnation(), known.member().incarnation());
                }
                replace(known, new Entry(m, now.address(), null));
            } else if (known.member().gone()) {
                cancelReap(known);
                table.put(m.name(), new Entry(known.member().withStatus(Member.Status.ALIVE), now.address(), null));
                emit(MembershipEvent.Type.STATUS_CHANGED, table.get(m.name()).member());
            }
        }
        for (Entry e : List.copyOf(table.values())) {
            if (!view.containsMember(e.address()) && !e.member().gone()) {
                change(e, e.member().status() == Member.Status.LEAVING ? Member.Status.LEFT : Member.Status.FAILED);
            }
        }
        publish();
    }

    private void leaving(Address from, LeaveNotice notice) {
        Member sender = MemberAddress.read(from).orElse(null);
        if (sender == null || !sender.name().equals(notice.name())
                || !sender.incarnation().equals(notice.incarnation())) {
            LOG.warn("dropped a leave notice for {} sent by {}", notice, from); // a member only leaves itself
            return;
        }
        Entry e = table.get(sender.name());
        if (e == null || !e.member().incarnation().equals(sender.incarnation())) {
            return;
        }
        switch (e.member().status()) {
            case ALIVE -> change(e, Member.Status.LEAVING);
            case FAILED -> change(e, Member.Status.LEFT); // its view change overtook its notice
            default -> { }
        }
        publish();
    }

    /** Moves a member to {@code status}; one that is gone is reaped after the reconnect timeout. */
    private void change(Entry e, Member.Status status) {
        cancelReap(e);
        Member m = e.member().withStatus(status);
        ScheduledFuture<?> reap = m.gone() && !m.incarnation().equals(local.incarnation())
                ? thread.schedule(() -> reap(m), reconnectTimeout.toNanos(), TimeUnit.NANOSECONDS)
                : null;
        table.put(m.name(), new Entry(m, e.address(), reap));
        emit(MembershipEvent.Type.STATUS_CHANGED, m);
    }

    private void replace(Entry old, Entry now) {
        cancelReap(old);
        emit(MembershipEvent.Type.MEMBER_REMOVED, old.member());
        table.put(now.member().name(), now);
        emit(MembershipEvent.Type.MEMBER_ADDED, now.member());
    }

    private void reap(Member m) {
        Entry e = table.get(m.name());
        if (e != null && e.member().equals(m)) {
            table.remove(m.name());
            emit(MembershipEvent.Type.MEMBER_REMOVED, m);
            publish();
        }
    }

    private static void cancelReap(Entry e) {
        if (e.reap() != null) {
            e.reap().cancel(false);
        }
    }

    private void publish() {
        snapshot = table.values().stream().map(Entry::member).toList();
        Entry self = table.get(local.name());
        if (self != null && self.member().incarnation().equals(local.incarnation())) {
            local = self.member();
        }
    }

    private void emit(MembershipEvent.Type type, Member member) {
        MembershipEvent event = new MembershipEvent(type, member, clock.instant());
        LOG.info("{} {} ({}) {}", type, member.name(), member.incarnation(), member.status());
        for (MembershipListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException ex) {
                LOG.error("a membership listener failed on {}", event, ex);
            }
        }
    }
}
