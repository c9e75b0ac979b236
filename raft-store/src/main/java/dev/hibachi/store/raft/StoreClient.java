package dev.hibachi.store.raft;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.query.Query;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.StaleReadException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The store's read/write API, over a Ratis client: writes are commands proposed to the leader (the client
 * follows redirects from followers), reads are linearizable queries. Retries are bounded, so a caller
 * without a quorum gets an error instead of waiting forever.
 *
 * <p>A Ratis client whose ordered request ran out of retries closes its sliding window for good: every
 * later request fails with {@link AlreadyClosedException}. So when a request fails that way, the Ratis
 * client is replaced by a new one, and an outage longer than the retries does not outlive itself.
 */
public final class StoreClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreClient.class);
    /** Where replies are completed (see {@link #renewing}); idle threads end after a minute. */
    private static final ExecutorService CALLBACKS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "store-replies");
                t.setDaemon(true);
                return t;
            });

    private final Collection<StoreServerConfig.Peer> servers;
    /** The servers alive now, as the caller knows them; a renewed Ratis client starts from these. */
    private volatile Supplier<Collection<StoreServerConfig.Peer>> alive = () -> List.of();
    /** How long a read-your-writes read waits for the nearest replica to catch up before the leader answers. */
    static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);
    static final Duration CATCH_UP_POLL = Duration.ofMillis(10);
    private volatile Supplier<Optional<String>> nearest = Optional::empty;
    private volatile SubmitObserver submits = SubmitObserver.NONE;
    private final int retries;
    private final Duration retrySleep;
    private final Object lock = new Object();
    private volatile RaftClient client;
    /**
     * Asks one server once: for the group's voters, and for reads from the nearest replica. A dead server must
     * cost one refused connection, not retries.
     */
    private final RaftClient infoClient;
    private boolean closed; // guarded by lock

    public StoreClient(Collection<StoreServerConfig.Peer> servers) {
        this(servers, 40, Duration.ofMillis(250));
    }

    /** With {@code retries} attempts per request, {@code retrySleep} apart, before it fails. */
    public StoreClient(Collection<StoreServerConfig.Peer> servers, int retries, Duration retrySleep) {
        this.servers = List.copyOf(servers);
        this.retries = retries;
        this.retrySleep = retrySleep;
        this.client = newRaftClient(retries, retrySleep);
        this.infoClient = newRaftClient(1, Duration.ZERO);
    }

    private RaftClient newRaftClient() {
        return newRaftClient(retries, retrySleep);
    }

    private RaftClient newRaftClient(int attempts, Duration sleep) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return RaftClient.newBuilder()
                .setProperties(p)
                .setRaftGroup(StoreGroup.of(current()))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                        TimeDuration.valueOf(sleep.toMillis(), TimeUnit.MILLISECONDS)))
                .build();
    }

    /** Proposes a command; completes with its reply once applied, or exceptionally if the store is unreachable. */
    public CompletableFuture<Reply> submit(Command command) {
        Message m = Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command)));
        RaftClient c = client;
        long proposed = System.nanoTime();
        CompletableFuture<Reply> reply = renewing(c, c.async().send(m));
        SubmitObserver observer = submits;
        if (observer != SubmitObserver.NONE) {
            reply.whenComplete((r, e) -> observer.submitted(System.nanoTime() - proposed, e == null));
        }
        return reply;
    }

    /** Tells {@code observer} how long each later write took (the commit latency the agent's metrics show). */
    public void observeSubmits(SubmitObserver observer) {
        submits = observer;
    }

    /** Proposes a command and waits for its reply. */
    public Reply submit(Command command, Duration timeout) throws StoreUnavailableException {
        return await(submit(command), timeout);
    }

    /** A linearizable read (through the leader's read index). */
    public CompletableFuture<Reply> query(Query query) {
        Message m = Message.valueOf(ByteString.copyFrom(Json.write(query)));
        RaftClient c = client;
        return renewing(c, c.async().sendReadOnly(m));
    }

    /**
     * A read as fresh as {@code consistency} asks. A non-linearizable one is served by the nearest replica
     * ({@link #readFrom}); while that replica has not applied the index asked for, it is asked again every
     * {@link #CATCH_UP_POLL} for up to {@link #CATCH_UP_WAIT}, then (or if it cannot answer) the leader answers.
     */
    public CompletableFuture<Reply> query(Query query, ReadConsistency consistency) {
        Optional<String> server = consistency.linearizable() ? Optional.empty() : nearest.get();
        if (server.isEmpty()) {
            return query(query);
        }
        Message m = Message.valueOf(ByteString.copyFrom(Json.write(query)));
        return nearRead(m, consistency.minIndex(), RaftPeerId.valueOf(server.get()),
                System.nanoTime() + CATCH_UP_WAIT.toNanos())
                .exceptionallyCompose(error -> query(query));
    }

    private CompletableFuture<Reply> nearRead(Message m, long minIndex, RaftPeerId server, long deadline) {
        // The one-try client: a replica that is behind answers at once, and this loop (not Ratis' retry policy,
        // which would sleep between tries for seconds) decides how long to wait for it.
        RaftClient c = infoClient();
        return renewing(c, c.async().sendStaleRead(m, minIndex, server)).exceptionallyCompose(error -> {
            if (System.nanoTime() - deadline >= 0 || !causedBy(error, StaleReadException.class)) {
                return CompletableFuture.failedFuture(error);
            }
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(CATCH_UP_POLL.toMillis(), TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> nearRead(m, minIndex, server, deadline));
        });
    }

    /** Which server's replica answers this client's non-linearizable reads (for a server agent: its own). */
    public void readFrom(Supplier<Optional<String>> server) {
        this.nearest = server;
    }

    public Reply query(Query query, ReadConsistency consistency, Duration timeout) throws StoreUnavailableException {
        return await(query(query, consistency), timeout);
    }

    /**
     * The reply of {@code sent}; if it failed because {@code used} is closed for good, replaces {@code used}.
     *
     * <p>Completed on a thread of ours: Ratis completes its futures while it holds its sliding window's lock, so a
     * caller's callback that took a lock of its own there would deadlock against a thread that holds that lock and
     * submits (seen: the runner's late-order claim).
     */
    private CompletableFuture<Reply> renewing(RaftClient used, CompletableFuture<RaftClientReply> sent) {
        return sent.handleAsync((r, error) -> {
            if (error != null) {
                if (causedBy(error, AlreadyClosedException.class)) {
                    renew(used);
                }
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
            }
            return reply(r);
        }, CALLBACKS);
    }

    private void renew(RaftClient broken) {
        synchronized (lock) {
            if (closed || client != broken) {
                return; // closed on purpose, or already replaced
            }
            LOG.warn("The store client ran out of retries and closed; starting a new one");
            client = newRaftClient();
        }
        try {
            broken.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the old store client: {}", e.toString());
        }
    }

    /**
     * Where the servers alive now can be learnt (for an agent: its membership). A Ratis client that is replaced
     * after an outage, and {@link #raftPeers()}, then start from them rather than from the servers known at
     * construction, one of which may be the dead server the outage was about.
     */
    public void followServers(Supplier<Collection<StoreServerConfig.Peer>> source) {
        this.alive = source;
    }

    private Collection<StoreServerConfig.Peer> current() {
        Collection<StoreServerConfig.Peer> now = alive.get();
        return now.isEmpty() ? servers : now;
    }

    /**
     * The one-try client, knowing the address of every server alive now: it was made with the servers known then,
     * and Ratis refuses to ask a server whose address it was never given ("Server s2 not found"), so a client agent
     * whose first servers were all gone could never again name the leader. Adding a known peer is a map lookup.
     */
    private RaftClient infoClient() {
        infoClient.getClientRpc().addRaftPeers(current().stream().map(StoreGroup::peer).toList());
        return infoClient;
    }

    /** A voting member of the store's Raft group, as its configuration lists it. */
    public record RaftPeerInfo(String id, String address, boolean leader) {
    }

    /**
     * The Raft group's current voting members, as the first server that answers knows them.
     *
     * @throws StoreUnavailableException when no known server answers
     */
    public List<RaftPeerInfo> raftPeers() throws StoreUnavailableException {
        RaftClient c = infoClient();
        Exception last = null;
        List<RaftPeerInfo> leaderless = null;
        for (StoreServerConfig.Peer server : current()) {
            try {
                GroupInfoReply info = c.getGroupManagementApi(RaftPeerId.valueOf(server.id())).info(StoreGroup.ID);
                RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
                String leader = role.getRole() == RaftProtos.RaftPeerRole.LEADER ? server.id()
                        : role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8()
                        : "";
                List<RaftPeerInfo> peers = info.getConf().map(conf -> conf.getPeersList().stream()
                        .map(p -> new RaftPeerInfo(p.getId().toStringUtf8(), p.getAddress(),
                                p.getId().toStringUtf8().equals(leader)))
                        .toList()).orElse(List.of());
                if (!leader.isEmpty()) {
                    return peers;
                }
                // A server that has not heard from a leader yet (a candidate, one just restarted) is asked
                // last: another may know the leader.
                leaderless = leaderless == null ? peers : leaderless;
            } catch (IOException | RuntimeException e) { // gRPC's "unavailable" is unchecked
                last = e;
            }
        }
        if (leaderless != null) {
            return leaderless;
        }
        throw new StoreUnavailableException("no store server answered" + (last == null ? "" : ": " + last.getMessage()),
                last);
    }

    /** Adds {@code peer} to the Raft group as a voter (a no-op if it is one already). */
    public void addRaftPeer(StoreServerConfig.Peer peer) throws StoreUnavailableException {
        setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of(StoreGroup.peer(peer)))
                .setMode(SetConfigurationRequest.Mode.ADD).build(), "add " + peer.id());
    }

    /**
     * Removes the voter {@code id} from the Raft group, if the configuration has not changed meanwhile.
     *
     * @return false when {@code id} is not a voter
     */
    public boolean removeRaftPeer(String id) throws StoreUnavailableException {
        List<RaftPeerInfo> current = raftPeers();
        if (current.stream().noneMatch(p -> p.id().equals(id))) {
            return false;
        }
        List<RaftPeer> before = current.stream()
                .map(p -> StoreGroup.peer(new StoreServerConfig.Peer(p.id(), p.address()))).toList();
        List<RaftPeer> after = before.stream().filter(p -> !p.getId().toString().equals(id)).toList();
        setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(before).setServersInNewConf(after)
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build(), "remove " + id);
        return true;
    }

    private void setConfiguration(SetConfigurationRequest.Arguments arguments, String what)
            throws StoreUnavailableException {
        RaftClientReply reply;
        try {
            reply = client.admin().setConfiguration(arguments);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot " + what + ": " + e.getMessage(), e);
        }
        if (!reply.isSuccess()) {
            Exception ex = reply.getException();
            throw new StoreUnavailableException("cannot " + what + ": "
                    + (ex == null ? "refused" : ex.getMessage()), ex);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    public Reply query(Query query, Duration timeout) throws StoreUnavailableException {
        return await(query(query), timeout);
    }

    private static Reply await(CompletableFuture<Reply> f, Duration timeout) throws StoreUnavailableException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted", e);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new StoreUnavailableException("the job store did not answer within " + timeout.toMillis() + " ms"
                    + " (no leader, or no quorum)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : e.getCause();
            throw new StoreUnavailableException("the job store is unavailable: " + cause.getMessage(), cause);
        }
    }

    private static Reply reply(RaftClientReply r) {
        if (!r.isSuccess()) {
            Exception ex = r.getException();
            throw new CompletionException(new StoreUnavailableException(
                    ex == null ? "request failed" : ex.getMessage(), ex));
        }
        return Json.read(r.getMessage().getContent().toByteArray(), Reply.class);
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            closed = true;
        }
        infoClient.close();
        client.close();
    }
}
