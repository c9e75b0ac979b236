package dev.hibachi.agent.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.AgentConfig.HostPort;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real agent (Ratis, RocksDB, real processes) with {@code --statsd-addr} and {@code --dog-statsd-addr} pointing
 * at real UDP sockets on loopback: jobs run, fail, are skipped and killed, and the lines that arrive are checked
 * for their names, types and tags in both flavors.
 */
@Timeout(120)
class MetricsStatsdTest {
    private static final String NODE = "node-1";
    /** A DogStatsD line: {@code name:value|type|#k:v,k:v}. */
    private static final Pattern DOG_LINE = Pattern.compile("([a-z0-9._]+):(-?[0-9.eE+-]+)\\|(c|g|ms|h|d)(?:\\|#(.*))?");

    @TempDir
    static Path tmp;
    static UdpLines etsy;
    static UdpLines dog;
    static Agent agent;

    record DogLine(String name, double value, String type, Map<String, String> tags) {
        static Optional<DogLine> parse(String line) {
            Matcher m = DOG_LINE.matcher(line);
            if (!m.matches()) {
                return Optional.empty();
            }
            Map<String, String> tags = new LinkedHashMap<>();
            if (m.group(4) != null) {
                for (String tag : m.group(4).split(",")) {
                    int colon = tag.indexOf(':');
                    tags.put(tag.substring(0, colon), tag.substring(colon + 1));
                }
            }
            return Optional.of(new DogLine(m.group(1), Double.parseDouble(m.group(2)), m.group(3), tags));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        etsy = new UdpLines();
        dog = new UdpLines();
        MetricsConfig metrics = MetricsConfig.NONE.withStatsd(new HostPort("127.0.0.1", etsy.port()))
                .withDogStatsd(new HostPort("127.0.0.1", dog.port()), Map.of("env", "test", "team", "ops"))
                .withPollEvery(Duration.ofMillis(200));
        agent = Agent.start(AgentConfig.dev(NODE, tmp.resolve("agent"), freePort(), freePort(),
                        StoreTestSupport.freeGossipPort()).withShutdownGrace(Duration.ofSeconds(2)).withMetrics(metrics),
                Clock.systemUTC(), DispatchObserver.NONE, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (etsy != null) {
            etsy.close();
        }
        if (dog != null) {
            dog.close();
        }
    }

    @Test
    void executionsAreCountedAndTimedWithTheirJobAndNodeInBothFlavors() throws Exception {
        put(shellJob("ok-job", "echo hi", null));
        put(shellJob("bad-job", "exit 3", null));
        runAndWait("ok-job");
        runAndWait("bad-job");

        Map<String, String> common = Map.of("node", NODE, "env", "test", "team", "ops");
        awaitDog("hibachi.executions.started", "c", tags(common, "job", "ok-job"), 1);
        awaitDog("hibachi.executions.started", "c", tags(common, "job", "bad-job"), 1);
        awaitDog("hibachi.executions.finished", "c", tags(common, "job", "ok-job", "status", "succeeded"), 1);
        awaitDog("hibachi.executions.finished", "c", tags(common, "job", "bad-job", "status", "failed"), 1);
        DogLine duration = awaitDog("hibachi.execution.duration", "ms",
                tags(common, "job", "ok-job", "status", "succeeded"), null);
        assertThat(duration.value()).isGreaterThanOrEqualTo(0).isLessThan(20_000);
        DogLine lateness = awaitDog("hibachi.dispatch.lateness", "ms", common, null);
        assertThat(lateness.tags()).doesNotContainKey("job"); // one histogram per node: bounded
        assertThat(lateness.value()).isGreaterThanOrEqualTo(0).isLessThan(10_000);
        awaitDog("hibachi.raft.commit", "ms", tags(common, "outcome", "answered"), null);
        awaitDog("hibachi.leader.changes", "c", common, 1);
        awaitDog("hibachi.leader", "g", common, 1);
        awaitDog("hibachi.members", "g", tags(common, "status", "alive"), 1);
        awaitDog("hibachi.members", "g", tags(common, "status", "failed"), 0);
        awaitDog("hibachi.executions.running", "g", common, null);
        awaitDog("hibachi.jobs", "g", tags(common, "status", "failed"), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastDog("hibachi.jobs", tags(common, "status", "success"))
                .map(l -> l.value() >= 1).orElse(false));
        awaitDog("hibachi.jobs.disabled", "g", common, null);
        // JVM and process binders
        for (String jvm : List.of("jvm.memory.used", "jvm.threads.live", "jvm.classes.loaded", "process.uptime",
                "process.files.open", "system.cpu.count")) {
            awaitDog(jvm, "g", null, null);
        }

        // Etsy: no tags on the wire, they are folded into the (camel-cased) name, sorted by key; no Datadog tags.
        awaitEtsy("hibachiExecutionsStarted.job.ok-job.node.node-1.statistic.count:1|c");
        awaitEtsy("hibachiExecutionsFinished.job.bad-job.node.node-1.statistic.count.status.failed:1|c");
        awaitEtsy("hibachiLeader.node.node-1.statistic.value:1|g");
        await().atMost(Duration.ofSeconds(10)).until(() -> etsy.lines().stream()
                .anyMatch(l -> l.matches("hibachiExecutionDuration\\.job\\.ok-job\\.node\\.node-1\\.status\\.succeeded"
                        + ":[0-9.]+\\|ms")));
        assertThat(etsy.lines()).allSatisfy(l -> assertThat(l).doesNotContain("|#").doesNotContain("env"));
    }

    @Test
    void skippedAndKilledRunsAreCountedOnceByTheLeader() throws Exception {
        Map<String, String> common = Map.of("node", NODE, "env", "test", "team", "ops");
        // forbid: the next second's run is still blocked by the running one at its instant, so it is skipped.
        put(shellJob("forbid-job", "sleep 3", "forbid"));
        awaitDog("hibachi.runs.skipped", "c", tags(common, "job", "forbid-job"), null);
        assertThat(agent.jobs().toggleJob("forbid-job").ok()).isTrue();

        put(shellJob("sleeper", "sleep 30", null));
        long run = agent.jobs().runNow("sleeper").value().path("run_id").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.runner().live("sleeper", run, 1).isPresent());
        Reply killed = agent.jobs().kill("sleeper", run + "-1-" + NODE, "metrics-test");
        assertThat(killed.ok()).as(String.valueOf(killed.error())).isTrue();
        awaitDog("hibachi.runs.killed", "c", tags(common, "job", "sleeper"), 1);
        awaitDog("hibachi.executions.finished", "c", tags(common, "job", "sleeper", "status", "failed"), 1);
    }

