package dev.hibachi.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.store.schedule.GoDuration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code hibachi agent}: starts an agent, with Dkron's flags. Runs until SIGTERM or SIGINT. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Starts a Hibachi agent. SIGTERM stops it gracefully: running jobs may finish first.")
public final class AgentCommand implements Runnable {
    /** Set while an agent runs, so {@link Main} does not exit the JVM under it. */
    static final AtomicBoolean RUNNING = new AtomicBoolean();

    @Option(names = "--dev", description = "Single-node development mode: --server --bootstrap-expect 1, bound to"
            + " 127.0.0.1.")
    boolean dev;

    @Option(names = "--server", description = "Run a replica of the job store, and schedule while leading.")
    boolean server;

    @Option(names = "--bootstrap-expect", description = "Servers to wait for before forming the store (1: alone).",
            defaultValue = "0")
    int bootstrapExpect;

    @Option(names = "--node-name", description = "Unique name of this agent (default: the host name).")
    String nodeName;

    @Option(names = "--bind-addr", description = "Address for cluster traffic (default: first private address"
            + ":8946; 127.0.0.1:8946 with --dev).")
    String bindAddr;

    @Option(names = "--http-addr", defaultValue = "127.0.0.1:8080",
            description = "Address of the HTTP API and dashboard (default: ${DEFAULT-VALUE}).")
    String httpAddr;

    @Option(names = "--rpc-port", defaultValue = "6868", description = "Raft port (default: ${DEFAULT-VALUE}).")
    int rpcPort;

    @Option(names = "--data-dir", defaultValue = "hibachi.data", description = "Data directory (default:"
            + " ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--tag", description = "A key=value tag of this agent; repeatable.", mapFallbackValue = "")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--log-level", defaultValue = "info", description = "debug, info, warn or error.")
    String logLevel;

    @Option(names = "--shutdown-grace", defaultValue = "30s",
            description = "How long running jobs may finish after SIGTERM before they are killed (Go duration).")
    String shutdownGrace;

    @Option(names = "--executions-kept", defaultValue = "100",
            description = "Executions kept per job (recorded when the cluster is first formed).")
    int executionsKept;

    @Override
    public void run() {
        setLogLevel(logLevel);
        AgentConfig config = config();
        Agent agent;
        try {
            agent = Agent.start(config);
        } catch (Exception e) {
            LoggerFactory.getLogger(AgentCommand.class).error("The agent could not start: {}", e.getMessage(), e);
            throw new picocli.CommandLine.ExecutionException(new picocli.CommandLine(this),
                    "the agent could not start: " + e.getMessage(), e);
        }
        RUNNING.set(true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    AgentConfig config() {
        boolean isServer = server || dev;
        int expect = dev ? 1 : bootstrapExpect;
        if (isServer && expect > 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--bootstrap-expect " + expect + ": this build forms single-server clusters only (use 1)");
        }
        String bind = bindAddr != null ? bindAddr : (dev ? "127.0.0.1" : firstPrivateAddress()) + ":8946";
        Duration grace;
        try {
            grace = GoDuration.parse(shutdownGrace);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--shutdown-grace: " + e.getMessage());
        }
        HostPort bound = HostPort.parse(bind, 8946);
        return new AgentConfig.Builder()
                .nodeName(nodeName != null ? nodeName : hostName())
                .server(isServer)
                .bootstrapExpect(Math.max(1, expect))
                .bindAddr(bound)
                .advertiseAddr(bound)
                .httpAddr(HostPort.parse(httpAddr, 8080))
                .rpcPort(rpcPort)
                .dataDir(dataDir.toAbsolutePath())
                .tags(tags)
                .shutdownGrace(grace)
                .executionsKept(executionsKept)
                .build();
    }

    private static void setLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The first site-local IPv4 address of this host, as Dkron's {@code GetPrivateIP}; else loopback. */
    private static String firstPrivateAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a.isSiteLocalAddress() && a instanceof java.net.Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (java.net.SocketException ignored) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }
}
