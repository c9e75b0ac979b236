package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster (servers s1..s3, clients w1 {@code role=web} and b1 {@code role=batch zone=a}): every
 * agent lists all five members with their tags, {@code /v1/leader} and {@code /v1/isleader} answer, and each
 * job runs where its tags say, as {@code executions[].node_name} shows.
 */
@Order(2)
class MembershipAndRoutingIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = ClusterExtension.shared(Topology.threeServersTwoClients());

    private static final Set<String> ALL = Set.of("s1", "s2", "s3", "w1", "b1");
    private static final Map<String, Map<String, String>> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("route-web", Map.of("role", "web"));
        JOBS.put("route-batch-zone-a", Map.of("role", "batch", "zone", "a"));
        JOBS.put("route-web-one", Map.of("role", "web:1"));
        JOBS.put("route-site-one", Map.of("site", "local:1"));
        JOBS.put("route-everyone", Map.of());
        JOBS.put("route-nowhere", Map.of("role", "db"));
    }

    private static boolean posted;

    /**
     * All the jobs at once, before the first test, so that the tests wait for their runs side by side. (Not
     * in {@code @BeforeAll}: the cluster's tests are skipped in {@code beforeEach} when it cannot start.)
     */
    @BeforeEach
    void postJobsOnce() {
        if (!posted) {
            HibachiApi api = CLUSTER.cluster().api();
            JOBS.forEach((name, tags) -> api.putJob(JobJson.shell(name, "@every 1s", "echo routed", tags)));
            posted = true;
        }
    }

    @AfterAll
    static void deleteJobs() {
        if (posted) {
            CLUSTER.cluster().deleteJobsQuietly(List.copyOf(JOBS.keySet()));
        }
    }

    @Test
    void everyAgentListsAllFiveMembersWithTheirTags() {
        LocalCluster cluster = CLUSTER.cluster();
        for (AgentProcess asked : cluster.agents()) {
            Map<String, JsonNode> members = LocalCluster.membersByName(asked);
            assertThat(members.keySet()).as("/v1/members on %s", asked.name()).containsExactlyInAnyOrderElementsOf(ALL);
            for (AgentProcess a : cluster.agents()) {
                JsonNode m = members.get(a.name());
                assertThat(m.path("Status").asInt()).as("Status of %s on %s", a.name(), asked.name()).isEqualTo(1);
                assertThat(m.path("statusText").asText()).as("statusText of %s", a.name()).isEqualToIgnoringCase("alive");
                assertThat(m.path("Addr").asText()).as("Addr of %s", a.name()).isEqualTo("127.0.0.1");
                assertThat(m.path("Port").asInt()).as("Port of %s", a.name()).isEqualTo(a.spec().gossipPort());
                Map<String, String> tags = new TreeMap<>();
                m.path("Tags").fields().forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
                assertThat(tags).as("Tags of %s on %s", a.name(), asked.name()).containsAllEntriesOf(a.spec().tags());
            }
        }
    }

    @Test
    void leaderAndIsLeaderAnswerAsDkronDoes() {
        LocalCluster cluster = CLUSTER.cluster();
        String leader = cluster.agents().get(0).api().leaderName();
        assertThat(cluster.servers()).extracting(AgentProcess::name).contains(leader);
        for (AgentProcess a : cluster.agents()) {
            assertThat(a.api().leaderName()).as("/v1/leader on %s", a.name()).isEqualTo(leader);
            assertThat(a.api().isLeader()).as("/v1/isleader on %s", a.name()).isEqualTo(a.name().equals(leader));
        }
    }

    @Test
    void aJobRunsOnlyOnTheMembersThatHaveAllItsTags() {
        HibachiApi api = CLUSTER.cluster().api();
        awaitFinishedRuns(api, "route-web", 3);
        awaitFinishedRuns(api, "route-batch-zone-a", 3);
        assertThat(api.executions("route-web")).extracting(Execution::node).containsOnly("w1");
        assertThat(api.executions("route-batch-zone-a")).extracting(Execution::node).containsOnly("b1");
    }

    @Test
    void cardinalityRunsEachRunOnExactlyOneMatchingMember() {
        HibachiApi api = CLUSTER.cluster().api();
        awaitFinishedRuns(api, "route-web-one", 3);
        Map<Long, List<Execution>> web = runs(api, "route-web-one");
        assertThat(web.values()).allSatisfy(run -> assertThat(run).extracting(Execution::node).containsExactly("w1"));

        // site=local is on all five: one member per run, picked at random, so several over ten runs
        awaitFinishedRuns(api, "route-site-one", 10);
        Map<Long, List<Execution>> site = runs(api, "route-site-one");
        assertThat(site.values()).allSatisfy(run -> assertThat(run).hasSize(1));
        Set<String> nodes = site.values().stream().map(run -> run.get(0).node()).collect(Collectors.toSet());
        assertThat(ALL).containsAll(nodes);
        assertThat(nodes).as("members picked over %d runs", site.size()).hasSizeGreaterThan(1);
    }

    @Test
    void aJobWithoutTagsRunsOnEveryAliveMember() {
        HibachiApi api = CLUSTER.cluster().api();
        await("three runs on all five members").atMost(Duration.ofSeconds(30)).until(() ->
                runs(api, "route-everyone").values().stream().filter(run -> nodes(run).equals(ALL)).count() >= 3);
        Instant settled = Instant.now().minusSeconds(5); // reports arrive in batches every <= 50 ms
        for (List<Execution> run : runs(api, "route-everyone").values()) {
            assertThat(run).extracting(Execution::node).as("run %s", run).doesNotHaveDuplicates();
            assertThat(ALL).containsAll(nodes(run));
            if (run.get(0).scheduledAt().isBefore(settled)) {
                assertThat(nodes(run)).as("run %s", run).isEqualTo(ALL);
            }
        }
    }

    @Test
    void aRunThatNoMemberMatchesIsRecordedAsFailedWithTheReason() {
        HibachiApi api = CLUSTER.cluster().api();
        awaitFinishedRuns(api, "route-nowhere", 2);
        assertThat(api.executions("route-nowhere")).allSatisfy(e -> {
            assertThat(e.finished()).as("%s", e).isTrue();
            assertThat(e.success()).as("%s", e).isFalse();
            assertThat(e.output()).as("%s", e).containsIgnoringCase("match");
        });
    }

    /** The executions of a job by run ({@code group}), for runs of which at least one has finished. */
    private static Map<Long, List<Execution>> runs(HibachiApi api, String job) {
        Map<Long, List<Execution>> byRun = api.executions(job).stream()
                .collect(Collectors.groupingBy(Execution::group, TreeMap::new, Collectors.toList()));
        byRun.values().removeIf(run -> run.stream().noneMatch(Execution::finished));
        return byRun;
    }

    private static Set<String> nodes(List<Execution> run) {
        return run.stream().filter(Execution::finished).map(Execution::node).collect(Collectors.toSet());
    }

    private static void awaitFinishedRuns(HibachiApi api, String job, int count) {
        await(count + " finished runs of " + job).atMost(Duration.ofSeconds(10L + 2L * count))
                .until(() -> runs(api, job).size() >= count);
    }
}
