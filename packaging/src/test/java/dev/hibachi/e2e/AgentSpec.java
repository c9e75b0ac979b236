package dev.hibachi.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one {@code hibachi agent} is started with. It stays the same across restarts, so a restarted
 * agent comes back on its own data dir and ports, as an operator's restart does.
 *
 * @param bootstrapExpect servers to wait for (servers only)
 * @param join            gossip addresses given as {@code --join}
 * @param encrypt         the {@code --encrypt} key, given as {@code HIBACHI_ENCRYPT} (off the command line, as the
 *                        README advises)
 */
public record AgentSpec(String name, boolean server, int bootstrapExpect, Map<String, String> tags,
                        List<String> join, int gossipPort, int rpcPort, int httpPort, Path dataDir, Path logFile,
                        Optional<String> encrypt) {
    /** How long running jobs may finish after SIGTERM: short, so that stopping an agent stays quick. */
    static final String SHUTDOWN_GRACE = "5s";

    public AgentSpec {
        tags = Map.copyOf(tags);
        join = List.copyOf(join);
    }

    public String gossipAddress() {
        return "127.0.0.1:" + gossipPort;
    }

    public String httpAddress() {
        return "127.0.0.1:" + httpPort;
    }

    /** The arguments after {@code hibachi}, in the spelling. */
    List<String> arguments() {
        List<String> a = new ArrayList<>(List.of("agent"));
        if (server) {
            a.addAll(List.of("--server", "--bootstrap-expect", String.valueOf(bootstrapExpect)));
        }
        a.addAll(List.of("--node-name", name, "--bind-addr", gossipAddress(), "--rpc-port", String.valueOf(rpcPort),
                "--http-addr", httpAddress(), "--data-dir", dataDir.toString(), "--shutdown-grace", SHUTDOWN_GRACE));
        tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(t -> a.addAll(List.of("--tag", t.getKey() + "=" + t.getValue())));
        join.forEach(j -> a.addAll(List.of("--join", j)));
        // -De2e.log.level=debug gives every agent of a run debug logs, to diagnose a failing test.
        String level = System.getProperty("e2e.log.level", "");
        if (!level.isEmpty()) {
            a.addAll(List.of("--log-level", level));
        }
        return a;
    }
}
