package dev.hibachi.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.schedule.GoDuration;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's HTTP API as the commands use it: one request, and its JSON answer; an error answer becomes an
 * {@link ApiCallFailed} with the agent's own message ({@code {"error": "..."}}) and its status. Most commands need
 * only the body; those that read a header or tell 200 from 202 (a run's id, a list's total, a wait that ran out)
 * take the whole {@link Response}.
 */
final class ApiClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    // Removing a Raft peer commits a configuration change, which waits for a quorum.
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();

    ApiClient(URI base) {
        this.base = base;
    }

    /** A successful (2xx) answer: its status, its headers and its body as JSON (missing when it has none). */
    record Response(int status, HttpHeaders headers, JsonNode body) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    JsonNode get(String path) throws ApiCallFailed {
        return exchange("GET", path, null, REQUEST_TIMEOUT).body();
    }

    JsonNode post(String path) throws ApiCallFailed {
        return exchange("POST", path, null, REQUEST_TIMEOUT).body();
    }

    /** POST with a JSON body. */
    JsonNode post(String path, String json) throws ApiCallFailed {
        return exchange("POST", path, json, REQUEST_TIMEOUT).body();
    }

    JsonNode delete(String path) throws ApiCallFailed {
        return exchange("DELETE", path, null, REQUEST_TIMEOUT).body();
    }

    /**
     * One request with an optional JSON body, answered within {@code timeout} (a request that makes the agent wait
     * for something needs longer than the usual minute).
     */
    Response exchange(String method, String path, String json, Duration timeout) throws ApiCallFailed {
        HttpRequest.Builder builder = request(path).timeout(timeout);
        if (json == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return send(builder);
    }

    Response get(String path, Duration timeout) throws ApiCallFailed {
        return exchange("GET", path, null, timeout);
    }

    /** A path segment with any reserved characters escaped. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} from {@code parameters} in their order, each name and value escaped; "" when empty. */
    static String query(Map<String, String> parameters) {
        StringBuilder q = new StringBuilder();
        parameters.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(segment(k)).append('=')
                .append(segment(v)));
        return q.toString();
    }

    private HttpRequest.Builder request(String path) {
        String root = base.toString().endsWith("/") ? base.toString().substring(0, base.toString().length() - 1)
                : base.toString();
        return HttpRequest.newBuilder(URI.create(root + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
    }

    /**
     * A streamed answer's lines as they arrive ({@code GET}, e.g. server-sent events); the caller closes the
     * stream. An error answer becomes an {@link ApiCallFailed}, as for {@link #exchange}.
     */
    java.util.stream.Stream<String> lines(String path, String accept) throws ApiCallFailed {
        HttpRequest request = request(path).header("Accept", accept).GET().build();
        HttpResponse<java.util.stream.Stream<String>> response = call(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() / 100 != 2) {
            String body;
            try (var lines = response.body()) {
                body = String.join("\n", lines.toList());
            }
            throw failure(request, response.statusCode(), body);
        }
        return response.body();
    }

    /** A text answer ({@code GET}), as is. */
    String text(String path) throws ApiCallFailed {
        HttpRequest request = request(path).header("Accept", "text/plain").GET().build();
        HttpResponse<String> response = call(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(request, response.statusCode(), response.body());
        }
        return response.body();
    }

    private Response send(HttpRequest.Builder builder) throws ApiCallFailed {
        HttpRequest request = builder.build();
        HttpResponse<String> response = call(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw failure(request, response.statusCode(), response.body());
        }
        return new Response(response.statusCode(), response.headers(), body);
    }

    /** The agent's own message for an error answer, with the status. */
    private static ApiCallFailed failure(HttpRequest request, int status, String text) {
        JsonNode body = parse(text);
        // Hibachi's own errors are {"error": ...}; the HTTP server's (an unknown route) carry a "message".
        String message = body.path("error").isTextual() ? body.path("error").asText()
                : body.path("message").isTextual() ? body.path("message").asText() + " (" + request.method() + " "
                + request.uri().getRawPath() + ")" : abbreviate(text);
        return new ApiCallFailed(message + " (HTTP " + status + ")");
    }

    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws ApiCallFailed {
        try {
            return http.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ApiCallFailed("cannot reach the agent at " + base + " (" + describe(e) + "); is it running?"
                    + " Set --address or " + AgentAddress.VARIABLE + " to ask another one");
        } catch (HttpTimeoutException e) {
            throw new ApiCallFailed(request.method() + " " + request.uri() + " had no answer within "
                    + GoDuration.format(request.timeout().orElse(REQUEST_TIMEOUT)));
        } catch (IOException e) {
            throw new ApiCallFailed(request.method() + " " + request.uri() + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiCallFailed(request.method() + " " + request.uri() + " was interrupted");
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** The first message along the causes: the JDK's client often wraps the socket's error in a silent one. */
    private static String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    private static String abbreviate(String text) {
        String t = text == null ? "" : text.strip();
        return t.isEmpty() ? "no message" : t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
}
