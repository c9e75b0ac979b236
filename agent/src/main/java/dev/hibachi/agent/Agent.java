package dev.hibachi.agent;

import dev.hibachi.agent.cluster.ClusterChannel;
import dev.hibachi.agent.cluster.GroupFormation;
import dev.hibachi.agent.cluster.JGroupsMembership;
import dev.hibachi.agent.cluster.JGroupsTransport;
import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.Dispatcher;
import dev.hibachi.agent.dispatch.RunTransport;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.leader.LeaderRole;
import dev.hibachi.agent.leader.LostAttemptSweeper;
import dev.hibachi.agent.leader.Outbox;
import dev.hibachi.agent.leader.OverdueWatch;
import dev.hibachi.agent.leader.ServerAdmission;
import dev.hibachi.agent.notify.Channel;
import dev.hibachi.agent.notify.Channels;
import dev.hibachi.agent.notify.DeliveryObserver;
import dev.hibachi.agent.notify.Notice;
import dev.hibachi.agent.notify.Notifier;
import dev.hibachi.agent.metrics.LeaderTally;
import dev.hibachi.agent.metrics.Metrics;
import dev.hibachi.agent.metrics.MicrometerMetrics;
import dev.hibachi.agent.plugin.PluginFolder;
import dev.hibachi.agent.process.ProcessorChain;
import dev.hibachi.agent.process.ProcessorRegistry;
import dev.hibachi.agent.run.ExecutorRegistry;
import dev.hibachi.agent.run.ArtifactFolders;
import dev.hibachi.agent.run.Reporter;
import dev.hibachi.agent.run.RunJournal;
import dev.hibachi.agent.run.Runner;
import dev.hibachi.agent.schedule.FireIndex;
import dev.hibachi.agent.schedule.Scheduler;
import dev.hibachi.store.command.Command;
import dev.hibachi.store.model.ClusterSettings;
import dev.hibachi.store.raft.StoreClient;
import dev.hibachi.store.raft.StoreServer;
import dev.hibachi.store.raft.StoreServerConfig;
import dev.hibachi.store.raft.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Hibachi agent: a member that runs jobs, and — with {@code server} — a replica of the job store that
 * schedules and dispatches while it leads. This class only wires the parts together and orders their
 * start and stop; each part is described where it is defined.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final Clock clock;
    private final DispatchObserver observer;
    private final List<Channel> notifyChannels;
    private final DeliveryObserver deliveryObserver;
    private final Metrics metrics;
    private final String incarnation = UUID.randomUUID().toString();
    private final List<AutoCloseable> frontDoors = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "agent-timer");
        t.setDaemon(true);
        return t;
    });

    private StoreServer storeServer;
    private StoreClient client;
    private StoreClient leaderClient;
    private ClusterChannel channel;
    private Membership membership;
    private RunTransport transport;
    private Dispatcher dispatcher;
    private Scheduler scheduler;
    private LeaderRole leaderRole;
    private Notifier notifier;
    private ProcessGroups processGroups;
    private RunJournal journal;
    private Reporter reporter;
    private Runner runner;
    private JobService jobs;
    private PluginFolder plugins;
    private ExecutorRegistry executors;
    private ProcessorRegistry processors;
    private volatile CompletableFuture<Void> doorsOpened = CompletableFuture.completedFuture(null);
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean ready;
    private volatile boolean closed;

    private Agent(AgentConfig config, Clock clock, DispatchObserver observer, List<Channel> notifyChannels,
                  DeliveryObserver deliveryObserver) {
        this.config = config;
        this.clock = clock;
        this.metrics = MicrometerMetrics.of(config.metrics(), config.nodeName());
        this.observer = DispatchObserver.both(observer, metrics);
        this.notifyChannels = List.copyOf(notifyChannels);
        this.deliveryObserver = deliveryObserver;
    }

    public static Agent start(AgentConfig config) throws Exception {
        return start(config, Clock.systemUTC(), DispatchObserver.NONE, true);
    }

    /**
     * Starts an agent whose leader notifies through the channels its settings configure; {@code frontDoors} false
     * leaves out the HTTP API (for tests of the core).
     */
    public static Agent start(AgentConfig config, Clock clock, DispatchObserver observer, boolean frontDoors)
            throws Exception {
        return start(config, clock, observer, frontDoors, Channels.from(config), DeliveryObserver.NONE);
    }

    /** Starts an agent whose leader notifies through {@code channels} (made from the settings at start). */
    public static Agent start(AgentConfig config, Clock clock, DispatchObserver observer, boolean frontDoors,
                              List<Channel> channels, DeliveryObserver deliveries) throws Exception {
        Agent agent = new Agent(config, clock, observer, channels, deliveries);
        try {
            agent.startParts(frontDoors);
        } catch (Exception | Error e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void startParts(boolean openFrontDoors) throws Exception {
        long started = System.nanoTime();
        // Before joining: the member announces the executors it has, plugins included.
        plugins = PluginFolder.open(config.pluginDir().orElse(null), Agent.class.getClassLoader());
        executors = ExecutorRegistry.load(plugins); // one registry: what is validated is what runs
        processors = ProcessorRegistry.load(plugins);
        LOG.info("Executors: {}; processors: {}{}", executors.names(), processors.names(),
                plugins.jars().isEmpty() ? "" : " (plugins: " + plugins.jars() + ")");
        joinCluster();
        metrics.members(membership::members);
        TargetSelector selector = new TargetSelector(new SecureRandom());
        if (config.server()) {
            startStoreServer(selector);
        } else {
            awaitAServer();
        }
        client = new StoreClient(knownServers());
        client.followServers(this::knownServers);
        client.readFrom(this::nearestServer);
        measureWrites(client);

        jobs = new JobService(client, executors, processors, membership, selector, clock, Duration.ofSeconds(10));
        // The HTTP server takes about a second to start: it starts beside the store, and answers 503 on
        // /health (and waits on the store for the rest) until the agent is ready.
        if (openFrontDoors) {
            doorsOpened = CompletableFuture.runAsync(this::openFrontDoors,
                    runnable -> new Thread(runnable, "front-doors").start());
        }
        if (storeServer != null) {
            storeServer.start();
            scheduler.rebuildIndex();
        }

        processGroups = new ProcessGroups(config.dataDir().resolve("process-groups"));
        // Two minutes outlast any re-send (every second, until acknowledged); an order older than that is claimed
        // through the store before it runs, so forgetting a reported attempt cannot make it run twice.
        journal = new RunJournal(config.dataDir().resolve("journal"), Duration.ofMinutes(2));
        ArtifactFolders artifacts = new ArtifactFolders(config.dataDir().resolve("artifacts"),
                config.artifactsBudget());
        reporter = new Reporter(client, config.nodeName(), journal, clock, Duration.ofMillis(50), artifacts);
        runner = new Runner(config.nodeName(), incarnation, journal, executors,
                new ProcessorChain(processors, config.nodeName(), config.dataDir(), OutputBuffer.DEFAULT_CAPACITY),
                processGroups,
                reporter, transport, client, clock, observer,
                Runner.Settings.defaults().withKillGrace(config.killGrace()), artifacts);
        metrics.runningExecutions(runner::runningCount);
        runner.recover(); // kills what a previous agent left running, before our own reaper starts
        processGroups.startReaper();
        timer.scheduleWithFixedDelay(runner::prune, 1, 1, TimeUnit.MINUTES);

        if (config.server()) {
            initializeCluster();
        }
        try {
            doorsOpened.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        ready = true;
        LOG.info("Agent {} started in {} ms (incarnation {})", config.nodeName(),
                (System.nanoTime() - started) / 1_000_000, incarnation);
    }

    /** Opens the gossip channel: this agent becomes a member, and learns the others. */
    private void joinCluster() throws Exception {
        AgentConfig.HostPort gossip = config.advertiseAddr();
        String raft = config.server() ? gossip.host() + ":" + config.rpcPort() : "";
        // Other members call this address (live output), so a wildcard listen address is advertised as the
        // gossip host, as the Raft address is.
        String http = config.httpAddr().isAnyAddress() ? gossip.host() + ":" + config.httpAddr().port()
                : config.httpAddr().toString();
        Member self = new Member(config.nodeName(), incarnation, config.tags(), config.server(), http, raft,
                gossip.host(), gossip.port(), Member.Status.ALIVE, executors.names());
        // --retry-join's hosts are initial hosts too: JGroups' merge protocol keeps asking them (every 2-5 s)
        // until they answer, which is the retrying Dkron's flag asks for.
        List<InetSocketAddress> join = java.util.stream.Stream.concat(config.join().stream(), config.retryJoin().stream())
                .map(j -> AgentConfig.HostPort.parse(j, ClusterChannel.Settings.DEFAULT_PORT))
                .map(hp -> new InetSocketAddress(hp.host(), hp.port())).toList();
        ClusterChannel.Settings defaults = ClusterChannel.Settings.defaults(
                new InetSocketAddress(config.bindAddr().host(), config.bindAddr().port()), join);
        if (join.isEmpty()) {
            // Nobody to find: the first agent of a cluster need not wait for answers to its discovery.
            defaults = defaults.withJoinTimeout(Duration.ofMillis(100));
        }
        channel = new ClusterChannel(self, defaults.withKey(config.encrypt()));
        JGroupsMembership gossipMembership = new JGroupsMembership(channel, config.reconnectTimeout(), clock);
        membership = gossipMembership;
        transport = new JGroupsTransport(channel);
        channel.connect();
        watchRetryJoin();
    }

    /**
     * With {@code --retry-join} and a {@code --retry-max}: an agent that still sees nobody else after that many
     * {@code --retry-interval}s gives up and stops, as Dkron's does.
     */
    private void watchRetryJoin() {
        if (config.retryJoin().isEmpty() || config.retryMax() == 0) {
            return;
        }
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        long every = config.retryInterval().toMillis();
        task.set(timer.scheduleWithFixedDelay(() -> {
            boolean joined = membership.members().stream()
                    .anyMatch(m -> m.alive() && !m.name().equals(config.nodeName()));
            if (joined || closed) {
                task.get().cancel(false);
            } else if (failed.incrementAndGet() >= config.retryMax()) {
                LOG.error("Nobody answered at {} after {} attempt(s) {} ms apart (--retry-max): stopping",
                        config.retryJoin(), failed.get(), every);
                task.get().cancel(false);
                new Thread(this::close, "retry-join-gave-up").start();
            }
        }, every, every, TimeUnit.MILLISECONDS));
    }

    /** Builds this server's store replica, its peers decided by {@link GroupFormation} on first start. */
    private void startStoreServer(TargetSelector selector) throws Exception {
        StoreServerConfig storeConfig = StoreServerConfig.singleNode(config.nodeName(), config.bindAddr().host(),
                config.rpcPort(), config.dataDir());
        if (!StoreServer.hasState(storeConfig)) {
            storeConfig = storeConfig.withPeers(new GroupFormation(membership, config.bootstrapExpect())
                    .initialPeers(() -> closed));
            if (closed) {
                throw new IllegalStateException("stopped while waiting to form the store group");
            }
        }
        storeServer = StoreServer.create(storeConfig);
        // Its own client: the API's requests never queue behind the leader's plans, nor the other way round.
        leaderClient = new StoreClient(knownServers());
        leaderClient.followServers(this::knownServers);
        measureWrites(leaderClient);
        FireIndex index = new FireIndex(r -> scheduler.rebuildIndex());
        scheduler = new Scheduler(index, storeServer.stateMachine(), leaderClient, membership, selector, clock,
                Scheduler.Settings.defaults());
        dispatcher = new Dispatcher(config.nodeName(), transport, storeServer.stateMachine(), clock,
                Duration.ofSeconds(1), observer);
        Outbox outbox = new Outbox(storeServer.stateMachine(), leaderClient, membership, selector, clock, timer);
        LostAttemptSweeper sweeper = new LostAttemptSweeper(storeServer.stateMachine(), leaderClient, membership,
                clock, Duration.ofSeconds(5), timer);
        OverdueWatch overdue = new OverdueWatch(storeServer.stateMachine(), leaderClient, clock, timer);
        ServerAdmission admission = new ServerAdmission(membership, leaderClient, timer);
        leaderRole = new LeaderRole(dispatcher, outbox, sweeper, overdue, scheduler, admission);
        storeServer.addListener(index);
        storeServer.addListener(dispatcher);
        storeServer.addListener(outbox);
        storeServer.addListener(overdue);
        storeServer.addLeadershipListener(leaderRole);
        // Apart from the leader role: its own thread, and nothing it does may wait on (or hold up) scheduling.
        notifier = new Notifier(storeServer.stateMachine(), leaderClient, notifyChannels, config.notifications(),
                counted(deliveryObserver), config.nodeName(), clock, Notifier.Timing.defaults());
        storeServer.addListener(notifier);
        storeServer.addLeadershipListener(notifier);
        membership.addListener(notifier);
        LeaderTally tally = new LeaderTally(metrics);
        storeServer.addListener(tally);
        storeServer.addLeadershipListener(tally);
        StoreServer replica = storeServer;
        metrics.jobs(() -> replica.stateMachine().jobCounts());
        metrics.leading(this::isLeader);
    }

    /** {@code deliveries}, and each delivery and failed try counted in the metrics. */
    private DeliveryObserver counted(DeliveryObserver deliveries) {
        return new DeliveryObserver() {
            @Override
            public void delivered(String channel, Notice notice) {
                metrics.notification(channel, true);
                deliveries.delivered(channel, notice);
            }

            @Override
            public void failed(String channel, Notice notice, Throwable error, boolean willRetry) {
                metrics.notification(channel, false);
                deliveries.failed(channel, notice, error, willRetry);
            }
        };
    }

    /** Times the writes of {@code storeClient} (the Raft commit latency), when anything is measured. */
    private void measureWrites(StoreClient storeClient) {
        if (metrics != Metrics.NONE) {
            storeClient.observeSubmits((nanos, answered) -> metrics.storeWrite(Duration.ofNanos(nanos), answered));
        }
    }

    /** A client agent holds no store: it waits until it sees a server to read and write through. */
    private void awaitAServer() throws InterruptedException {
        long nextLog = System.nanoTime();
        while (!closed && knownServers().isEmpty()) {
            if (System.nanoTime() - nextLog >= 0) {
                LOG.info("Waiting to see a server of the cluster (joined through {})", config.join());
                nextLog = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(50);
        }
        if (closed) {
            throw new IllegalStateException("stopped while waiting to see a server");
        }
    }

    /** The store servers this agent sees alive now, as Raft peers. */
    /** Whose replica serves this agent's stale and read-your-writes reads: its own, else an alive server's. */
    private Optional<String> nearestServer() {
        if (storeServer != null) {
            return Optional.of(config.nodeName());
        }
        return knownServers().stream().map(StoreServerConfig.Peer::id).findFirst();
    }

    private List<StoreServerConfig.Peer> knownServers() {
        return membership.members().stream().filter(m -> m.server() && m.alive() && !m.raftAddress().isEmpty())
                .map(Member::raftPeer).toList();
    }

    private void openFrontDoors() {
        for (FrontDoor door : ServiceLoader.load(FrontDoor.class)) {
            AutoCloseable opened;
            try {
                opened = door.open(this);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
            synchronized (frontDoors) {
                frontDoors.add(opened);
            }
        }
    }

    /** Records the cluster-wide settings once (the first server to bootstrap wins), then waits for them. */
    private void initializeCluster() throws Exception {
        ClusterSettings settings = new ClusterSettings(config.defaultZone(), config.executionsKept(),
                ClusterSettings.DEFAULT_FULL_OUTPUTS_KEPT, ClusterSettings.DEFAULT_OUTPUT_BYTES,
                ClusterSettings.DEFAULT_TAIL_BYTES);
        var reply = client.submit(new Command.InitCluster(clock.instant(), settings), Duration.ofSeconds(30));
        if (!reply.ok()) {
            throw new IllegalStateException("cannot initialize the cluster: " + reply.error());
        }
    }

    public AgentConfig config() {
        return config;
    }

    public String incarnation() {
        return incarnation;
    }

    public JobService jobs() {
        return jobs;
    }

    public Membership membership() {
        return membership;
    }

    public Runner runner() {
        return runner;
    }

    /** What this agent measures; the notifier reports deliveries here. */
    public Metrics metrics() {
        return metrics;
    }

    /** Every meter in the Prometheus text format; empty unless started with {@code --enable-prometheus}. */
    public Optional<String> prometheusScrape() {
        return MicrometerMetrics.scrape(metrics);
    }

    /**
     * True once started, until stopped, while the store is within reach: a server's replica knows a leader
     * (maybe itself); a client agent sees a server.
     */
    public boolean healthy() {
        if (!ready || closed) {
            return false;
        }
        return storeServer != null ? storeServer.leaderId().isPresent() : !knownServers().isEmpty();
    }

    public boolean isLeader() {
        return storeServer != null && storeServer.isLeaderReady();
    }

    /** The name of the store's Raft leader (peer ids are node names), as far as this agent knows. */
    public Optional<String> leaderName() {
        if (storeServer != null) {
            return storeServer.leaderId();
        }
        try {
            return client == null ? Optional.empty() : client.raftPeers().stream()
                    .filter(StoreClient.RaftPeerInfo::leader).map(StoreClient.RaftPeerInfo::id).findFirst();
        } catch (StoreUnavailableException e) {
            return Optional.empty();
        }
    }

    /** The voters of the store's Raft group. */
    public List<StoreClient.RaftPeerInfo> raftPeers() throws StoreUnavailableException {
        return client.raftPeers();
    }

    /** Removes a (dead) server from the store's Raft group; false if it is not a voter. */
    public boolean removeRaftPeer(String id) throws StoreUnavailableException {
        return client.removeRaftPeer(id);
    }

    /**
     * Leaves the cluster for good, then stops: a server first removes itself from the store's Raft group, so
     * the others' quorum no longer counts it; then the agent stops as on SIGTERM, telling the others it left.
     * The group's last server stays in it: without it the store would have no server to restart on.
     */
    public void leave() throws StoreUnavailableException {
        List<StoreClient.RaftPeerInfo> peers = storeServer == null ? List.of() : client.raftPeers();
        if (peers.size() > 1 && peers.stream().anyMatch(p -> p.id().equals(config.nodeName()))) {
            LOG.info("Leaving the store's Raft group");
            client.removeRaftPeer(config.nodeName());
        }
        close();
    }

    /**
     * Runs {@code hook} once this agent has stopped, however it was stopped (SIGTERM, or a leave asked through
     * the API), so that whoever waits on the agent, such as the command line, can go too. Runs it at once if
     * the agent has stopped already.
     */
    public void onClosed(Runnable hook) {
        stopped.thenRun(hook);
    }

    /**
     * Stops gracefully: the API closes; no new run is planned; runs already planned are still delivered;
     * running ones may finish for up to the shutdown grace and their results are reported; then the leader's
     * work and the store stop.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Agent {} stopping", config.nodeName());
        try {
            doorsOpened.join(); // a start that failed may still be opening them
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            // nothing opened, or it failed: what opened is closed below
        }
        synchronized (frontDoors) {
            frontDoors.forEach(Agent::closeQuietly);
        }
        try {
            if (leaderRole != null) {
                leaderRole.quiesce();
                dispatcher.awaitDelivered(clock.instant().plus(Scheduler.Settings.defaults().planAhead())
                        .plusMillis(500));
            }
            if (runner != null) {
                runner.drain(config.shutdownGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(leaderRole);
        closeQuietly(notifier);
        closeQuietly(scheduler);
        closeQuietly(dispatcher);
        closeQuietly(runner);
        closeQuietly(reporter);
        closeQuietly(journal);
        if (membership instanceof JGroupsMembership gossip) {
            gossip.leave(); // the others record "left", not "failed"
        }
        closeQuietly(transport);
        closeQuietly(channel);
        if (membership instanceof AutoCloseable m) {
            closeQuietly(m);
        }
        closeQuietly(client);
        closeQuietly(leaderClient);
        closeQuietly(storeServer);
        closeQuietly(processGroups);
        closeQuietly(plugins);
        closeQuietly(metrics);
        timer.shutdownNow();
        LOG.info("Agent {} stopped", config.nodeName());
        stopped.complete(null);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
