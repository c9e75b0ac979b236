package dev.hibachi.agent.metrics;

import dev.hibachi.agent.AgentConfig.HostPort;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the agent's metrics go ({@code --statsd-addr}, {@code --dog-statsd-addr}, {@code --dog-statsd-tags},
 * {@code --enable-prometheus}); nothing is measured when none is set.
 *
 * @param statsdAddr    a StatsD server (etsy flavor: tags folded into the name)
 * @param dogStatsdAddr a DogStatsD server (datadog flavor: tags as {@code |#k:v})
 * @param dogStatsdTags tags added to every line sent to {@code dogStatsdAddr}
 * @param prometheus    serve {@code GET /metrics} in the Prometheus text format
 * @param pollEvery     how often gauges are read and buffered StatsD lines sent (not a flag: tests shorten it)
 */
public record MetricsConfig(Optional<HostPort> statsdAddr, Optional<HostPort> dogStatsdAddr,
                            Map<String, String> dogStatsdTags, boolean prometheus, Duration pollEvery) {
    /** StatsD's port when an address gives none. */
    public static final int STATSD_PORT = 8125;
    public static final MetricsConfig NONE = new MetricsConfig(Optional.empty(), Optional.empty(), Map.of(), false,
            Duration.ofSeconds(10));

    public MetricsConfig {
        Objects.requireNonNull(statsdAddr, "statsdAddr");
        Objects.requireNonNull(dogStatsdAddr, "dogStatsdAddr");
        Objects.requireNonNull(pollEvery, "pollEvery");
        dogStatsdTags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dogStatsdTags));
        if (pollEvery.isNegative() || pollEvery.isZero()) {
            throw new IllegalArgumentException("pollEvery must be more than 0");
        }
    }

    /** True when at least one registry is configured. */
    public boolean enabled() {
        return statsdAddr.isPresent() || dogStatsdAddr.isPresent() || prometheus;
    }

    public MetricsConfig withStatsd(HostPort value) {
        return new MetricsConfig(Optional.of(value), dogStatsdAddr, dogStatsdTags, prometheus, pollEvery);
    }

    public MetricsConfig withDogStatsd(HostPort value, Map<String, String> tags) {
        return new MetricsConfig(statsdAddr, Optional.of(value), tags, prometheus, pollEvery);
    }

    public MetricsConfig withPrometheus(boolean value) {
        return new MetricsConfig(statsdAddr, dogStatsdAddr, dogStatsdTags, value, pollEvery);
    }

    public MetricsConfig withPollEvery(Duration value) {
        return new MetricsConfig(statsdAddr, dogStatsdAddr, dogStatsdTags, prometheus, value);
    }
}
