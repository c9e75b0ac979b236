package dev.hibachi.agent;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.cluster.Membership;
import dev.hibachi.agent.cluster.SingleNodeMembership;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.agent.dispatch.Dispatcher;
import dev.hibachi.agent.dispatch.InProcessTransport;
import dev.hibachi.agent.dispatch.RunTransport;
import dev.hibachi.agent.dispatch.TargetSelector;
import dev.hibachi.agent.exec.ProcessGroups;
import dev.hibachi.agent.leader.LeaderRole;
import dev.hibachi.agent.leader.LostAttemptSweeper;
import dev.hibachi.agent.leader.Outbox;
import dev.hibachi.agent.run.ExecutorRegistry;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    private final String incarnation = UUID.randomUUID().toString();
    private final List<AutoCloseable> frontDoors = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "agent-timer");
        t.setDaemon(true);
        return t;
    });

    private StoreServer storeServer;
    private StoreClient client;
    private Membership membership;
    private RunTransport transport;
    private Dispatcher dispatcher;
    private Scheduler scheduler;
    private LeaderRole leaderRole;
    private ProcessGroups processGroups;
    private RunJournal journal;
    private Reporter reporter;
    private Runner runner;
    private JobService jobs;
    private volatile CompletableFuture<Void> doorsOpened = CompletableFuture.completedFuture(null);
    private volatile boolean ready;
    private volatile boolean closed;

    private Agent(AgentConfig config, Clock clock, DispatchObserver observer) {
        this.config = config;
        this.clock = clock;
        this.observer = observer;
    }

    public static Agent start(AgentConfig config) throws Exception {
        return start(config, Clock.systemUTC(), DispatchObserver.NONE, true);
    }

    /** Starts an agent; {@code frontDoors} false leaves out the HTTP API (for tests of the core). */
    public static Agent start(AgentConfig config, Clock clock, DispatchObserver observer, boolean frontDoors)
            throws Exception {
        Agent agent = new Agent(config, clock, observer);
        try {
            agent.startParts(frontDoors);
        } catch (Exception | Error e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void startParts(boolean openFrontDoors) throws Exception {
        if (!config.server()) {
            throw new IllegalArgumentException("this build runs single-node agents only: start it with --server"
                    + " (or --dev)");
        }
        long started = System.nanoTime();
        Member self = new Member(config.nodeName(), incarnation, config.tags(), config.server(),
                config.httpAddr().toString(), config.bindAddr().host() + ":" + config.rpcPort(), config.bindAddr().host(),
                config.bindAddr().port(), Member.Status.ALIVE);
        membership = new SingleNodeMembership(self);
        transport = new InProcessTransport();
        TargetSelector selector = new TargetSelector(new SecureRandom());

        StoreServerConfig storeConfig = StoreServerConfig.singleNode(config.nodeName(), config.bindAddr().host(),
                config.rpcPort(), config.dataDir());
        storeServer = StoreServer.create(storeConfig);
        client = new StoreClient(storeConfig.initialPeers());

        FireIndex index = new FireIndex(r -> scheduler.rebuildIndex());
        scheduler = new Scheduler(index, storeServer.stateMachine(), client, membership, selector, clock,
                Scheduler.Settings.defaults());
        dispatcher = new Dispatcher(config.nodeName(), transport, storeServer.stateMachine(), clock,
                Duration.ofSeconds(1), observer);
        Outbox outbox = new Outbox(storeServer.stateMachine(), client, membership, selector, clock, timer);
        LostAttemptSweeper sweeper = new LostAttemptSweeper(storeServer.stateMachine(), client, membership, clock,
                Duration.ofSeconds(5), timer);
        leaderRole = new LeaderRole(dispatcher, outbox, sweeper, scheduler);
        storeServer.addListener(index);
        storeServer.addListener(dispatcher);
        storeServer.addListener(outbox);
        storeServer.addLeadershipListener(leaderRole);

        ExecutorRegistry executors = ExecutorRegistry.builtIn(); // one registry: what is validated is what runs
        jobs = new JobService(client, executors, membership, selector, clock, Duration.ofSeconds(10));
        // The HTTP server takes about a second to start: it starts beside the store, and answers 503 on
        // /health (and waits on the store for the rest) until the agent is ready.
        if (openFrontDoors) {
            doorsOpened = CompletableFuture.runAsync(this::openFrontDoors,
                    runnable -> new Thread(runnable, "front-doors").start());
        }
        storeServer.start();
        scheduler.rebuildIndex();

        processGroups = new ProcessGroups(config.dataDir().resolve("process-groups"));
        journal = new RunJournal(config.dataDir().resolve("journal"), Duration.ofMinutes(10));
        reporter = new Reporter(client, config.nodeName(), journal, clock, Duration.ofMillis(50));
        runner = new Runner(config.nodeName(), incarnation, journal, executors, processGroups,
                reporter, transport, client, clock, observer, Runner.Settings.defaults());
        runner.recover(); // kills what a previous agent left running, before our own reaper starts
        processGroups.startReaper();
        timer.scheduleWithFixedDelay(runner::prune, 1, 1, TimeUnit.MINUTES);

        initializeCluster();
        try {
            doorsOpened.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        ready = true;
        LOG.info("Agent {} started in {} ms (incarnation {})", config.nodeName(),
                (System.nanoTime() - started) / 1_000_000, incarnation);
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

    /** True once started, until stopped, while this agent's store replica knows a leader (maybe itself). */
    public boolean healthy() {
        return ready && !closed && storeServer.leaderId().isPresent();
    }

    public boolean isLeader() {
        return storeServer != null && storeServer.isLeaderReady();
    }

    public java.util.Optional<String> leaderName() {
        return storeServer == null ? java.util.Optional.empty() : storeServer.leaderId();
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
        closeQuietly(scheduler);
        closeQuietly(dispatcher);
        closeQuietly(runner);
        closeQuietly(reporter);
        closeQuietly(journal);
        closeQuietly(client);
        closeQuietly(storeServer);
        closeQuietly(transport);
        closeQuietly(processGroups);
        timer.shutdownNow();
        LOG.info("Agent {} stopped", config.nodeName());
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