    /** Waits for a DogStatsD line of {@code name} and {@code type} whose tags are exactly {@code tags} (if given). */
    private static DogLine awaitDog(String name, String type, Map<String, String> tags, Integer value) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> dog.lines().stream()
                .map(DogLine::parse).flatMap(Optional::stream)
                .filter(l -> l.name().equals(name) && l.type().equals(type))
                .filter(l -> tags == null || withoutStatistic(l.tags()).equals(tags))
                .filter(l -> value == null || l.value() == value)
                .findFirst(), Optional::isPresent).orElseThrow();
    }

    private static Optional<DogLine> lastDog(String name, Map<String, String> tags) {
        return dog.lines().stream().map(DogLine::parse).flatMap(Optional::stream)
                .filter(l -> l.name().equals(name) && withoutStatistic(l.tags()).equals(tags))
                .reduce((a, b) -> b);
    }

    /** Micrometer adds {@code statistic:count|value} to counters and gauges; it says nothing the type does not. */
    private static Map<String, String> withoutStatistic(Map<String, String> tags) {
        Map<String, String> out = new LinkedHashMap<>(tags);
        out.remove("statistic");
        return out;
    }

    private static void awaitEtsy(String line) {
        await().atMost(Duration.ofSeconds(15)).until(() -> etsy.lines().contains(line));
    }

    private static Map<String, String> tags(Map<String, String> common, String... pairs) {
        Map<String, String> out = new LinkedHashMap<>(common);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static void runAndWait(String job) throws Exception {
        Reply r = agent.jobs().runNow(job);
        assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
        var outcome = agent.jobs().awaitRun(job, r.value().path("run_id").asLong(),
                System.nanoTime() + Duration.ofSeconds(20).toNanos()).get();
        assertThat(outcome.over()).isTrue();
    }

    private static Job shellJob(String name, String command, String concurrency) {
        String schedule = concurrency == null ? "@manually" : "@every 1s";
        ObjectNode node = Json.mapper().valueToTree(Job.of(name, schedule, "shell",
                Map.of("command", command, "shell", "true")));
        if (concurrency != null) {
            node.put("concurrency", concurrency);
        }
        return Json.mapper().convertValue(node, Job.class);
    }

    private static void put(Job job) throws Exception {
        Reply r = agent.jobs().putJob(job);
        assertThat(r.ok()).as("put %s: %s", job.name(), r.error()).isTrue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
