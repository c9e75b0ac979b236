package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: every meter of this agent in the Prometheus text format (0.0.4), with
 * {@code --enable-prometheus}; 404 otherwise. The agent's metrics binding renders it, this only serves it.
 */
@Controller("/metrics")
public final class MetricsController {
    /** The Prometheus text exposition format's content type. */
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final Agent agent;

    public MetricsController(Agent agent) {
        this.agent = agent;
    }

    @Get(produces = TEXT_FORMAT)
    public HttpResponse<byte[]> scrape() {
        return agent.prometheusScrape()
                .<HttpResponse<byte[]>>map(text -> HttpResponse.<byte[]>status(HttpStatus.OK)
                        .body(text.getBytes(StandardCharsets.UTF_8))
                        .contentType(MediaType.of(TEXT_FORMAT)))
                .orElseGet(() -> Responses.error(404, "metrics are not served here: start the agent with"
                        + " --enable-prometheus", null));
    }
}
