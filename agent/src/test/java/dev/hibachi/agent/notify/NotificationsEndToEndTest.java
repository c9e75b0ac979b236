package dev.hibachi.agent.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.StoreTestSupport;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The channels as an operator configures them (the agent's settings, as its flags make them: no channel built by
 * hand) on a real agent: a failing job mails its owners through a real SMTP server and posts to a real webhook and
 * Slack receiver, with the pre-webhook at its start; with mail on failure only, a success sends no mail.
 */
@Timeout(180)
class NotificationsEndToEndTest {
    @TempDir
    static Path tmp;
    static GreenMail smtp;
    static NoticeReceiver receiver;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("hibachi", "s3cret");
        smtp.start();
        receiver = new NoticeReceiver();
        ChannelSettings channels = new ChannelSettings("127.0.0.1", smtpPort, "hibachi", "s3cret",
                "cron@example.com", null, null,
                receiver.uri("/hook").toString(),
                "{\"job\":\"{{.JobName}}\",\"event\":\"{{.Event}}\",\"status\":\"{{.Status}}\",\"output\":\"{{.Output}}\"}",
                List.of("X-Team: ops:eu"),
                receiver.uri("/pre").toString(), "{\"job\":\"{{.JobName}}\",\"event\":\"{{.Event}}\"}", List.of(),
                receiver.uri("/slack").toString(), "#cron", "http://cron.example.com");
        AgentConfig config = AgentConfig.dev("node-1", tmp.resolve("agent"), StoreTestSupport.freePort(),
                StoreTestSupport.freePort(), StoreTestSupport.freeGossipPort()).toBuilder()
                .channels(channels)
                .notifications(new NotifySettings(NotifyOn.ALWAYS, Map.of("mail", NotifyOn.FAILURE), false, false))
                .metrics(dev.hibachi.agent.metrics.MetricsConfig.NONE.withPrometheus(true))
                .build();
        agent = Agent.start(config, Clock.systemUTC(), DispatchObserver.NONE, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.isLeader() && agent.healthy());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        receiver.close();
        smtp.stop();
    }

    private static void putAndRun(String name, String command, String owners) throws Exception {
        ObjectNode node = Json.mapper().valueToTree(Job.of(name, "@manually", "shell",
                Map.of("command", command, "shell", "true")));
        node.put("owner_email", owners);
        Reply put = agent.jobs().putJob(Json.mapper().convertValue(node, Job.class));
        assertThat(put.ok()).as("put %s: %s", name, put.error()).isTrue();
        Reply run = agent.jobs().runNow(name);
        assertThat(run.ok()).as("run %s: %s", name, run.error()).isTrue();
    }

    @Test
    void aFailedRunMailsItsOwnersAndPostsToTheWebhookAndSlack() throws Exception {
        putAndRun("e2e-fail", "echo 'said \"no\"'; exit 2", "ops@example.com, dev@example.com");

        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 2);
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("[Hibachi]Failed e2e-fail execution report");
        assertThat(Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                .containsExactlyInAnyOrder("ops@example.com", "dev@example.com");
        assertThat(mail.getContent().toString()).contains("said \"no\"");
        assertThat(mail.getMessageID()).contains("@hibachi");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/hook").stream().anyMatch(r -> "e2e-fail"
                .equals(r.job())) && receiver.at("/slack").stream().anyMatch(r -> r.body().toString()
                .contains("e2e-fail")));
        NoticeReceiver.Received hook = receiver.at("/hook").stream().filter(r -> "e2e-fail".equals(r.job()))
                .findFirst().orElseThrow();
        assertThat(hook.body().path("status").asText()).isEqualTo("failed");
        assertThat(hook.body().path("output").asText()).contains("said \"no\"");
        assertThat(hook.deliveryId()).isNotBlank();
        assertThat(mail.getMessageID()).contains(hook.deliveryId().replaceAll("[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]", "."));

        NoticeReceiver.Received slack = receiver.at("/slack").stream()
                .filter(r -> r.body().toString().contains("e2e-fail")).findFirst().orElseThrow();
        assertThat(slack.body().path("channel").asText()).isEqualTo("#cron");
        assertThat(slack.body().toString()).contains("e2e-fail").contains("http://cron.example.com/ui/jobs/e2e-fail");
        assertThat(receiver.at("/pre")).anyMatch(r -> "e2e-fail".equals(r.job()));

        // Each delivery is counted, by channel.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(agent.prometheusScrape().orElseThrow())
                .containsPattern("hibachi_notifications_total\\{[^}]*channel=\"mail\"[^}]*status=\"sent\"[^}]*} [1-9]")
                .containsPattern("hibachi_notifications_total\\{[^}]*channel=\"slack\"[^}]*status=\"sent\"[^}]*} [1-9]"));
    }

    @Test
    void aSuccessSendsNoMailWhenMailIsOnFailureOnly() throws Exception {
        int before = smtp.getReceivedMessages().length;
        putAndRun("e2e-ok", "echo fine", "ops@example.com");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/hook").stream()
                .anyMatch(r -> "e2e-ok".equals(r.job()) && "success".equals(r.body().path("status").asText())));
        // The webhook has the run's notice, so the notifier has decided on every channel for it.
        assertThat(Arrays.stream(smtp.getReceivedMessages()).skip(before).map(m -> {
            try {
                return m.getSubject();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).noneMatch(s -> s.contains("e2e-ok"));
    }
}
