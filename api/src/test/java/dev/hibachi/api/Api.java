package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** A small HTTP client for the tests: what a user (or curl) sends, and the answer with its body as JSON. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Supplier<URI> base;

    Api(URI base) {
        this(() -> base);
    }

    /** An API whose address is asked at each request: it may be made before its agent starts and has a port. */
    Api(Supplier<URI> base) {
        this.base = base;
    }

    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        /** The body as JSON (a missing node when it is not JSON). */
        JsonNode json() {
            try {
                return body == null || body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        List<JsonNode> list() {
            List<JsonNode> out = new ArrayList<>();
            json().forEach(out::add);
            return out;
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
        }
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    Response delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** POST with {@code Content-Type: application/json}. */
    Response post(String path, String body) {
        return post(path, body, "application/json");
    }

    /** POST with the given content type (null: none). */
    Response post(String path, String body, String contentType) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    Response post(String path, byte[] body, String contentType) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType).build());
    }

    /** Any method, with a JSON body (null: none). */
    Response send(String method, String path, String body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder b = request(path).method(method, publisher);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return send(b.build());
    }

    /** Creates (or replaces) a job and expects 201. */
    JsonNode putJob(String json) {
        Response r = post("/v1/jobs", json);
        if (r.status() != 201) {
            throw new AssertionError("creating a job answered " + r + " for " + json);
        }
        return r.json();
    }

    List<JsonNode> executions(String job) {
        Response r = get("/v1/jobs/" + job + "/executions");
        if (r.status() != 200) {
            throw new AssertionError("GET executions of " + job + " answered " + r);
        }
        return r.list();
    }

    JsonNode job(String job) {
        Response r = get("/v1/jobs/" + job);
        if (r.status() != 200) {
            throw new AssertionError("GET job " + job + " answered " + r);
        }
        return r.json();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.get().resolve(path)).timeout(Duration.ofSeconds(30));
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
