package dev.hibachi.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives a test class a running {@link LocalCluster}:
 * <ul>
 *   <li>{@link #shared}: one cluster of the topology for every test class that asks for it (starting five JVMs
 *       on two cores takes a while), closed when the whole run is over;</li>
 *   <li>{@link #perClass}: a fresh cluster for one class, closed after it.</li>
 * </ul>
 * Before each test, any agent that a previous test stopped or killed is started again and the cluster is
 * awaited whole, so tests do not depend on each other's damage. When a test fails, what each agent says about
 * the cluster and the tails of their logs are printed. The cluster's agents are killed (with their children)
 * however the run ends; see {@link LiveAgents} for an interrupted run.

 */
public final class ClusterExtension implements BeforeAllCallback, BeforeEachCallback, TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClusterExtension.class);

    private final Topology topology;
    private final boolean shared;
    private volatile LocalCluster cluster;

    private ClusterExtension(Topology topology, boolean shared) {
        this.topology = topology;
        this.shared = shared;
    }

    public static ClusterExtension shared(Topology topology) {
        return new ClusterExtension(topology, true);
    }

    public static ClusterExtension perClass(Topology topology) {
        return new ClusterExtension(topology, false);
    }

    public LocalCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster is not started yet (use it from a test or @BeforeEach)");
        }
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext owner = shared ? context.getRoot() : context;
        cluster = owner.getStore(NAMESPACE).getOrComputeIfAbsent(topology.name(), k -> LocalCluster.start(topology),
                LocalCluster.class);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster.startAll();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        LocalCluster c = cluster;
        if (c != null) {
            System.err.println("e2e: " + context.getDisplayName() + " failed; agents of " + c.dir() + ":"
                    + (topology.clustered() ? c.membershipSummary() : "") + c.logTails());
        }
        throw failure;
    }
}
