package dev.hibachi.agent;

import dev.hibachi.agent.cluster.GossipKey;
import dev.hibachi.agent.metrics.MetricsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything an agent is started with (the {@code agent} flags, Dkron's names). Built by the command line,
 * or directly by tests and tools through {@link #dev} and {@link #toBuilder()}.
 *
 * @param bindAddr         where gossip listens
 * @param advertiseAddr    the gossip address other members are told to use (the bind address unless set)
 * @param join             members to join at start; a failed join is only a warning (Dkron's {@code --join})
 * @param retryJoin        members to join at start, retried every {@code retryInterval}
 * @param retryMax         attempts of {@code retryJoin}; 0 retries forever
 * @param reconnectTimeout how long a failed or departed member stays listed before it is reaped
 * @param killGrace        between TERM and KILL to a job's process group when it is killed (on request, or at
 *                         shutdown)
 * @param defaultZone      the cluster's zone for jobs without a timezone, recorded at bootstrap
 * @param encrypt          the key every member's gossip is sealed with ({@code --encrypt}); empty: gossip in clear
 * @param pluginDir        the folder whose jars add executors and processors; empty: none
 * @param artifactsBudget  bytes of artifacts kept per execution ({@code --artifacts-budget})
 * @param channels         the notification channels' flags ({@code --mail-*}, {@code --webhook-*}, {@code --slack-*})
 * @param notifications    when notifications are sent ({@code --notify-on} and the like)
 * @param metrics          where metrics go ({@code --statsd-addr}, {@code --dog-statsd-addr}, {@code --enable-prometheus})
 */
public record AgentConfig(
        String nodeName,
        boolean server,
        int bootstrapExpect,
        HostPort bindAddr,
        HostPort advertiseAddr,
        HostPort httpAddr,
        int rpcPort,
        Path dataDir,
        Map<String, String> tags,
        List<String> join,
        List<String> retryJoin,
        Duration retryInterval,
        int retryMax,
        Duration reconnectTimeout,
        Duration shutdownGrace,
        Duration killGrace,
        int executionsKept,
        String defaultZone,
        Optional<GossipKey> encrypt,
        Optional<Path> pluginDir,
        long artifactsBudget,
        dev.hibachi.agent.notify.ChannelSettings channels,
        dev.hibachi.agent.notify.NotifySettings notifications,
        MetricsConfig metrics) {

    /** Gossip's port when an address gives none (Serf's, as Dkron uses). */
    public static final int GOSSIP_PORT = 8946;
    /** The HTTP API's port when {@code --http-addr} gives none. */
    public static final int HTTP_PORT = 8080;

    public AgentConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bindAddr, "bindAddr");
        Objects.requireNonNull(advertiseAddr, "advertiseAddr");
        Objects.requireNonNull(httpAddr, "httpAddr");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(retryInterval, "retryInterval");
        Objects.requireNonNull(reconnectTimeout, "reconnectTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(killGrace, "killGrace");
        Objects.requireNonNull(defaultZone, "defaultZone");
        Objects.requireNonNull(encrypt, "encrypt");
        Objects.requireNonNull(pluginDir, "pluginDir");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(notifications, "notifications");
        Objects.requireNonNull(metrics, "metrics");
        tags = Map.copyOf(tags);
        join = List.copyOf(join);
        retryJoin = List.copyOf(retryJoin);
    }

    /** A host (name, IPv4, or IPv6 in brackets) and a port. */
    public record HostPort(String host, int port) {
        private static final Pattern NAME_OR_IPV4 = Pattern.compile("[A-Za-z0-9._-]+");
        private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?]");
        private static final Pattern UNBRACKETED_IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");

        /**
         * Reads {@code host}, {@code host:port}, {@code [v6]:port}, or Dkron's {@code :port} (all interfaces).
         * IPv6 hosts keep their brackets, so {@code host + ":" + port} is always a valid address.
         *
         * @throws IllegalArgumentException saying what is wrong with the text
         */
        public static HostPort parse(String text, int defaultPort) {
            String s = text.trim();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("an address is empty");
            }
            String host;
            String port = null;
            int close = s.startsWith("[") ? s.indexOf(']') : -1;
            if (close > 0) {
                host = s.substring(0, close + 1);
                if (close + 1 < s.length()) {
                    if (s.charAt(close + 1) != ':') {
                        throw notAnAddress(s);
                    }
                    port = s.substring(close + 2);
                }
            } else if (s.indexOf(':') != s.lastIndexOf(':')) {
                throw UNBRACKETED_IPV6.matcher(s).matches()
                        ? new IllegalArgumentException("'" + s + "' needs brackets around its IPv6 address, e.g."
                                + " [::1]:8946")
                        : notAnAddress(s);
            } else if (s.indexOf(':') >= 0) {
                host = s.substring(0, s.indexOf(':'));
                port = s.substring(s.indexOf(':') + 1);
            } else {
                host = s;
            }
            if (host.isEmpty() && port != null) {
                host = "0.0.0.0";
            }
            if (!NAME_OR_IPV4.matcher(host).matches() && !BRACKETED_IPV6.matcher(host).matches()) {
                throw notAnAddress(s);
            }
            return new HostPort(host, port == null ? defaultPort : parsePort(s, port));
        }

        /** 0.0.0.0 or [::]: listens everywhere, so it cannot be advertised. */
        public boolean isAnyAddress() {
            return host.equals("0.0.0.0") || host.equals("[::]");
        }

        private static int parsePort(String text, String port) {
            try {
                int p = Integer.parseInt(port);
                if (p >= 1 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("'" + text + "' has no valid port (a number from 1 to 65535)");
        }

        private static IllegalArgumentException notAnAddress(String text) {
            return new IllegalArgumentException("'" + text + "' is not host[:port]");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** A single-node server on loopback, as {@code --dev} starts it; for tests and local use. */
    public static AgentConfig dev(String nodeName, Path dataDir, int httpPort, int rpcPort) {
        return dev(nodeName, dataDir, httpPort, rpcPort, GOSSIP_PORT);
    }

    /** {@link #dev(String, Path, int, int)} with gossip on {@code gossipPort} (and its failure detector 100 above). */
    public static AgentConfig dev(String nodeName, Path dataDir, int httpPort, int rpcPort, int gossipPort) {
        return new Builder()
                .nodeName(nodeName)
                .server(true)
                .bootstrapExpect(1)
                .bindAddr(new HostPort("127.0.0.1", gossipPort))
                .advertiseAddr(new HostPort("127.0.0.1", gossipPort))
                .httpAddr(new HostPort("127.0.0.1", httpPort))
                .rpcPort(rpcPort)
                .dataDir(dataDir)
                .build();
    }

    public Builder toBuilder() {
        return new Builder()
                .nodeName(nodeName).server(server).bootstrapExpect(bootstrapExpect)
                .bindAddr(bindAddr).advertiseAddr(advertiseAddr).httpAddr(httpAddr).rpcPort(rpcPort)
                .dataDir(dataDir).tags(tags).join(join).retryJoin(retryJoin).retryInterval(retryInterval)
                .retryMax(retryMax).reconnectTimeout(reconnectTimeout).shutdownGrace(shutdownGrace)
                .killGrace(killGrace).executionsKept(executionsKept).defaultZone(defaultZone).encrypt(encrypt)
                .pluginDir(pluginDir).artifactsBudget(artifactsBudget).channels(channels)
                .notifications(notifications).metrics(metrics);

    }

    public AgentConfig withTags(Map<String, String> value) {
        return toBuilder().tags(value).build();
    }

    public AgentConfig withShutdownGrace(Duration value) {
        return toBuilder().shutdownGrace(value).build();
    }

    public AgentConfig withPluginDir(Path value) {
        return toBuilder().pluginDir(Optional.of(value)).build();
    }

    public AgentConfig withMetrics(MetricsConfig value) {
        return toBuilder().metrics(value).build();
    }

    public AgentConfig withKillGrace(Duration value) {
        return toBuilder().killGrace(value).build();
    }

    public AgentConfig withExecutionsKept(int value) {
        return toBuilder().executionsKept(value).build();
    }

    /**
     * Starts from Dkron's defaults (the command line's defaults too; a test keeps them equal). Node name,
     * addresses and data directory have no host-independent default and must be set.
     */
    public static final class Builder {
        private String nodeName;
        private boolean server;
        private int bootstrapExpect; // 0: never forms a group, waits to be added to one (Dkron's default)
        private HostPort bindAddr;
        private HostPort advertiseAddr;
        private HostPort httpAddr;
        private int rpcPort = 6868;
        private Path dataDir;
        private Map<String, String> tags = Map.of();
        private List<String> join = List.of();
        private List<String> retryJoin = List.of();
        private Duration retryInterval = Duration.ofSeconds(30);
        private int retryMax;
        private Duration reconnectTimeout = Duration.ofHours(24);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration killGrace = Duration.ofSeconds(5);
        private int executionsKept = 100;
        private String defaultZone = ZoneId.systemDefault().getId();
        private Optional<GossipKey> encrypt = Optional.empty();
        private Optional<Path> pluginDir = Optional.empty();
        private long artifactsBudget = dev.hibachi.agent.run.ArtifactFolders.DEFAULT_BUDGET;
        private dev.hibachi.agent.notify.ChannelSettings channels = dev.hibachi.agent.notify.ChannelSettings.NONE;
        private dev.hibachi.agent.notify.NotifySettings notifications = dev.hibachi.agent.notify.NotifySettings.defaults();
        private MetricsConfig metrics = MetricsConfig.NONE;

        public Builder nodeName(String v) {
            nodeName = v;
            return this;
        }

        public Builder server(boolean v) {
            server = v;
            return this;
        }

        public Builder bootstrapExpect(int v) {
            bootstrapExpect = v;
            return this;
        }

        public Builder bindAddr(HostPort v) {
            bindAddr = v;
            return this;
        }

        public Builder advertiseAddr(HostPort v) {
            advertiseAddr = v;
            return this;
        }

        public Builder httpAddr(HostPort v) {
            httpAddr = v;
            return this;
        }

        public Builder rpcPort(int v) {
            rpcPort = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder tags(Map<String, String> v) {
            tags = v;
            return this;
        }

        public Builder join(List<String> v) {
            join = v;
            return this;
        }

        public Builder retryJoin(List<String> v) {
            retryJoin = v;
            return this;
        }

        public Builder retryInterval(Duration v) {
            retryInterval = v;
            return this;
        }

        public Builder retryMax(int v) {
            retryMax = v;
            return this;
        }

        public Builder reconnectTimeout(Duration v) {
            reconnectTimeout = v;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        public Builder killGrace(Duration v) {
            killGrace = v;
            return this;
        }

        public Builder executionsKept(int v) {
            executionsKept = v;
            return this;
        }

        public Builder defaultZone(String v) {
            defaultZone = v;
            return this;
        }

        public Builder encrypt(Optional<GossipKey> v) {
            encrypt = v;
            return this;
        }

        public Builder pluginDir(Optional<Path> v) {
            pluginDir = v;
            return this;
        }

        public Builder notifications(dev.hibachi.agent.notify.NotifySettings v) {
            notifications = v;
            return this;
        }

        public Builder artifactsBudget(long v) {
            artifactsBudget = v;
            return this;
        }

        public Builder channels(dev.hibachi.agent.notify.ChannelSettings v) {
            channels = v;
            return this;
        }

        public Builder metrics(MetricsConfig v) {
            metrics = v;
            return this;
        }

        public AgentConfig build() {
            return new AgentConfig(nodeName, server, bootstrapExpect, bindAddr, advertiseAddr, httpAddr, rpcPort,
                    dataDir, tags, join, retryJoin, retryInterval, retryMax, reconnectTimeout, shutdownGrace,
                    killGrace, executionsKept, defaultZone, encrypt, pluginDir, artifactsBudget, channels,
                    notifications, metrics);

        }
    }
}
