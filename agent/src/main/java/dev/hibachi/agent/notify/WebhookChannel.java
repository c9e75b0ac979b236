package dev.hibachi.agent.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Dkron's webhook: a POST of the rendered payload to {@code --webhook-endpoint} with {@code --webhook-headers}, plus
 * {@code X-Hibachi-Delivery}. A non-2xx answer fails the send (Dkron only logs it), so the notifier retries. The same
 * class is the pre-webhook, which takes only {@link Notice.Event#RUN_STARTED}.
 */
public final class WebhookChannel implements Channel {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final boolean atStart;
    private final URI endpoint;
    private final GoTemplate payload;
    private final List<Map.Entry<String, String>> headers;
    private final HttpClient client;
    private final String reportingNode;
    private final DashboardLinks links;

    /**
     * @param name    {@code webhook} or {@code pre-webhook}
     * @param atStart true for the pre-webhook: takes run starts only; false: takes everything else
     */
    WebhookChannel(String name, boolean atStart, URI endpoint, GoTemplate payload,
                   List<Map.Entry<String, String>> headers, HttpClient client, String reportingNode,
                   DashboardLinks links) {
        this.name = name;
        this.atStart = atStart;
        this.endpoint = endpoint;
        this.payload = payload;
        this.headers = List.copyOf(headers);
        this.client = client;
        this.reportingNode = reportingNode;
        this.links = links;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(Notice notice) {
        return (notice.event() == Notice.Event.RUN_STARTED) == atStart;
    }

    @Override
    public CompletableFuture<Void> send(Notice notice) {
        HttpRequest request;
        try {
            String body = payload.render(TemplateVariables.of(notice, reportingNode, links.of(notice)));
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (!WebhookHeaders.has(headers, "Content-Type")) {
                b.header("Content-Type", payload.isJson() ? "application/json" : "text/plain; charset=utf-8");
            }
            headers.forEach(h -> b.header(h.getKey(), h.getValue()));
            request = b.setHeader("X-Hibachi-Delivery", notice.deliveryId()).build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return post(client, request, name);
    }

    /** Sends {@code request}; completes exceptionally on a transport error or a non-2xx status. */
    static CompletableFuture<Void> post(HttpClient client, HttpRequest request, String channel) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                // the host only: webhook addresses often carry their secret in the path (Slack's do)
                throw new IllegalStateException(channel + ": " + request.uri().getHost() + " answered HTTP "
                        + response.statusCode());
            }
            return null;
        });
    }
}
