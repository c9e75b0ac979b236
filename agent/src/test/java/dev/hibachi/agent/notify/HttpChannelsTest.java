package dev.hibachi.agent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.hibachi.agent.AgentConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook, pre-webhook and Slack channels against a real HTTP receiver on loopback. */
class HttpChannelsTest {
    record Received(String method, String path, Headers headers, String body) {
    }

    private HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(), new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static List<Channel> channels(ChannelSettings settings) {
        AgentConfig config = AgentConfig.dev("leader-1", Path.of("/tmp/unused"), 8080, 6868).toBuilder()
                .channels(settings).build();
        return Channels.from(config);
    }

    private static ChannelSettings webhooks(String endpoint, String payload, List<String> headers, String pre,
                                            String slack, String slackChannel) {
        return new ChannelSettings("", 25, "", "", "", null, "", endpoint, payload, headers, pre, "", List.of(),
                slack, slackChannel, "https://cron.example.com/");
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the receiver").isNotNull();
        return r;
    }

    @Test
    void theWebhookPostsTheRenderedPayloadWithHeadersAndTheDeliveryId() throws Exception {
        Channel webhook = channels(webhooks(url("/hook"), "{\"text\": \"{{.JobName}}: {{.Output}}\"}",
                List.of("Authorization: Bearer a:b:c", "X-Team:ops"), "", "", "")).get(0);
        Notice notice = Notices.finished("failed", "said \"no\"\nline 2\t\\", Map.of(), null);

        assertThat(webhook.name()).isEqualTo("webhook");
        assertThat(webhook.accepts(notice)).isTrue();
        assertThat(webhook.accepts(Notices.started())).isFalse();
        webhook.send(notice).get(10, TimeUnit.SECONDS);

        Received r = next();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/hook");
        assertThat(r.headers().getFirst("Authorization")).isEqualTo("Bearer a:b:c");
        assertThat(r.headers().getFirst("X-Team")).isEqualTo("ops");
        assertThat(r.headers().getFirst("X-Hibachi-Delivery")).isEqualTo("d-42");
        assertThat(r.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(new ObjectMapper().readTree(r.body()).get("text").asText())
                .isEqualTo("backup: said \"no\"\nline 2\t\\");
    }

    @Test
    void withoutAPayloadTheWebhookSendsEveryVariableAsJson() throws Exception {
        Channel webhook = channels(webhooks(url("/hook"), "", List.of(), "", "", "")).get(0);

        webhook.send(Notices.twoNodes()).get(10, TimeUnit.SECONDS);

        JsonNode json = new ObjectMapper().readTree(next().body());
        assertThat(json.get("job").asText()).isEqualTo("backup");
        assertThat(json.get("success").asBoolean(true)).isFalse();
        assertThat(json.get("node").asText()).isEqualTo("web-1, web-2");
        assertThat(json.get("url").asText()).isEqualTo("https://cron.example.com/ui/jobs/backup/executions/7-2-web-2");
        assertThat(json.get("delivery_id").asText()).isEqualTo("d-43");
    }

    @Test
    void thePreWebhookTakesOnlyRunStarts() throws Exception {
        Channel pre = channels(webhooks("", "", List.of(), url("/pre"), "", "")).get(0);

        assertThat(pre.name()).isEqualTo("pre-webhook");
        assertThat(pre.accepts(Notices.finished("success", "", Map.of(), null))).isFalse();
        assertThat(pre.accepts(Notices.started())).isTrue();
        pre.send(Notices.started()).get(10, TimeUnit.SECONDS);

        Received r = next();
        assertThat(r.path()).isEqualTo("/pre");
        assertThat(r.headers().getFirst("X-Hibachi-Delivery")).isEqualTo("d-44");
        assertThat(new ObjectMapper().readTree(r.body()).get("event").asText()).isEqualTo("run-started");
    }

    @Test
    void slackGetsJobNodeStatusDurationAndTheLink() throws Exception {
        Channel slack = channels(webhooks("", "", List.of(), "", url("/services/T/B/secret"), "#ops")).get(0);

        slack.send(Notices.finished("failed", "boom", Map.of(), null)).get(10, TimeUnit.SECONDS);
        JsonNode json = new ObjectMapper().readTree(next().body());
        assertThat(json.get("channel").asText()).isEqualTo("#ops");
        assertThat(json.get("text").asText()).isEqualTo("backup failed");
        JsonNode attachment = json.get("attachments").get(0);
        assertThat(attachment.get("color").asText()).isEqualTo("#a30200");
        JsonNode section = attachment.get("blocks").get(0);
        String link = "https://cron.example.com/ui/jobs/backup/executions/1714557600000000000-1-web-1";
        assertThat(section.get("text").get("text").asText()).contains(":x:").contains("<" + link + "|backup failed>");
        assertThat(section.get("fields").toString()).contains("*Job*\\nbackup").contains("*Node*\\nweb-1")
                .contains("*Status*\\nfailed").contains("*Duration*\\n3.3 s");

        slack.send(Notices.finished("success", "", Map.of(SlackChannel.CHANNEL_KEY, "#backups"), null))
                .get(10, TimeUnit.SECONDS);
        JsonNode overridden = new ObjectMapper().readTree(next().body());
        assertThat(overridden.get("channel").asText()).isEqualTo("#backups");
        assertThat(overridden.get("attachments").get(0).get("color").asText()).isEqualTo("#2eb886");
    }

    @Test
    void aReceiverThatFailsOrIsDownFailsTheSendAndALaterRetryDelivers() throws Exception {
        Channel webhook = channels(webhooks(url("/hook"), "", List.of(), "", "", "")).get(0);
        Notice notice = Notices.finished("success", "", Map.of(), null);

        status.set(500);
        assertThatThrownBy(() -> webhook.send(notice).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("answered HTTP 500");
        status.set(204);
        webhook.send(notice).get(10, TimeUnit.SECONDS);
        assertThat(received).hasSize(2);

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Channel down = channels(webhooks("http://127.0.0.1:" + closedPort + "/", "", List.of(), "", "", "")).get(0);
        assertThatThrownBy(() -> down.send(notice).get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void badSettingsAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> channels(webhooks("ftp://x/", "", List.of(), "", "", "")))
                .hasMessageStartingWith("--webhook-endpoint: 'ftp://x/' must be an http:// or https:// address");
        assertThatThrownBy(() -> channels(webhooks("http://x/", "", List.of("NoColon"), "", "", "")))
                .hasMessageStartingWith("--webhook-headers: 'NoColon' must be Key:Value");
        assertThatThrownBy(() -> channels(webhooks("http://x/", "", List.of("Host: y"), "", "", "")))
                .hasMessageStartingWith("--webhook-headers: 'Host: y' cannot be sent");
        assertThatThrownBy(() -> channels(webhooks("http://x/", "{{.Nope}}", List.of(), "", "", "")))
                .hasMessageStartingWith("--webhook-payload: unknown variable .Nope");
        assertThatThrownBy(() -> channels(webhooks("", "{{.JobName}}", List.of(), "", "", "")))
                .hasMessageStartingWith("--webhook-payload: needs --webhook-endpoint");
        // the URL is the secret: not repeated
        assertThatThrownBy(() -> channels(webhooks("", "", List.of(), "", "not a url/secret", "")))
                .hasMessage("--slack-webhook-url: is not an address");
        assertThatThrownBy(() -> channels(webhooks("", "", List.of(), "", "ftp://hooks/secret", "")))
                .hasMessage("--slack-webhook-url: must be an http:// or https:// address with a host");
        assertThatThrownBy(() -> channels(webhooks("", "", List.of(), "", "", "#ops")))
                .hasMessageStartingWith("--slack-channel: needs --slack-webhook-url");
    }
}
