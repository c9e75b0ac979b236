package dev.hibachi.agent.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.PendingNotice;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.raft.ReadConsistency;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader's notifier on a real single-node agent (Ratis, RocksDB, real processes), with real HTTP channels to
 * a real local receiver: each event kind once with its delivery id, each notify-on mode, a job's overrides, and a
 * receiver that is down.
 */
@Timeout(180)
class NotifierAgentTest {
    @TempDir
    static Path tmp;

    static NoticeReceiver receiver;
    static NoticeReceiver flaky;
    static Agent agent;
    static final List<String> failures = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = new NoticeReceiver();
        flaky = new NoticeReceiver();
        List<Channel> channels = List.of(
                new HttpPostChannel("webhook", receiver.uri("/webhook"), n -> true),
                new HttpPostChannel("pre-webhook", receiver.uri("/pre"), n -> n.event() == Notice.Event.RUN_STARTED),
                new HttpPostChannel("failure", receiver.uri("/failure"), n -> true),
                new HttpPostChannel("success", receiver.uri("/success"), n -> true),
                new HttpPostChannel("change", receiver.uri("/change"), n -> true),
                new HttpPostChannel("flaky", flaky.uri("/flaky"), n -> "down".equals(n.job())));
        NotifySettings rules = new NotifySettings(NotifyOn.ALWAYS, Map.of("failure", NotifyOn.FAILURE,
                "success", NotifyOn.SUCCESS, "change", NotifyOn.CHANGE), true, true);
        AgentConfig config = AgentConfig.dev("node-1", tmp.resolve("agent"), StoreTestSupport.freePort(),
                StoreTestSupport.freePort(), StoreTestSupport.freeGossipPort()).toBuilder().notifications(rules).build();
        DeliveryObserver observer = new DeliveryObserver() {
            @Override
            public void failed(String channel, Notice notice, Throwable error, boolean willRetry) {
                failures.add(channel + ":" + notice.job() + ":" + willRetry);
            }
        };
        agent = Agent.start(config, Clock.systemUTC(), DispatchObserver.NONE, false, channels, observer);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        receiver.close();
        flaky.close();
    }

    static Job shell(String name, String command, Map<String, String> metadata) {
        ObjectNode node = Json.mapper().valueToTree(Job.of(name, "@every 1h", "shell",
                Map.of("command", command, "shell", "true")));
        node.set("metadata", Json.mapper().valueToTree(metadata));
        return Json.mapper().convertValue(node, Job.class);
    }

    static void put(Job job) throws Exception {
        Reply r = agent.jobs().putJob(job);
        assertThat(r.ok()).as("put %s: %s", job.name(), r.error()).isTrue();
    }

    /** Runs the job now and waits for its run to end; returns the run's status. */
    static String runAndWait(String job) throws Exception {
        Reply r = agent.jobs().runNow(job);
        assertThat(r.ok()).as("run %s: %s", job, r.error()).isTrue();
        long runId = r.value().path("run_id").asLong(r.value().path("group").asLong());
        await().atMost(Duration.ofSeconds(30)).until(() -> executions(job).stream()
                .anyMatch(e -> e.group() == runId && e.finished()));
        return executions(job).stream().filter(e -> e.group() == runId).findFirst().orElseThrow().status();
    }

    static List<Execution> executions(String job) throws Exception {
        Reply r = agent.jobs().executions(job, 100, -1, ReadConsistency.LINEARIZABLE);
        return Json.mapper().convertValue(r.value().path("executions"), new TypeReference<List<Execution>>() { });
    }

    static List<PendingNotice> pending() throws Exception {
        Reply r = agent.jobs().pendingNotices();
        return Json.mapper().convertValue(r.value().path("notices"), new TypeReference<List<PendingNotice>>() { });
    }

    static List<NoticeReceiver.Received> of(String path, String job, String event) {
        return receiver.at(path).stream().filter(x -> job.equals(x.job()) && event.equals(x.event())).toList();
    }

    @Test
    void eachEventKindArrivesOnceWithItsDeliveryId() throws Exception {
        put(shell("kinds", "echo hello", Map.of()));
        assertThat(runAndWait("kinds")).isEqualTo("success");
        assertThat(agent.jobs().deleteJob("kinds").ok()).isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(receiver.at("/webhook").stream().filter(x -> "kinds".equals(x.job()))
                    .map(NoticeReceiver.Received::event))
                    .containsExactlyInAnyOrder("JOB_CREATED", "RUN_STARTED", "RUN_FINISHED", "JOB_DELETED");
            assertThat(receiver.at("/webhook").stream().map(NoticeReceiver.Received::event))
                    .contains("LEADER_CHANGED");
        });
        NoticeReceiver.Received finished = of("/webhook", "kinds", "RUN_FINISHED").get(0);
        assertThat(finished.body().path("status").asText()).isEqualTo("success");
        assertThat(finished.body().path("executions").get(0).path("output").asText()).contains("hello");
        assertThat(of("/pre", "kinds", "RUN_STARTED")).hasSize(1);
        assertThat(receiver.at("/pre")).allMatch(x -> x.event().equals("RUN_STARTED"));
        for (NoticeReceiver.Received x : receiver.at("/webhook")) {
            assertThat(x.deliveryId()).isEqualTo(x.body().path("deliveryId").asText()).isNotBlank();
        }
        assertThat(receiver.at("/webhook")).extracting(NoticeReceiver.Received::deliveryId).doesNotHaveDuplicates();
    }

    @Test
    void eachNotifyOnModeAndTheJobsOverrides() throws Exception {
        Path marker = tmp.resolve("flip-ok");
        put(shell("flip", "test -f " + marker, Map.of()));
        put(shell("quiet", "true", Map.of("notify.webhook", "never", "notify.on", "failure")));
        put(shell("loud", "true", Map.of("notify.failure.on", "always")));

        assertThat(runAndWait("flip")).isEqualTo("failed");
        Files.writeString(marker, "");
        assertThat(runAndWait("flip")).isEqualTo("success");
        assertThat(runAndWait("flip")).isEqualTo("success");
        assertThat(runAndWait("quiet")).isEqualTo("success");
        assertThat(runAndWait("loud")).isEqualTo("success");
        // An intent leaves the store only once every chosen channel has it: after that, nothing more comes.
        await().atMost(Duration.ofSeconds(30)).until(() -> pending().stream()
                .noneMatch(p -> Set.of("flip", "quiet", "loud").contains(p.job())));

        assertThat(of("/webhook", "flip", "RUN_FINISHED")).hasSize(3);
        assertThat(of("/failure", "flip", "RUN_FINISHED")).extracting(x -> x.body().path("status").asText())
                .containsExactly("failed");
        assertThat(of("/success", "flip", "RUN_FINISHED")).hasSize(2);
        // change: the first run failed (a change from the assumed success), the second recovered, the third not.
        assertThat(of("/change", "flip", "RUN_FINISHED")).extracting(x -> x.body().path("status").asText())
                .containsExactlyInAnyOrder("failed", "success");
        assertThat(receiver.received).noneMatch(x -> "quiet".equals(x.job()) && !x.event().equals("RUN_STARTED")
                && !x.event().startsWith("JOB_"));
        assertThat(of("/failure", "loud", "RUN_FINISHED")).hasSize(1);
        assertThat(of("/success", "loud", "RUN_FINISHED")).hasSize(1);
    }

    @Test
    void aReceiverThatIsDownNeverFailsTheJobAndARetryDeliversLater() throws Exception {
        flaky.answer(503);
        put(shell("down", "echo fine", Map.of()));

        assertThat(runAndWait("down")).isEqualTo("success");
        await().atMost(Duration.ofSeconds(20)).until(() -> flaky.refused.size() >= 2);
        assertThat(pending()).anyMatch(p -> "down".equals(p.job()) && p.event().equals("RUN_FINISHED"));
        assertThat(failures).contains("flaky:down:true");
        assertThat(flaky.received).isEmpty();

        flaky.answer(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> flaky.received.stream()
                .anyMatch(x -> x.event().equals("RUN_FINISHED")));
        await().atMost(Duration.ofSeconds(10)).until(() -> pending().stream().noneMatch(p -> "down".equals(p.job())));
        assertThat(flaky.received).extracting(NoticeReceiver.Received::deliveryId).doesNotHaveDuplicates();
    }
}
