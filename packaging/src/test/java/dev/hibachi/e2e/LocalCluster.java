package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The agents of one {@link Topology}, each a separate process of the built distribution on free loopback
 * ports, with fresh data dirs under {@code target/e2e/<topology>-<time>/}. Agents start in parallel. Closing
 * kills every agent and its children and deletes the data dirs; the logs stay, in {@code logs/}.
 */
public final class LocalCluster implements AutoCloseable {
    /** Five JVMs starting at once on two cores take a while; one alone takes about 3 s. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);

    private final Topology topology;
    private final Path dir;
    private final Map<String, AgentProcess> agents = new LinkedHashMap<>();

    private LocalCluster(Topology topology, String javaOpts) {
        this.topology = topology;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        this.dir = Distribution.workDir().resolve(topology.name() + "-" + stamp + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000)));
        Map<String, Integer> gossip = new LinkedHashMap<>();
        topology.members().forEach(m -> gossip.put(m.name(), FreePorts.gossipPort()));
        int expect = (int) topology.servers();
        for (Topology.Member m : topology.members()) {
            // Every agent joins through every other server, so a restarted one finds the cluster whichever
            // servers are up.
            List<String> join = topology.clustered() ? topology.members().stream()
                    .filter(o -> o.server() && !o.name().equals(m.name()))
                    .map(o -> "127.0.0.1:" + gossip.get(o.name())).toList() : List.of();
            AgentSpec spec = new AgentSpec(m.name(), m.server(), m.server() ? expect : 0, m.tags(), join,
                    gossip.get(m.name()), FreePorts.port(), FreePorts.port(), dir.resolve("data").resolve(m.name()),
                    dir.resolve("logs").resolve(m.name() + ".log"), topology.encrypt());
            agents.put(m.name(), new AgentProcess(spec, javaOpts));
        }
    }

    /** Starts every agent of {@code topology} (heap {@code -Xmx256m} each) and waits until they are ready. */
    public static LocalCluster start(Topology topology) {
        return start(topology, AgentProcess.DEFAULT_JAVA_OPTS);
    }

    public static LocalCluster start(Topology topology, String javaOpts) {
        LocalCluster cluster = new LocalCluster(topology, javaOpts);
        try {
            cluster.startAll();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public Topology topology() {
        return topology;
    }

    public Path dir() {
        return dir;
    }

    public AgentProcess agent(String name) {
        AgentProcess a = agents.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no agent " + name + " in " + topology.name());
        }
        return a;
    }

    public List<AgentProcess> agents() {
        return List.copyOf(agents.values());
    }

    public List<AgentProcess> servers() {
        return agents.values().stream().filter(a -> a.spec().server()).toList();
    }

    public List<AgentProcess> clients() {
        return agents.values().stream().filter(a -> !a.spec().server()).toList();
    }

    public List<AgentProcess> alive() {
        return agents.values().stream().filter(AgentProcess::alive).toList();
    }

    /** The API of an agent that runs (clients first: they answer the same as servers, and are never killed as leader). */
    public HibachiApi api() {
        return agents.values().stream().filter(AgentProcess::alive)
                .min(Comparator.comparing(a -> a.spec().server()))
                .orElseThrow(() -> new IllegalStateException("no agent of " + topology.name() + " runs"))
                .api();
    }

    /** The agent that {@code GET /v1/leader} names, asked of an agent that runs. */
    public AgentProcess leader() {
        return agent(api().leaderName());
    }

    /**
     * Starts every agent that does not run, in parallel, and waits until each is healthy and, in a cluster,
     * until every agent sees every other one alive and a leader.
     */
    public void startAll() {
        List<AgentProcess> stopped = agents.values().stream().filter(a -> !a.alive()).toList();
        stopped.forEach(AgentProcess::start);
        inParallel(stopped, a -> a.awaitHealthy(START_TIMEOUT));
        if (topology.clustered()) {
            awaitFormed(FORM_TIMEOUT);
        }
    }

    /** SIGTERM to every agent at once; waits until all have ended. */
    public void stopAll() {
        inParallel(alive(), AgentProcess::stop);
    }

    /** Waits until every running agent lists every agent of the topology as alive, and names one leader. */
    public void awaitFormed(Duration timeout) {
        Set<String> names = agents.keySet();
        try {
            await("cluster " + topology.name() + " formed").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        for (AgentProcess a : alive()) {
                            Set<String> aliveSeen = a.api().members().stream()
                                    .filter(m -> m.path("Status").asInt() == 1)
                                    .map(m -> m.path("Name").asText()).collect(Collectors.toSet());
                            if (!aliveSeen.containsAll(names) || !names.contains(a.api().leaderName())) {
                                return false;
                            }
                        }
                        return true;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the cluster did not form within " + timeout.toSeconds() + " s: "
                    + membershipSummary() + logTails(), e);
        }
    }

    /** What each running agent says about the members and the leader, for failure messages. */
    public String membershipSummary() {
        StringBuilder b = new StringBuilder();
        for (AgentProcess a : agents.values()) {
            b.append("\n  ").append(a).append(": ");
            if (!a.alive()) {
                continue;
            }
            try {
                b.append(a.api().members().stream()
                        .map(m -> m.path("Name").asText() + "=" + m.path("Status").asText())
                        .collect(Collectors.joining(", ", "members [", "]")));
                b.append(", leader ").append(a.api().leaderName());
            } catch (RuntimeException | AssertionError e) {
                b.append(e.getMessage());
            }
        }
        return b.toString();
    }

    /** The tails of every agent's log, for failure messages. */
    public String logTails() {
        return agents.values().stream().map(AgentProcess::logTailSection).collect(Collectors.joining());
    }

    /** The members that {@code GET /v1/members} on {@code agent} shows, by name. */
    public static Map<String, JsonNode> membersByName(AgentProcess agent) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        agent.api().members().forEach(m -> out.put(m.path("Name").asText(), m));
        return out;
    }

    /**
     * Deletes jobs a test made, through any agent that runs. Cleanup only: a failure is printed, not thrown,
     * so that it never hides the test's own failure.
     */
    public void deleteJobsQuietly(List<String> names) {
        try {
            HibachiApi via = api();
            names.forEach(via::deleteJob);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("e2e: could not delete the jobs " + names + ": " + e);
        }
    }

    /** Kills every agent and its children, and deletes the data dirs (the logs stay). */
    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        for (AgentProcess a : agents.values()) {
            try {
                a.killWithChildren();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        deleteTree(dir.resolve("data"));
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("cleanup of " + topology.name() + " failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Runs {@code action} on each agent in a thread of its own; fails with every failure, once all are done. */
    static void inParallel(List<AgentProcess> list, Consumer<AgentProcess> action) {
        if (list.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(list.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            list.forEach(a -> futures.add(pool.submit(() -> action.accept(a))));
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (failures.size() == 1 && failures.get(0) instanceof AssertionError one) {
                throw one;
            }
            if (!failures.isEmpty()) {
                AssertionError all = new AssertionError(failures.stream().map(Throwable::getMessage)
                        .collect(Collectors.joining("\n\n")));
                failures.forEach(all::addSuppressed);
                throw all;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
