package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.json.Json;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * What Dkron adds to every answer: {@code X-Whom} (the agent that answered, for whoever reads through a load
 * balancer) and, with {@code ?pretty}, indented JSON. The one place the HTTP layer touches every exchange; an
 * authentication filter will sit beside it, ordered before the routes.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ResponseDecoration {
    static final String WHOM_HEADER = "X-Whom";

    private final Agent agent;

    ResponseDecoration(Agent agent) {
        this.agent = agent;
    }

    @ResponseFilter
    void decorate(HttpRequest<?> request, MutableHttpResponse<?> response) {
        response.header(WHOM_HEADER, agent.config().nodeName());
        if (request.getParameters().contains("pretty")) {
            indent(response);
        }
    }

    @SuppressWarnings("unchecked")
    private static void indent(MutableHttpResponse<?> response) {
        Optional<MediaType> type = response.getContentType();
        Optional<?> body = response.getBody();
        if (type.isEmpty() || !"json".equals(type.get().getExtension()) || body.isEmpty()
                || !(body.get() instanceof byte[] bytes)) {
            return;
        }
        try {
            JsonNode tree = Json.mapper().readTree(bytes);
            ((MutableHttpResponse<byte[]>) response).body(Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(tree));
        } catch (IOException e) {
            // Not JSON after all: the body goes as it is.
        }
    }
}
