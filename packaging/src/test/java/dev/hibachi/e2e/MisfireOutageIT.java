package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.api.ledger.RunLedger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The misfire policy after a real outage: the leader is killed (kill -9) just after an instant, the other two
 * servers with it, and the store stays down for two minutes; then the two others come back and one of them
 * leads. Of the instants that passed, those younger than the job's grace (30 s) each run late, once; of the
 * older ones, {@code run_once} runs only the newest and records the rest as one missed span, {@code run_all}
 * runs every one. No instant runs twice and none is lost unrecorded. Last of the cluster classes: it takes
 * the whole store down.
 */
@Order(7)
class MisfireOutageIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    private static final Duration EVERY = Duration.ofSeconds(20);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration OUTAGE = Duration.ofMinutes(2);

    @Test
    void runOnceRunsTheNewestOldInstantAndRunAllRunsEveryOneAfterATwoMinuteOutage() throws Exception {
        LocalCluster cluster = CLUSTER.cluster();
        HibachiApi api = cluster.api(); // a client: it stays up through the outage
        List<String> jobs = List.of("outage-once", "outage-all");
        try {
            Instant created = Instant.now();
            for (String[] job : List.of(new String[]{"outage-once", "run_once"}, new String[]{"outage-all", "run_all"})) {
                api.putJob("""
                        {"name":"%s","schedule":"@every 20s","misfire":"%s","misfire_grace":"30s",
                         "tags":{"pool":"workers:1"},"executor":"shell","executor_config":{"command":"true"}}"""
                        .formatted(job[0], job[1]));
            }
            await("a run of each job").atMost(Duration.ofSeconds(40)).until(() -> jobs.stream()
                    .allMatch(j -> api.executions(j).stream().anyMatch(Execution::finished)));
            // Each job has its own @every phase (anchored when it was created).
            Instant lastOnce = lastInstant(api, "outage-once");
            Instant lastAll = lastInstant(api, "outage-all");
            Instant lastRun = lastOnce.isAfter(lastAll) ? lastOnce : lastAll;

            // Between two instants: the next one is ~19 s away and not planned yet (plans go 1.25 s ahead).
            List<AgentProcess> servers = cluster.servers();
            AgentProcess leader = cluster.leader();
            leader.kill();
            servers.stream().filter(s -> s != leader).forEach(AgentProcess::kill);
            Instant down = Instant.now();
            System.out.println("outage: all servers killed at " + down + " (" + leader.name() + " led); last instant "
                    + lastRun);
            // The outage itself is the scenario's input, not a wait for a condition.
            Thread.sleep(OUTAGE.toMillis());

            List<AgentProcess> others = servers.stream().filter(s -> s != leader).toList();
            others.forEach(AgentProcess::start);
            LocalCluster.inParallel(others, a -> a.awaitHealthy(LocalCluster.START_TIMEOUT));
            await("a leader among the two that came back").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> others.stream().anyMatch(a -> a.api().isLeader()));
            await("the outage's instants planned").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> !misses(api, "outage-once").isEmpty());

            JsonNode span = misses(api, "outage-once").get(0);
            Instant planned = Instant.parse(span.path("recorded_at").asText());
            List<Instant> passed = passedBetween(lastOnce, planned);
            List<Instant> old = passed.stream().filter(i -> i.isBefore(planned.minus(GRACE))).toList();
            List<Instant> young = passed.stream().filter(i -> !i.isBefore(planned.minus(GRACE))).toList();
            System.out.println("outage: planned again at " + planned + "; " + old.size() + " old and " + young.size()
                    + " young instants passed");
            assertThat(old).as("instants older than the grace").hasSizeGreaterThanOrEqualTo(3);

            Set<Instant> expectedOnce = new TreeSet<>(young);
            expectedOnce.add(old.get(old.size() - 1));
            await("run_once ran the newest old instant and the young ones").atMost(Duration.ofSeconds(30))
                    .ignoreExceptions().untilAsserted(() ->
                            assertThat(ranWithin(api, "outage-once", lastOnce, planned)).isEqualTo(expectedOnce));
            assertThat(span.path("kind").asText()).isEqualTo("missed");
            assertThat(Instant.parse(span.path("from").asText())).isEqualTo(old.get(0));
            assertThat(Instant.parse(span.path("to").asText())).isEqualTo(old.get(old.size() - 2));
            assertThat(span.path("count").asLong()).isEqualTo(old.size() - 1);
            assertThat(span.path("reason").asText()).contains("run_once");
            assertThat(api.job("outage-once").path("missed_count").asLong()).isEqualTo(old.size() - 1);

            await("run_all ran every instant that passed").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(ranWithin(api, "outage-all", lastAll, planned))
                            .isEqualTo(new TreeSet<>(passedBetween(lastAll, planned))));
            assertThat(misses(api, "outage-all")).isEmpty();

            RunLedger.over(api.base()).withSettle(Duration.ofSeconds(30))
                    .check(jobs, created.plusSeconds(1), Instant.now().minusSeconds(5)).assertClean();
        } finally {
            cluster.deleteJobsQuietly(jobs);
        }
    }

    private static Instant lastInstant(HibachiApi api, String job) {
        return api.executions(job).stream().map(Execution::scheduledAt).max(Instant::compareTo).orElseThrow();
    }

    /** The job's instants after {@code last} and before {@code planned}. */
    private static List<Instant> passedBetween(Instant last, Instant planned) {
        List<Instant> passed = new ArrayList<>();
        for (Instant i = last.plus(EVERY); i.isBefore(planned); i = i.plus(EVERY)) {
            passed.add(i);
        }
        return passed;
    }

    private static List<JsonNode> misses(HibachiApi api, String job) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/v1/jobs/" + job + "/misses").json().forEach(out::add);
        return out;
    }

    /** The instants after {@code after} and before {@code before} that ran, once each (a duplicate fails). */
    private static Set<Instant> ranWithin(HibachiApi api, String job, Instant after, Instant before) {
        List<Instant> ran = api.executions(job).stream().filter(e -> e.attempt() == 1)
                .map(Execution::scheduledAt).filter(i -> i.isAfter(after) && i.isBefore(before)).toList();
        Set<Instant> once = new TreeSet<>(ran);
        assertThat(ran).as("runs of %s", job).hasSameSizeAs(once);
        return once.stream().collect(Collectors.toCollection(TreeSet::new));
    }
}
