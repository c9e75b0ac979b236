package dev.hibachi.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.agent.cluster.GossipKey;
import dev.hibachi.agent.notify.Channels;
import dev.hibachi.agent.metrics.MetricsConfig;
import dev.hibachi.agent.run.ArtifactFolders;
import dev.hibachi.store.schedule.GoDuration;
import org.slf4j.LoggerFactory;
import dev.hibachi.agent.notify.NotifyOn;
import dev.hibachi.agent.notify.NotifySettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code hibachi agent}: starts an agent, with Dkron's flags. Runs until SIGTERM or SIGINT. Flags not given
 * are taken from {@code HIBACHI_*} variables, then the {@code --config} file ({@link SettingSources}).
 */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Starts a Hibachi agent. SIGTERM stops it gracefully: running jobs may finish first.",
        footer = {"",
                "Each flag can also be set by its environment variable, HIBACHI_ and the flag's name in upper case"
                        + " with - as _ (HIBACHI_NODE_NAME; --tag's is HIBACHI_TAGS=k=v,k2=v2), or by its key in the"
                        + " --config file, the name without dashes (node-name: web-1; tags: is a map, join: and"
                        + " retry-join: are lists). A flag beats its variable, which beats the file, which beats"
                        + " the default."})
public final class AgentCommand implements Runnable {
    /**
     * Set while an agent runs, and while the shutdown hook stops it, so {@link Main} does not exit the JVM under
     * it; cleared when the agent stopped by itself, so that main exits.
     */
    static final AtomicBoolean RUNNING = new AtomicBoolean();

    /** Starts the agent; a seam so tests can check that nothing starts. */
    interface Launcher {
        /** Starts an agent that runs {@code onClosed} once it has stopped, also when it stops by itself. */
        AutoCloseable start(AgentConfig config, Runnable onClosed) throws Exception;
    }

    @Option(names = "--config", paramLabel = "<file>", description = {"YAML file of settings: keys are the flag names"
            + " without dashes (node-name: web-1), tags: is a map, join: a list.", "Default: none."})
    Path configFile;

    // fallbackValue: a typed flag means true even when its variable or file already says true (picocli would
    // otherwise set a typed flag to the opposite of its default).
    @Option(names = "--dev", defaultValue = "false", fallbackValue = "true",
            description = {"Single-node development mode: --server --bootstrap-expect 1, bound to 127.0.0.1.",
                    "Default: ${DEFAULT-VALUE}."})
    boolean dev;

    @Option(names = "--server", defaultValue = "false", fallbackValue = "true",
            description = {"Run a replica of the job store, and schedule while leading.", "Default: ${DEFAULT-VALUE}."})
    boolean server;

    @Option(names = "--bootstrap-expect", paramLabel = "<n>", defaultValue = "0", description = {"Servers to wait for"
            + " before forming the store (1: alone).", "Default: ${DEFAULT-VALUE}."})
    int bootstrapExpect;

    @Option(names = "--node-name", paramLabel = "<name>", description = {"Unique name of this agent.",
            "Default: the host name."})
    String nodeName;

    @Option(names = "--bind-addr", paramLabel = "<host:port>", description = {"Address for cluster traffic.",
            "Default: the first private address, port 8946 (127.0.0.1:8946 with --dev)."})
    String bindAddr;

    @Option(names = "--advertise-addr", paramLabel = "<host:port>", description = {"Address the other members use"
            + " to reach this one; its port defaults to the bind port.", "Default: the bind address (the first"
            + " private address if bound to 0.0.0.0)."})
    String advertiseAddr;

    @Option(names = "--http-addr", paramLabel = "<host:port>", defaultValue = "127.0.0.1:8080",
            description = {"Address of the HTTP API and dashboard (:8080 listens on all interfaces).",
                    "Default: ${DEFAULT-VALUE}."})
    String httpAddr;

    @Option(names = "--rpc-port", paramLabel = "<port>", defaultValue = "6868",
            description = {"Raft port.", "Default: ${DEFAULT-VALUE}."})
    int rpcPort;

    @Option(names = "--join", paramLabel = "<host:port>", split = ",", description = {"A member to join at start;"
            + " repeatable or comma-separated. A failed join is only a warning.", "Default: none."})
    List<String> join;

    @Option(names = "--retry-join", paramLabel = "<host:port>", split = ",", description = {"Like --join, but"
            + " retried every --retry-interval, up to --retry-max attempts.", "Default: none."})
    List<String> retryJoin;

