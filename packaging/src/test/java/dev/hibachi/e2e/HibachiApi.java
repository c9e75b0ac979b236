package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The HTTP API of one agent, as a user (or curl) sees it. */
public final class HibachiApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    public HibachiApi(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** A response, with its body as JSON on demand. */
    public record Reply(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return body == null || body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        public List<JsonNode> list() {
            List<JsonNode> out = new ArrayList<>();
            json().forEach(out::add);
            return out;
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 400 ? body.substring(0, 400) + "…" : body);
        }
    }

    public Reply get(String path) {
        return send(request(path).GET().build());
    }

    public Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    public Reply post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** 200 from {@code /health}; false also when nothing answers. */
    public boolean healthy() {
        try {
            return send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(2)).GET().build())
                    .status() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Creates or replaces a job; expects 201. */
    public JsonNode putJob(String json) {
        return expect(201, post("/v1/jobs", json), "POST /v1/jobs " + json);
    }

    public void deleteJob(String name) {
        Reply r = delete("/v1/jobs/" + encode(name));
        if (r.status() != 200 && r.status() != 404) {
            throw new AssertionError("DELETE /v1/jobs/" + name + " answered " + r);
        }
    }

    /** Runs a job now; answers the run id (Dkron's {@code group}). */
    public long runNow(String name) {
        Reply r = post("/v1/jobs/" + encode(name), "");
        expect(200, r, "POST /v1/jobs/" + name);
        return Long.parseLong(r.headers().firstValue("X-Hibachi-Run-Id").orElseThrow(
                () -> new AssertionError("POST /v1/jobs/" + name + " answered no X-Hibachi-Run-Id: " + r)));
    }

    public List<String> jobNames() {
        List<String> names = new ArrayList<>();
        expect(200, get("/v1/jobs"), "GET /v1/jobs").forEach(j -> names.add(j.path("name").asText()));
        return names;
    }

    public JsonNode job(String name) {
        return expect(200, get("/v1/jobs/" + encode(name)), "GET /v1/jobs/" + name);
    }

    public List<Execution> executions(String job) {
        List<Execution> out = new ArrayList<>();
        expect(200, get("/v1/jobs/" + encode(job) + "/executions"), "GET executions of " + job)
                .forEach(e -> out.add(Execution.of(e)));
        return out;
    }

    /** {@code GET /v1/members}: Dkron's member objects. */
    public List<JsonNode> members() {
        List<JsonNode> out = new ArrayList<>();
        expect(200, get("/v1/members"), "GET /v1/members").forEach(out::add);
        return out;
    }

    /** The {@code Name} of {@code GET /v1/leader}. */
    public String leaderName() {
        String name = expect(200, get("/v1/leader"), "GET /v1/leader").path("Name").asText("");
        if (name.isEmpty()) {
            throw new AssertionError("GET /v1/leader answered no Name");
        }
        return name;
    }

    /** {@code GET /v1/isleader}: 200 for the leader, 404 for any other agent (as Dkron answers). */
    public boolean isLeader() {
        Reply r = get("/v1/isleader");
        return switch (r.status()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw new AssertionError("GET /v1/isleader answered " + r);
        };
    }

    private static JsonNode expect(int status, Reply r, String what) {
        if (r.status() != status) {
            throw new AssertionError(what + " answered " + r + ", not " + status);
        }
        return r.json();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15));
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
