package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad job definitions are answered 400 with a JSON body saying what is wrong (and which field), and leave
 * nothing behind; random garbage never gets a 5xx, and the agent stays healthy.
 */
class BadInputTest {
    private static final String VALID = """
            {"name":"%s","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""";

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();
    private Set<String> jobsBefore;

    @BeforeEach
    void rememberJobs() {
        jobsBefore = jobNames();
    }

    static Stream<Arguments> badJobs() {
        return Stream.of(
                // what, body, name that must not exist afterwards, field (null: none), words the error names
                Arguments.of("invalid JSON", "{\"name\":\"broken\",\"schedule\":", "broken", null,
                        List.of("invalid JSON")),
                Arguments.of("a JSON array", "[" + VALID.formatted("in-array") + "]", "in-array", null,
                        List.of("object")),
                Arguments.of("a JSON string", "\"hello\"", "hello", null, List.of("object")),
                Arguments.of("empty body", "", "", null, List.of("empty")),
                Arguments.of("blank body", "  \n ", "", null, List.of("empty")),
                Arguments.of("unknown field", """
                        {"nmae":"typo","name":"typo","schedule":"@every 1h","executor":"shell",
                         "executor_config":{"command":"true"}}""", "typo", "nmae", List.of("unknown field", "nmae")),
                Arguments.of("name with space and capitals", VALID.formatted("Hello World"), "Hello World", "name",
                        List.of("name")),
                Arguments.of("name with a dot", VALID.formatted("a.b"), "a.b", "name", List.of("name", ".")),
                Arguments.of("missing name", """
                        {"schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}""", "", "name",
                        List.of("name")),
                Arguments.of("unknown schedule", """
                        {"name":"tuesdays","schedule":"every tuesday","executor":"shell",
                         "executor_config":{"command":"true"}}""", "tuesdays", "schedule",
                        List.of("schedule", "every tuesday")),
                Arguments.of("missing schedule", """
                        {"name":"unscheduled","executor":"shell","executor_config":{"command":"true"}}""",
                        "unscheduled", "schedule", List.of("schedule")),
                Arguments.of("bad timezone", """
                        {"name":"martian","schedule":"@every 1h","timezone":"Mars/Olympus","executor":"shell",
                         "executor_config":{"command":"true"}}""", "martian", "timezone",
                        List.of("timezone", "Mars/Olympus")),
                Arguments.of("bad concurrency", """
                        {"name":"moody","schedule":"@every 1h","concurrency":"sometimes","executor":"shell",
                         "executor_config":{"command":"true"}}""", "moody", "concurrency",
                        List.of("concurrency", "sometimes")),
                Arguments.of("unknown executor", """
                        {"name":"dockerish","schedule":"@every 1h","executor":"docker-ish",
                         "executor_config":{"command":"true"}}""", "dockerish", "executor",
                        List.of("executor", "docker-ish")),
                Arguments.of("missing executor", """
                        {"name":"no-executor","schedule":"@every 1h","executor_config":{"command":"true"}}""",
                        "no-executor", "executor", List.of("executor")),
                Arguments.of("missing command", """
                        {"name":"no-command","schedule":"@every 1h","executor":"shell","executor_config":{}}""",
                        "no-command", "executor_config", List.of("command")),
                Arguments.of("wrong type", """
                        {"name":"typed","schedule":"@every 1h","retries":"three","executor":"shell",
                         "executor_config":{"command":"true"}}""", "typed", "retries", List.of("retries")),
                Arguments.of("negative retries", """
                        {"name":"negative","schedule":"@every 1h","retries":-1,"executor":"shell",
                         "executor_config":{"command":"true"}}""", "negative", "retries", List.of("retries")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJobs")
    void aBadJobIs400WithAJsonErrorAndNothingIsWritten(String what, String body, String name, String field,
                                                       List<String> mentions) {
        Api.Response r = api.post("/v1/jobs", body);
        assertThat(r.status()).as(what + ": " + r).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode error = r.json();
        assertThat(error.path("error").asText()).as(what + ": " + r).contains(mentions);
        if (field != null) {
            assertThat(error.path("field").asText()).as(what + ": " + r).isEqualTo(field);
        }
        assertNothingWritten(name);

        // curl -d sends the same body as a form: the answer is the same.
        Api.Response form = api.post("/v1/jobs", body, "application/x-www-form-urlencoded");
        assertThat(form.status()).as(what + " (form): " + form).isEqualTo(400);
        assertThat(form.json().path("error").asText()).isEqualTo(error.path("error").asText());
        assertNothingWritten(name);
    }

    @Test
    void aBodyOverOneMebibyteIs413Json() {
        // A valid job padded past the 1 MiB limit (~1.1 MiB), so only its size is wrong.
        String padding = "x".repeat(1_150_000);
        String body = "{\"name\":\"huge\",\"schedule\":\"@every 1h\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"true\"},\"metadata\":{\"pad\":\"" + padding + "\"}}";
        Api.Response r;
        try {
            r = api.post("/v1/jobs", body);
        } catch (java.io.UncheckedIOException e) {
            throw new AssertionError("a body over the limit reset the connection instead of answering 413", e);
        }
        assertThat(r.status()).as(r.toString()).isEqualTo(413);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("error").asText()).contains(String.valueOf(MicronautFrontDoor.MAX_REQUEST_BYTES));
        assertNothingWritten("huge");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void parentErrorsNameTheirCauseAndChangeNothing() {
        api.putJob(VALID.formatted("family-a"));
        api.putJob("""
                {"name":"family-b","parent_job":"family-a","executor":"shell","executor_config":{"command":"true"}}""");
        jobsBefore = jobNames();
        String parentBefore = api.job("family-a").toString();

        Api.Response orphan = api.post("/v1/jobs", """
                {"name":"orphan","parent_job":"nobody","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(orphan.status()).as(orphan.toString()).isEqualTo(404);
        assertThat(orphan.json().path("error").asText()).contains("parent", "nobody");
        assertNothingWritten("orphan");

        Api.Response cycle = api.post("/v1/jobs", """
                {"name":"family-a","parent_job":"family-b","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(cycle.status()).as(cycle.toString()).isEqualTo(400);
        assertThat(cycle.json().path("error").asText()).contains("cycle", "family-a", "family-b");
        assertThat(cycle.json().path("field").asText()).isEqualTo("parent_job");

        Api.Response self = api.post("/v1/jobs", """
                {"name":"family-a","parent_job":"family-a","executor":"shell","executor_config":{"command":"true"}}""");
        assertThat(self.status()).as(self.toString()).isEqualTo(400);
        assertThat(self.json().path("field").asText()).isEqualTo("parent_job");

        Api.Response parentDelete = api.delete("/v1/jobs/family-a");
        assertThat(parentDelete.status()).as(parentDelete.toString()).isEqualTo(409);
        assertThat(parentDelete.json().path("error").asText()).contains("dependent jobs", "family-b");
        assertThat(api.job("family-a").toString()).isEqualTo(parentBefore);
        assertThat(jobNames()).isEqualTo(jobsBefore);

        assertThat(api.delete("/v1/jobs/family-b").status()).isEqualTo(200);
        assertThat(api.delete("/v1/jobs/family-a").status()).isEqualTo(200);
        jobsBefore = jobNames();
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() {
        Api.Response route = api.get("/v1/no-such-thing");
        assertThat(route.status()).isEqualTo(404);
        assertThat(route.json().path("error").asText()).isEqualTo("no such route: GET /v1/no-such-thing");
        Api.Response method = api.send("DELETE", "/v1/pause", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().path("error").asText()).contains("DELETE", "not allowed");
        Api.Response unknownJob = api.get("/v1/jobs/nobody");
        assertThat(unknownJob.status()).isEqualTo(404);
        assertThat(unknownJob.json().path("error").asText()).isEqualTo("job not found: nobody");
    }

    @Test
    void randomGarbageNeverGetsA5xxAndTheAgentStaysHealthy() {
        Random random = new Random(20240607L);
        List<String> fivexx = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String body = randomBody(random, i);
            String type = random.nextInt(4) == 0 ? "application/x-www-form-urlencoded" : "application/json";
            Api.Response r = api.post("/v1/jobs", body, type);
            if (r.status() >= 500) {
                fivexx.add("#" + i + " " + r + " for " + abbreviate(body));
            } else if (r.status() != 201) {
                // 400 for a bad job; 404 for a parent_job that does not exist (as Dkron answers).
                assertThat(r.status()).as("#" + i + " " + r + " for " + abbreviate(body)).isIn(400, 404);
                assertThat(r.json().path("error").asText()).as("#" + i + " " + r).isNotBlank();
            }
        }
        assertThat(fivexx).as("5xx answers").isEmpty();
        assertThat(api.get("/health").status()).isEqualTo(200);
        assertThat(api.get("/v1/jobs").status()).isEqualTo(200);
    }

    @Test
    void deeplyNestedJsonIs400() {
        String body = "[".repeat(100_000) + "]".repeat(100_000);
        Api.Response r = api.post("/v1/jobs", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        String nestedObject = "{\"name\":\"nested\",\"metadata\":" + "{\"a\":".repeat(5_000) + "1"
                + "}".repeat(5_000) + "}";
        Api.Response r2 = api.post("/v1/jobs", nestedObject);
        assertThat(r2.status()).as(r2.toString()).isEqualTo(400);
        assertNothingWritten("nested");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @AfterEach
    void agentStaysHealthy() {
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    private void assertNothingWritten(String name) {
        if (!name.isEmpty()) {
            Api.Response r = api.get("/v1/jobs/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
            assertThat(r.status()).as("GET " + name + " after the refusal: " + r).isEqualTo(404);
        }
        assertThat(jobNames()).as("jobs after the refusal").isEqualTo(jobsBefore);
    }

    private static Set<String> jobNames() {
        Api.Response r = api.get("/v1/jobs");
        assertThat(r.status()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        r.list().forEach(j -> names.add(j.path("name").asText()));
        return names;
    }

    // ---- random bodies

    private static final String[] FIELDS = {"id", "name", "displayname", "timezone", "schedule", "owner",
            "owner_email", "success_count", "error_count", "last_success", "last_error", "disabled", "tags",
            "metadata", "retries", "dependent_jobs", "parent_job", "processors", "concurrency", "executor",
            "executor_config", "status", "next", "ephemeral", "starts_at", "expires_at", "nmae", "misfire", ""};

    private static String randomBody(Random random, int i) {
        return switch (i % 5) {
            case 0 -> randomBytes(random);
            case 1 -> truncated(random);
            case 2 -> randomJson(random, 0).toString();
            case 3 -> mutatedJob(random).toString();
            default -> mutatedJob(random).toString().replace(',', random.nextBoolean() ? ';' : ',')
                    .substring(0, 1 + random.nextInt(10)) + randomBytes(random);
        };
    }

    private static String randomBytes(Random random) {
        int n = random.nextInt(200);
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < n; k++) {
            int kind = random.nextInt(10);
            b.appendCodePoint(kind < 6 ? 32 + random.nextInt(95) : kind < 8 ? "{}[]\":,\\".charAt(random.nextInt(8))
                    : kind < 9 ? random.nextInt(32) : 0x80 + random.nextInt(0x2000));
        }
        return b.toString();
    }

    private static String truncated(Random random) {
        String s = mutatedJob(random).toString();
        return s.substring(0, random.nextInt(s.length()));
    }

    private static ObjectNode mutatedJob(Random random) {
        ObjectNode job = (ObjectNode) Api.JSON.valueToTree(Api.JSON.createObjectNode()
                .put("name", "rnd-" + random.nextInt(1000)).put("schedule", "@every 1h").put("executor", "shell"));
        job.putObject("executor_config").put("command", "true");
        int mutations = 1 + random.nextInt(3);
        for (int k = 0; k < mutations; k++) {
            job.set(FIELDS[random.nextInt(FIELDS.length)], randomJson(random, 1));
        }
        return job;
    }

    private static JsonNode randomJson(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = random.nextInt(depth > 3 ? 7 : 9);
        return switch (kind) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(random.nextBoolean());
            case 2 -> f.numberNode(random.nextLong());
            case 3 -> f.numberNode(random.nextDouble() * 1e12);
            case 4 -> f.numberNode(random.nextInt(10) - 3);
            case 5, 6 -> f.textNode(randomText(random));
            case 7 -> {
                ArrayNode a = f.arrayNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    a.add(randomJson(random, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = f.objectNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    o.set(random.nextBoolean() ? FIELDS[random.nextInt(FIELDS.length)] : randomText(random),
                            randomJson(random, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String randomText(Random random) {
        String[] samples = {"", "@every 1s", "* * * * * *", "@at 2020-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                "2026-13-45T99:99:99Z", "Europe/Berlin", "allow", "forbid", "shell", "http", "../../etc/passwd",
                "\u0000", "日本語", "😀", "true", "false", "-1", "1e309", "%s%n", "'; DROP TABLE jobs; --"};
        if (random.nextBoolean()) {
            return samples[random.nextInt(samples.length)];
        }
        StringBuilder b = new StringBuilder();
        for (int k = random.nextInt(20); k > 0; k--) {
            b.appendCodePoint(random.nextInt(4) == 0 ? 0x80 + random.nextInt(0x3000) : 32 + random.nextInt(95));
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