    @Option(names = "--retry-interval", paramLabel = "<duration>", defaultValue = "30s",
            description = {"Wait between --retry-join attempts (Go duration).", "Default: ${DEFAULT-VALUE}."})
    String retryInterval;

    @Option(names = "--retry-max", paramLabel = "<n>", defaultValue = "0",
            description = {"Attempts of --retry-join; 0 retries forever.", "Default: ${DEFAULT-VALUE}."})
    int retryMax;

    @Option(names = {"--reconnect-timeout", "--serf-reconnect-timeout"}, paramLabel = "<duration>",
            defaultValue = "24h", description = {"How long a failed or departed member stays listed before it is"
            + " reaped (Go duration; Dkron's --serf-reconnect-timeout).", "Default: ${DEFAULT-VALUE}."})
    String reconnectTimeout;

    @Option(names = "--tag", paramLabel = "<key=value>", split = ",", description = {"A tag of this agent;"
            + " repeatable or comma-separated. Given here or by variable, it replaces the file's tags.",
            "Default: none."})
    List<String> tags;

    @Option(names = "--data-dir", paramLabel = "<dir>", defaultValue = "hibachi.data",
            description = {"Data directory.", "Default: ./${DEFAULT-VALUE}."})
    Path dataDir;

    @Option(names = "--log-level", paramLabel = "<level>", defaultValue = "info", description = {"debug, info, warn"
            + " or error (Dkron's trace, fatal and panic are taken too).", "Default: ${DEFAULT-VALUE}."})
    String logLevel;

    @Option(names = "--shutdown-grace", paramLabel = "<duration>", defaultValue = "30s",
            description = {"How long running jobs may finish after SIGTERM before they are killed (Go duration).",
                    "Default: ${DEFAULT-VALUE}."})
    String shutdownGrace;

    @Option(names = "--kill-grace", paramLabel = "<duration>", defaultValue = "5s",
            description = {"Between TERM and KILL to a job's process group when it is killed, on request"
                    + " (hibachi jobs kill) or after --shutdown-grace (Go duration).", "Default: ${DEFAULT-VALUE}."})
    String killGrace;

    @Option(names = "--executions-kept", paramLabel = "<n>", defaultValue = "100",
            description = {"Executions kept per job (recorded when the cluster is first formed).",
                    "Default: ${DEFAULT-VALUE}."})
    int executionsKept;

    @Option(names = "--artifacts-budget", paramLabel = "<size>", defaultValue = "1MiB",
            description = {"Bytes of the files a run leaves in $HIBACHI_ARTIFACTS kept with its execution (bytes, or"
                    + " with KiB or MiB; at most 2MiB, since they travel in one Raft entry). Files past it are named"
                    + " in the run's output and not kept.", "Default: ${DEFAULT-VALUE}."})
    String artifactsBudget;

    @Option(names = "--notify-on", paramLabel = "<when>", defaultValue = "always",
            description = {"When a finished run is notified: always, failure, success or change (its success differs"
                    + " from the previous run's); every channel without its own rule. Missed, skipped, overdue and"
                    + " killed runs go with always, failure and change. A job's metadata notify.on,"
                    + " notify.<channel>.on and notify.<channel>=never override it.", "Default: ${DEFAULT-VALUE}."})
    String notifyOn;

    @Option(names = "--mail-notify-on", paramLabel = "<when>", description = {"--notify-on for mail.",
            "Default: --notify-on."})
    String mailNotifyOn;

    @Option(names = "--webhook-notify-on", paramLabel = "<when>", description = {"--notify-on for the webhook (the"
            + " pre-webhook always fires at a run's start).", "Default: --notify-on."})
    String webhookNotifyOn;

    @Option(names = "--slack-notify-on", paramLabel = "<when>", description = {"--notify-on for Slack.",
            "Default: --notify-on."})
    String slackNotifyOn;

    @Option(names = "--notify-audit", defaultValue = "false", fallbackValue = "true",
            description = {"Also notify when a job is created, changed or deleted.", "Default: ${DEFAULT-VALUE}."})
    boolean notifyAudit;

    @Option(names = "--notify-cluster-events", defaultValue = "false", fallbackValue = "true",
            description = {"Also notify when a member fails or the leader changes.", "Default: ${DEFAULT-VALUE}."})
    boolean notifyClusterEvents;

