package dev.hibachi.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent is started with (the {@code agent} flags, Dkron's names). Built by the command line,
 * or directly by tests and tools.
 */
public record AgentConfig(
        String nodeName,
        boolean server,
        int bootstrapExpect,
        HostPort bindAddr,
        HostPort httpAddr,
        int rpcPort,
        Path dataDir,
        Map<String, String> tags,
        List<String> join,
        Duration shutdownGrace,
        int executionsKept,
        String defaultZone) {

    public record HostPort(String host, int port) {
        public static HostPort parse(String text, int defaultPort) {
            String s = text.trim();
            if (s.startsWith(":")) {
                return new HostPort("0.0.0.0", Integer.parseInt(s.substring(1)));
            }
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.endsWith("]")) {
                return new HostPort(s, defaultPort);
            }
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** A single-node server on loopback, as {@code --dev} starts it; for tests and local use. */
    public static AgentConfig dev(String nodeName, Path dataDir, int httpPort, int rpcPort) {
        return new AgentConfig(nodeName, true, 1, new HostPort("127.0.0.1", 8946), new HostPort("127.0.0.1", httpPort),
                rpcPort, dataDir, Map.of(), List.of(), Duration.ofSeconds(30), 100, java.time.ZoneId.systemDefault().getId());
    }

    public AgentConfig withTags(Map<String, String> value) {
        return new AgentConfig(nodeName, server, bootstrapExpect, bindAddr, httpAddr, rpcPort, dataDir, value, join,
                shutdownGrace, executionsKept, defaultZone);
    }

    public AgentConfig withShutdownGrace(Duration value) {
        return new AgentConfig(nodeName, server, bootstrapExpect, bindAddr, httpAddr, rpcPort, dataDir, tags, join,
                value, executionsKept, defaultZone);
    }

    public AgentConfig withExecutionsKept(int value) {
        return new AgentConfig(nodeName, server, bootstrapExpect, bindAddr, httpAddr, rpcPort, dataDir, tags, join,
                shutdownGrace, value, defaultZone);
    }
}
