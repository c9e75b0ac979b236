package dev.hibachi.store.raft;

import dev.hibachi.store.apply.Applier;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.command.CommandCodec;
import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.event.StoreListener;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.query.QueryHandler;
import dev.hibachi.store.index.JobIndex;
import dev.hibachi.store.rocks.JobDatabase;
import dev.hibachi.store.rocks.StoreView;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The replicated job store: Ratis feeds it committed entries, it applies them to RocksDB through the
 * {@link Applier} and answers {@link Query}s.
 *
 * <p>The live database lives outside Ratis's state-machine directory and records its own applied index in
 * every batch, so a restart resumes from the database itself and replays only the log after it; a
 * snapshot (a checkpoint) is loaded only when it is newer than the database, i.e. after an install from
 * the leader. The database is closed only under the write lock, so no apply or query ever touches a
 * closed handle.
 */
public final class JobStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(JobStateMachine.class);

    private final Path liveDir;
    private final CheckpointSnapshots snapshots = new CheckpointSnapshots();
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile JobDatabase db;
    private volatile Applier applier;

    /** @param liveDir where the live RocksDB database is kept (not inside the Raft storage directory) */
    public JobStateMachine(Path liveDir) {
        this.liveDir = liveDir;
    }

    public void addListener(StoreListener listener) {
        listeners.add(listener);
    }

    public void removeListener(StoreListener listener) {
        listeners.remove(listener);
    }

    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    /** Reads of this replica's committed state, for components on this server (not linearizable). */
    public <T> T read(java.util.function.Function<StoreView, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(new StoreView(db));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** This replica's jobs by status, from the in-memory index (for gauges); none while the database is closed. */
    public JobIndex.Counts jobCounts() {
        lock.readLock().lock();
        try {
            JobDatabase open = db;
            return open == null ? JobIndex.Counts.NONE : open.jobIndex().counts();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        getLifeCycle().startAndTransition(this::load, IOException.class);
    }

    @Override
    public void pause() {
        LifeCycle lc = getLifeCycle();
        if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
            lc.transition(LifeCycle.State.PAUSING);
        }
        closeDatabase();
        if (lc.getCurrentState() == LifeCycle.State.PAUSING) {
            lc.transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        load();
        LifeCycle lc = getLifeCycle();
        if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
            lc.transition(LifeCycle.State.STARTING);
            lc.transition(LifeCycle.State.RUNNING);
        }
        publish(new StoreEvent.Reloaded());
    }

    /** Opens the live database, first replacing it with the newest snapshot if that is ahead of it. */
    private void load() throws IOException {
        lock.writeLock().lock();
        try {
            closeDatabase();
            JobDatabase opened = JobDatabase.open(liveDir);
            long[] applied = new StoreView(opened).applied();
            var latest = snapshots.getLatestSnapshot();
            if (latest != null && latest.getIndex() > applied[0]) {
                LOG.info("Loading snapshot {} (the store was at index {})", latest.getTermIndex(), applied[0]);
                opened.close();
                restoreFrom(snapshots.latestDir());
                opened = JobDatabase.open(liveDir);
                applied = new StoreView(opened).applied();
            }
            db = opened;
            applier = new Applier(opened, this::publish);
            setLastAppliedTermIndex(TermIndex.valueOf(applied[1], applied[0]));
            LOG.info("Job store open at {}, applied index {}, {} jobs", liveDir, applied[0], opened.jobIndex().size());
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void restoreFrom(Path snapshotDir) throws IOException {
        CheckpointSnapshots.deleteTree(liveDir);
        Files.createDirectories(liveDir);
        try (Stream<Path> files = Files.list(snapshotDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!f.getFileName().toString().endsWith(".md5")) {
                    Files.copy(f, liveDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void closeDatabase() {
        lock.writeLock().lock();
        try {
            if (db != null) {
                db.close();
                db = null;
                applier = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void publish(StoreEvent event) {
        for (StoreListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("store listener {} failed on {}", l, event.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public void notifyLeaderReady() {
        long term = getServer().thenApply(this::currentTerm).getNow(0L);
        LOG.info("Leader ready in term {}", term);
        leadershipListeners.forEach(l -> l.leaderReady(term));
    }

    @Override
    public void notifyNotLeader(java.util.Collection<TransactionContext> pending) {
        leadershipListeners.forEach(LeadershipListener::leadershipLost);
    }

    @Override
    public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member,
                                    org.apache.ratis.protocol.RaftPeerId newLeader) {
        if (!member.getPeerId().equals(newLeader)) {
            leadershipListeners.forEach(LeadershipListener::leadershipLost);
        }
    }

    private long currentTerm(RaftServer server) {
        try {
            return server.getDivision(getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext ctx = super.startTransaction(request);
        try {
            CommandCodec.decode(request.getMessage().getContent().toByteArray());
        } catch (CommandCodec.MalformedCommandException e) {
            // A fast pre-check on the leader: what cannot be decoded never reaches the log.
            ctx.setException(new StateMachineException(e.getMessage()));
        }
        return ctx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long term = entry.getTerm();
        long index = entry.getIndex();
        if (index <= getLastAppliedTermIndex().getIndex()) {
            // Ratis replays the log from its newest snapshot, but the database is usually further on (it
            // records its own applied index): after a kill -9 the entries between are already in it.
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        lock.readLock().lock();
        try {
            byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
            Reply reply = applier.apply(term, index, data);
            updateLastAppliedTermIndex(term, index);
            return CompletableFuture.completedFuture(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(Json.write(reply))));
        } catch (RuntimeException e) {
            LOG.error("Cannot apply entry {}: the store's disk failed; this replica stops", index, e);
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        // Configuration and no-op entries carry no command, but the store still records that it passed them,
        // so its own applied index never lags behind a snapshot's.
        lock.readLock().lock();
        try {
            if (applier != null && index > getLastAppliedTermIndex().getIndex()) {
                applier.skip(term, index);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (index > getLastAppliedTermIndex().getIndex()) { // not for a replayed entry (see applyTransaction)
            super.notifyTermIndexUpdated(term, index);
        }
    }

    /**
     * Answers {@code query} from this replica's committed state, without Raft's read index (so not linearizable:
     * a follower may be behind), for components and tests on this server.
     *
     * @throws IllegalStateException while the store is closed (between a snapshot's download and its load)
     */
    public Reply answer(Query query) {
        lock.readLock().lock();
        try {
            if (db == null) {
                throw new IllegalStateException("the store is not open");
            }
            return new QueryHandler(db).answer(query);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        lock.readLock().lock();
        try {
            if (db == null) {
                return CompletableFuture.failedFuture(new StateMachineException("the store is not open"));
            }
            Query q = Json.mapper().readValue(request.getContent().toByteArray(), Query.class);
            Reply reply = new QueryHandler(db).answer(q);
            return CompletableFuture.completedFuture(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(Json.write(reply))));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new StateMachineException("bad query: " + e.getMessage()));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        // The write lock: no entry may be applied between reading the applied index and the checkpoint,
        // or the snapshot would hold an entry its name says it does not.
        lock.writeLock().lock();
        try {
            TermIndex ti = getLastAppliedTermIndex();
            if (db == null || ti == null || ti.getIndex() <= 0) {
                return -1;
            }
            Path target = snapshots.dirFor(ti);
            if (Files.exists(target)) {
                return ti.getIndex();
            }
            Path tmp = snapshots.newTmpDir();
            long start = System.nanoTime();
            db.checkpoint(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Snapshot {} taken in {} ms", ti, (System.nanoTime() - start) / 1_000_000);
            return ti.getIndex();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        closeDatabase();
        super.close();
    }
}