    @Option(names = "--encrypt", paramLabel = "<key>", description = {"Base64 key (16, 24 or 32 bytes) that encrypts"
            + " and authenticates gossip (membership, run orders; not Raft or HTTP). Every agent needs the same key;"
            + " hibachi keygen makes one.", "Default: none (gossip in clear)."})
    String encrypt;

    @Option(names = "--plugin-dir", paramLabel = "<dir>", description = {"Folder whose *.jar files add executors"
            + " and processors (found through ServiceLoader); a built-in name cannot be replaced, a broken jar is"
            + " skipped.", "Default: the distribution's plugins/ folder, beside lib/."})
    Path pluginDir;

    @CommandLine.Mixin
    ChannelOptions channels;
    @Option(names = "--statsd-addr", paramLabel = "<host:port>", description = {"StatsD server (UDP) to send"
            + " metrics to, etsy flavor: tags are folded into the names.", "Default: none."})
    String statsdAddr;

    @Option(names = "--dog-statsd-addr", paramLabel = "<host:port>", description = {"DogStatsD server (UDP) to send"
            + " metrics to, datadog flavor: tags as tags.", "Default: none."})
    String dogStatsdAddr;

    @Option(names = "--dog-statsd-tags", paramLabel = "<key:value>", split = ",", description = {"A tag added to"
            + " every metric sent to --dog-statsd-addr; repeatable or comma-separated.", "Default: none."})
    List<String> dogStatsdTags;

    @Option(names = "--enable-prometheus", defaultValue = "false", fallbackValue = "true", description = {"Serve"
            + " every metric on GET /metrics of the HTTP API, in the Prometheus text format.",
            "Default: ${DEFAULT-VALUE}."})
    boolean enablePrometheus;

    @Spec
    CommandSpec spec;

    private final LocalHost host;
    private final Launcher launcher;
    private final SettingSources sources;

    /**
     * @param env the environment to read {@code HIBACHI_*} variables from (the process's in production)
     */
    AgentCommand(Map<String, String> env, LocalHost host, Launcher launcher) {
        this.host = host;
        this.launcher = launcher;
        this.sources = new SettingSources(env, () -> configFile);
    }

    /** What this machine contributes to the defaults (other commands' too). */
    LocalHost host() {
        return host;
    }

    /** This command's command line: help that names each flag's variable, and defaults from the sources. */
    CommandLine commandLine() {
        CommandLine line = new CommandLine(this);
        SettingName.addToHelp(line.getCommandSpec());
        line.setDefaultValueProvider(sources);
        return line;
    }

    @Override
    public void run() {
        Level level = logLevel();
        AgentConfig config = config();
        setLogLevel(level);
        CountDownLatch stopped = new CountDownLatch(1);
        AutoCloseable agent;
        RUNNING.set(true); // from the start on: main must not end the JVM under a starting agent either
        try {
            agent = launcher.start(config, stopped::countDown);
        } catch (Exception e) {
            RUNNING.set(false);
            LoggerFactory.getLogger(AgentCommand.class).error("The agent could not start: {}", e.getMessage(), e);
            throw new CommandLine.ExecutionException(spec.commandLine(),
                    "the agent could not start: " + e.getMessage(), e);
        }
        Thread shutdown = new Thread(() -> {
            try {
                agent.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(AgentCommand.class).warn("The agent did not stop cleanly", e);
            }
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            RUNNING.set(false); // the agent stopped by itself (it left the cluster): main may end the JVM
        } catch (IllegalStateException exiting) {
            // stopped by the hook: the JVM is exiting already, and System.exit would block
        }
    }

    /** The agent's configuration from the parsed flags; a bad value throws, naming its flag. */
    AgentConfig config() {
        sources.configFile(spec.commandLine()); // reports a bad file, which parsing only skipped
        if (bootstrapExpect < 0) {
            throw invalid("--bootstrap-expect", bootstrapExpect, "must be 0 or more");
        }
        boolean isServer = server || dev;
        int expect = dev ? 1 : bootstrapExpect;
        String name = nodeName != null ? nodeName.trim() : host.name();
        if (name.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--node-name: must not be empty",
                    spec.findOption("--node-name"), nodeName);
        }
        HostPort bind = bindAddr != null ? address("--bind-addr", bindAddr, AgentConfig.GOSSIP_PORT)
                : new HostPort(dev ? "127.0.0.1" : host.privateAddress(), AgentConfig.GOSSIP_PORT);
        if (rpcPort < 1 || rpcPort > 65535) {
            throw invalid("--rpc-port", rpcPort, "must be from 1 to 65535");
        }
        if (retryMax < 0) {
            throw invalid("--retry-max", retryMax, "must be 0 (retry forever) or more");
        }
        if (executionsKept < 1) {
            throw invalid("--executions-kept", executionsKept, "must be 1 or more");
        }
        if (dataDir.toString().isBlank()) {
            throw new ParameterException(spec.commandLine(), "--data-dir: must not be empty",
                    spec.findOption("--data-dir"), dataDir.toString());
        }
        return checkChannels(new AgentConfig.Builder()
                .nodeName(name)
                .server(isServer)
                .bootstrapExpect(expect)
                .bindAddr(bind)
                .advertiseAddr(advertiseAddr(bind))
                .httpAddr(address("--http-addr", httpAddr, AgentConfig.HTTP_PORT))
                .rpcPort(rpcPort)
                .dataDir(dataDir.toAbsolutePath())
                .tags(tags())
                .join(members("--join", join))
                .retryJoin(members("--retry-join", retryJoin))
                .retryInterval(duration("--retry-interval", retryInterval, false))
                .retryMax(retryMax)
                .reconnectTimeout(duration("--reconnect-timeout", reconnectTimeout, false))
                .shutdownGrace(duration("--shutdown-grace", shutdownGrace, true))
                .killGrace(duration("--kill-grace", killGrace, true))
                .executionsKept(executionsKept)
                .artifactsBudget(artifactsBudget())
                .notifications(notifications())
                .encrypt(encryptKey())
                .pluginDir(pluginDir != null ? Optional.of(pluginDir.toAbsolutePath()) : distributionPlugins())
                .channels(channels.settings())
                .metrics(metrics())
                .build());
    }

