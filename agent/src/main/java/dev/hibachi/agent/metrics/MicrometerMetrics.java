package dev.hibachi.agent.metrics;

import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.dispatch.RunOrder;
import dev.hibachi.store.index.JobIndex;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@link Metrics} on Micrometer: the one class that knows it. One composite registry holds a StatsD registry per
 * configured server (etsy, datadog) and a Prometheus one; every meter carries the {@code node} tag, and the
 * meters' names and meanings are listed in the README ("Metrics").
 *
 * <p>Bounded whatever happens: a {@code job} tag is kept for the first {@value #MAX_JOB_TAGS} job names this
 * process sees, later names count under {@code job=_other} (ephemeral jobs with fresh names would otherwise grow
 * the meters forever); no meter is tagged with a run or execution id.
 */
public final class MicrometerMetrics implements Metrics {
    private static final Logger LOG = LoggerFactory.getLogger(MicrometerMetrics.class);

    public static final String EXECUTIONS_STARTED = "hibachi.executions.started";
    public static final String EXECUTIONS_FINISHED = "hibachi.executions.finished";
    public static final String EXECUTION_DURATION = "hibachi.execution.duration";
    public static final String EXECUTIONS_RUNNING = "hibachi.executions.running";
    public static final String DISPATCH_LATENESS = "hibachi.dispatch.lateness";
    public static final String RUNS_MISSED = "hibachi.runs.missed";
    public static final String RUNS_SKIPPED = "hibachi.runs.skipped";
    public static final String RUNS_KILLED = "hibachi.runs.killed";
    public static final String JOBS = "hibachi.jobs";
    public static final String JOBS_DISABLED = "hibachi.jobs.disabled";
    public static final String MEMBERS = "hibachi.members";
    public static final String LEADER = "hibachi.leader";
    public static final String LEADER_CHANGES = "hibachi.leader.changes";
    public static final String RAFT_COMMIT = "hibachi.raft.commit";
    public static final String NOTIFICATIONS = "hibachi.notifications";

    /** Distinct {@code job} tag values kept; see the class comment. */
    static final int MAX_JOB_TAGS = 2_000;
    static final String OTHER_JOBS = "_other";
    /** Job statuses with a gauge of their own; anything else is counted under {@code other}. */
    private static final List<String> JOB_STATUSES = List.of("success", "failed", "partially_failed");
    /** Job counts are one pass over the index: read at most this often, however many gauges and registries ask. */
    private static final long JOB_COUNTS_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final List<MeterRegistry> children = new ArrayList<>();
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Job names that have their own {@code job} tag (at most {@value #MAX_JOB_TAGS}). */
    private final Set<String> taggedJobs = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean jobTagsFull = new AtomicBoolean();
    /** Meters made on first use (a job that never fails has no failure series), by name and tags. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Timer lateness;
    private final Counter leaderChanges;
    private volatile JobCountsMemo jobCounts = new JobCountsMemo(0, JobIndex.Counts.NONE);

    private record JobCountsMemo(long readAt, JobIndex.Counts counts) {
    }

    private MicrometerMetrics(MetricsConfig config, String node) {
        config.statsdAddr().ifPresent(a -> children.add(statsd(a, StatsdFlavor.ETSY, config.pollEvery())));
        config.dogStatsdAddr().ifPresent(a -> {
            MeterRegistry dog = statsd(a, StatsdFlavor.DATADOG, config.pollEvery());
            List<String> tags = new ArrayList<>();
            config.dogStatsdTags().forEach((k, v) -> {
                tags.add(k);
                tags.add(v);
            });
            dog.config().commonTags(tags.toArray(String[]::new));
            children.add(dog);
        });
        if (config.prometheus()) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // Prometheus computes quantiles on the server from buckets; StatsD servers compute them from the raw
            // timings, so only this registry gets the lateness histogram (about 70 buckets from 1 ms to 10 min).
            prometheus.config().meterFilter(new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig c) {
                    if (!id.getName().equals(DISPATCH_LATENESS)) {
                        return c;
                    }
                    return DistributionStatisticConfig.builder().percentilesHistogram(true)
                            .minimumExpectedValue((double) TimeUnit.MILLISECONDS.toNanos(1))
                            .maximumExpectedValue((double) TimeUnit.MINUTES.toNanos(10))
                            .build().merge(c);
                }
            });
            children.add(prometheus);
        } else {
            prometheus = null;
        }
        registry.config().commonTags("node", node);
        children.forEach(registry::add);

        lateness = Timer.builder(DISPATCH_LATENESS)
                .description("from when an attempt was due (its instant, or its retry's) to its process start")
                .register(registry);
        leaderChanges = Counter.builder(LEADER_CHANGES).description("times this server became the store's leader")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The agent's metrics: {@link Metrics#NONE} when {@code config} names no registry. */
    public static Metrics of(MetricsConfig config, String node) {
        return config.enabled() ? new MicrometerMetrics(config, node) : NONE;
    }

    private static MeterRegistry statsd(HostPort address, StatsdFlavor flavor, Duration pollEvery) {
        StatsdConfig config = new StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return flavor;
            }

            @Override
            public String host() {
                // A bracketed IPv6 literal is an address for us; the resolver wants it bare.
                return address.host().startsWith("[") ? address.host().substring(1, address.host().length() - 1)
                        : address.host();
            }

            @Override
            public int port() {
                return address.port();
            }

            @Override
            public Duration pollingFrequency() {
                return pollEvery;
            }
        };
        return new StatsdMeterRegistry(config, Clock.SYSTEM);
    }

    /** The Prometheus text exposition of every meter; empty unless {@code --enable-prometheus}. */
    public Optional<String> scrape() {
        return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
    }

    /** The Prometheus scrape of {@code metrics}, if it is a Micrometer binding with Prometheus on. */
    public static Optional<String> scrape(Metrics metrics) {
        return metrics instanceof MicrometerMetrics m ? m.scrape() : Optional.empty();
    }

    /** {@code job} itself as a tag value while fewer than {@value #MAX_JOB_TAGS} names have one; else {@code _other}. */
    private String jobTag(String job) {
        if (taggedJobs.contains(job)) {
            return job;
        }
        if (taggedJobs.size() >= MAX_JOB_TAGS) {
            if (jobTagsFull.compareAndSet(false, true)) {
                LOG.warn("{} job names have meters: later jobs are counted under job={}", MAX_JOB_TAGS, OTHER_JOBS);
            }
            return OTHER_JOBS;
        }
        taggedJobs.add(job);
        return job;
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).tags(tags)
                .description(description).register(registry));
    }

    private Timer timer(String name, String description, String... tags) {
        return timers.computeIfAbsent(key(name, tags), k -> Timer.builder(name).tags(tags)
                .description(description).register(registry));
    }

    private static List<String> key(String name, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(Arrays.asList(tags));
        return key;
    }

    @Override
    public void spawning(RunOrder.Attempt attempt, Instant at) {
        counter(EXECUTIONS_STARTED, "attempts whose process this member started",
                "job", jobTag(attempt.job().name())).increment();
        Instant due = attempt.notBefore() != null ? attempt.notBefore() : attempt.scheduledAt();
        if (due != null) {
            // Early (a member's clock behind the leader's) counts as on time: a timer takes no negative amount.
            Duration late = Duration.between(due, at);
            lateness.record(late.isNegative() ? Duration.ZERO : late);
        }
    }

    @Override
    public void finished(RunOrder.Attempt attempt, Instant started, Instant finished, boolean success, boolean ran) {
        String job = jobTag(attempt.job().name());
        String status = success ? "succeeded" : "failed";
        counter(EXECUTIONS_FINISHED, "attempts that ended on this member", "job", job, "status", status).increment();
        if (ran && !finished.isBefore(started)) {
            timer(EXECUTION_DURATION, "how long attempts ran on this member, process start to end",
                    "job", job, "status", status).record(Duration.between(started, finished));
        }
    }

    @Override
    public void notification(String channel, boolean delivered) {
        counter(NOTIFICATIONS, "notifications delivered, and delivery attempts that failed, by channel",
                "channel", channel, "status", delivered ? "sent" : "failed").increment();
    }

    @Override
    public void leaderChanged() {
        leaderChanges.increment();
    }

    @Override
    public void runsMissed(String job, long count, String kind) {
        if ("skipped".equals(kind)) {
            counter(RUNS_SKIPPED, "runs of forbid jobs skipped: the run before still ran (counted by the leader)",
                    "job", jobTag(job)).increment(count);
        } else {
            counter(RUNS_MISSED, "instants not planned in time, never to run (counted by the leader)",
                    "job", jobTag(job)).increment(count);
        }
    }

    @Override
    public void runKilled(String job) {
        counter(RUNS_KILLED, "attempts closed as killed at someone's request (counted by the leader)",
                "job", jobTag(job)).increment();
    }

    @Override
    public void storeWrite(Duration took, boolean answered) {
        timer(RAFT_COMMIT, "a write to the store, from its proposal to its reply (committed and applied)",
                "outcome", answered ? "answered" : "unreachable").record(took);
    }

    @Override
    public void runningExecutions(IntSupplier count) {
        Gauge.builder(EXECUTIONS_RUNNING, () -> count.getAsInt())
                .description("attempts running on this member, or accepted and waiting to start").register(registry);
    }

    @Override
    public void members(Supplier<? extends Collection<Member>> members) {
        for (Member.Status status : Member.Status.values()) {
            Gauge.builder(MEMBERS, () -> members.get().stream().filter(m -> m.status() == status).count())
                    .tag("status", status.name().toLowerCase(Locale.ROOT))
                    .description("members of the cluster by status, as this agent sees them").register(registry);
        }
    }

    @Override
    public void jobs(Supplier<JobIndex.Counts> counts) {
        Function<Function<JobIndex.Counts, Integer>, Supplier<Number>> reading = pick -> () -> pick.apply(
                jobCounts(counts));
        for (String status : JOB_STATUSES) {
            Gauge.builder(JOBS, reading.apply(c -> c.byStatus().getOrDefault(status, 0))).tag("status", status)
                    .description("jobs in this server's replica by their last run's status").register(registry);
        }
        Gauge.builder(JOBS, reading.apply(c -> c.byStatus().getOrDefault("", 0))).tag("status", "none")
                .description("jobs in this server's replica by their last run's status").register(registry);
        Gauge.builder(JOBS, reading.apply(c -> c.byStatus().entrySet().stream()
                        .filter(e -> !e.getKey().isEmpty() && !JOB_STATUSES.contains(e.getKey()))
                        .mapToInt(Map.Entry::getValue).sum())).tag("status", "other")
                .description("jobs in this server's replica by their last run's status").register(registry);
        Gauge.builder(JOBS_DISABLED, reading.apply(JobIndex.Counts::disabled))
                .description("disabled jobs in this server's replica").register(registry);
    }

    private JobIndex.Counts jobCounts(Supplier<JobIndex.Counts> source) {
        JobCountsMemo memo = jobCounts;
        long now = System.nanoTime();
        if (memo.readAt() == 0 || now - memo.readAt() > JOB_COUNTS_TTL_NANOS) {
            memo = new JobCountsMemo(now == 0 ? 1 : now, source.get());
            jobCounts = memo;
        }
        return memo.counts();
    }

    @Override
    public void leading(BooleanSupplier leading) {
        Gauge.builder(LEADER, () -> leading.getAsBoolean() ? 1 : 0)
                .description("1 on the store's leader, 0 on other servers").register(registry);
    }

    /** Stops the StatsD publishers (sending what they buffered) and the GC listener. */
    @Override
    public void close() {
        gc.close();
        for (MeterRegistry child : children) {
            try {
                child.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the {} registry failed: {}", child.getClass().getSimpleName(), e.toString());
            }
        }
        registry.close();
    }
}
