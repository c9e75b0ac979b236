package dev.hibachi.agent.notify;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.apply.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three real servers: the leader dies with a notification pending, and the next leader delivers it. */
@Timeout(240)
class NotifierLeaderChangeTest {
    @TempDir
    Path tmp;

    final List<Agent> agents = new ArrayList<>();
    NoticeReceiver receiver;

    @AfterEach
    void stop() {
        agents.forEach(Agent::close);
        if (receiver != null) {
            receiver.close();
        }
    }

    Agent server(String name, Integer joinGossip) throws Exception {
        int gossip = StoreTestSupport.freeGossipPort();
        AgentConfig.Builder b = AgentConfig.dev(name, tmp.resolve(name), StoreTestSupport.freePort(),
                StoreTestSupport.freePort(), gossip).toBuilder().nodeName(name)
                .notifications(new NotifySettings(NotifyOn.ALWAYS, Map.of(), true, false)); // audit: a job's creation
        if (joinGossip != null) {
            b.bootstrapExpect(0).join(List.of("127.0.0.1:" + joinGossip));
        }
        List<Channel> channels = List.of(new HttpPostChannel("webhook", receiver.uri("/webhook"), n -> true));
        Agent a = Agent.start(b.build(), Clock.systemUTC(), DispatchObserver.NONE, false, channels,
                DeliveryObserver.NONE);
        agents.add(a);
        return a;
    }

    @Test
    void aLeaderChangeNeverDropsAPendingNotification() throws Exception {
        receiver = new NoticeReceiver();
        Agent first = server("s1", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.isLeader() && first.healthy());
        int gossip = first.config().bindAddr().port();
        server("s2", gossip);
        server("s3", gossip);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.raftPeers().size() == 3);

        receiver.answer(503);
        Reply put = first.jobs().putJob(NotifierAgentTest.shell("nightly", "echo done", Map.of()));
        assertThat(put.ok()).as(put.error()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.refused.size() >= 1);
        String pendingId = first.jobs().pendingNotices().value().path("notices").get(0).path("delivery_id").asText();
        assertThat(pendingId).isNotBlank();

        Agent leader = agents.stream().filter(Agent::isLeader).findFirst().orElseThrow();
        agents.remove(leader);
        leader.close();
        receiver.answer(200);

        await().atMost(Duration.ofSeconds(90)).until(() -> receiver.at("/webhook").stream()
                .anyMatch(x -> x.deliveryId().equals(pendingId)));
        Agent next = agents.stream().filter(Agent::isLeader).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> next.jobs().pendingNotices().value().path("notices")
                .findValuesAsText("delivery_id").stream().noneMatch(pendingId::equals));
        assertThat(receiver.at("/webhook").stream().filter(x -> x.event().equals("JOB_CREATED"))).hasSize(1);
    }
}