    /** {@code config} once its notification channels were made: a bad template or address names its flag. */
    private AgentConfig checkChannels(AgentConfig config) {
        try {
            Channels.from(config);
        } catch (IllegalArgumentException e) {
            String flag = e.getMessage().substring(0, Math.max(0, e.getMessage().indexOf(':')));
            throw new ParameterException(spec.commandLine(), e.getMessage(), spec.findOption(flag), null);
        }
        return config;
    }

    /**
     * The root log level. Not part of {@link AgentConfig}: logback's level is global to the JVM, and tests run
     * several agents in one.
     */
    Level logLevel() {
        return switch (logLevel.trim().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARN;
            case "error", "fatal", "panic" -> Level.ERROR;
            default -> throw invalid("--log-level", logLevel, "must be one of debug, info, warn, error");
        };
    }

    /**
     * The distribution's {@code plugins/} folder: the agent's jar sits in its {@code lib/}, whatever launcher
     * started it. Empty when the agent runs from elsewhere (a build's classes, a test).
     */
    private static Optional<Path> distributionPlugins() {
        try {
            var source = AgentCommand.class.getProtectionDomain().getCodeSource();
            Path jar = source == null ? null : Path.of(source.getLocation().toURI());
            Path lib = jar == null ? null : jar.getParent();
            if (lib == null || !Files.isRegularFile(jar) || lib.getFileName() == null
                    || !lib.getFileName().toString().equals("lib") || lib.getParent() == null) {
                return Optional.empty();
            }
            return Optional.of(lib.getParent().resolve("plugins"));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Dkron's rule: the bind address, unless that is 0.0.0.0, which nobody can reach; then a private one. */
    private HostPort advertiseAddr(HostPort bind) {
        if (advertiseAddr == null) {
            return bind.isAnyAddress() ? new HostPort(host.privateAddress(), bind.port()) : bind;
        }
        HostPort advertised = address("--advertise-addr", advertiseAddr, bind.port());
        if (advertised.isAnyAddress()) {
            throw invalid("--advertise-addr", advertiseAddr, "must be an address other members can reach");
        }
        return advertised;
    }

    /** The gossip key; a bad one is refused without repeating it (a mistyped key is still most of a secret). */
    private Optional<GossipKey> encryptKey() {
        if (encrypt == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(GossipKey.parse(encrypt));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--encrypt: the key " + e.getMessage(),
                    spec.findOption("--encrypt"), "<redacted>");
        }
    }

    private Map<String, String> tags() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : tags == null ? List.<String>of() : tags) {
            int eq = item.indexOf('=');
            String key = eq < 0 ? "" : item.substring(0, eq).trim();
            if (key.isEmpty()) {
                throw invalid("--tag", item, "must be key=value");
            }
            out.put(key, item.substring(eq + 1).trim());
        }
        return out;
    }

    private List<String> members(String flag, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            out.add(address(flag, value, AgentConfig.GOSSIP_PORT).toString());
        }
        return out;
    }

    private HostPort address(String flag, String text, int defaultPort) {
        try {
            return HostPort.parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage(), spec.findOption(flag),
                    text);
        }
    }

    private Duration duration(String flag, String text, boolean zeroAllowed) {
        Duration d;
        try {
            d = GoDuration.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    flag + ": " + e.getMessage() + "; write e.g. 30s, 5m or 1h30m", spec.findOption(flag), text);
        }
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            throw invalid(flag, text, zeroAllowed ? "must be 0 or more" : "must be more than 0");
        }
        return d;
    }

    /** The notification rules: {@code --notify-on}, each channel's own where given, audit and cluster events. */
    private NotifySettings notifications() {
        Map<String, NotifyOn> perChannel = new LinkedHashMap<>();
        String[][] channels = {{"mail", "--mail-notify-on", mailNotifyOn}, {"webhook", "--webhook-notify-on",
                webhookNotifyOn}, {"slack", "--slack-notify-on", slackNotifyOn}};
        for (String[] c : channels) {
            if (c[2] != null && !c[2].isBlank()) {
                perChannel.put(c[0], notifyOn(c[1], c[2]));
            }
        }
        return new NotifySettings(notifyOn("--notify-on", notifyOn), perChannel, notifyAudit, notifyClusterEvents);
    }

    private NotifyOn notifyOn(String flag, String text) {
        try {
            return NotifyOn.parse(flag, text);
        } catch (IllegalArgumentException e) {
            throw invalid(flag, text, "must be one of always, failure, success, change, never");
        }
    }

    /** The metrics flags: StatsD addresses need their port (a bare word is more likely a slip than a host). */
    private MetricsConfig metrics() {
        MetricsConfig out = MetricsConfig.NONE.withPrometheus(enablePrometheus);
        if (statsdAddr != null) {
            out = out.withStatsd(statsdAddress("--statsd-addr", statsdAddr));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String item : dogStatsdTags == null ? List.<String>of() : dogStatsdTags) {
            int colon = item.indexOf(':');
            String key = colon < 0 ? "" : item.substring(0, colon).trim();
            String value = colon < 0 ? "" : item.substring(colon + 1).trim();
            if (key.isEmpty() || value.isEmpty()) {
                throw invalid("--dog-statsd-tags", item, "must be key:value");
            }
            tags.put(key, value);
        }
        if (dogStatsdAddr != null) {
            out = out.withDogStatsd(statsdAddress("--dog-statsd-addr", dogStatsdAddr), tags);
        } else if (!tags.isEmpty()) {
            throw invalid("--dog-statsd-tags", String.join(",", dogStatsdTags), "needs --dog-statsd-addr");
        }
        return out;
    }

    private HostPort statsdAddress(String flag, String text) {
        HostPort parsed = address(flag, text, 0);
        if (parsed.port() == 0 || parsed.isAnyAddress()) {
            throw invalid(flag, text, "must be host:port, e.g. 127.0.0.1:" + MetricsConfig.STATSD_PORT);
        }
        return parsed;
    }

    /** {@code --artifacts-budget}: a byte count, or one with a binary unit (KiB, MiB), within the allowed range. */
    private long artifactsBudget() {
        String text = artifactsBudget.trim();
        long unit = 1;
        String number = text;
        for (var suffix : List.of(Map.entry("KiB", 1L << 10), Map.entry("MiB", 1L << 20), Map.entry("B", 1L))) {
            if (text.endsWith(suffix.getKey())) {
                unit = suffix.getValue();
                number = text.substring(0, text.length() - suffix.getKey().length()).trim();
                break;
            }
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(number), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid("--artifacts-budget", artifactsBudget, "must be a size such as 1048576, 512KiB or 1MiB");
        }
        if (bytes < 0 || bytes > ArtifactFolders.MAX_BUDGET) {
            throw invalid("--artifacts-budget", artifactsBudget, "must be from 0 to 2MiB (artifacts travel in one"
                    + " Raft entry)");
        }
        return bytes;
    }

    private ParameterException invalid(String flag, Object value, String problem) {
        return new ParameterException(spec.commandLine(), flag + ": '" + value + "' " + problem,
                spec.findOption(flag), String.valueOf(value));
    }

    private static void setLogLevel(Level level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level);
        }
    }
}
