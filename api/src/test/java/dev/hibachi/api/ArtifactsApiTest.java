package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Artifacts end to end on a real agent: real shell jobs write files into {@code $HIBACHI_ARTIFACTS}; the agent
 * collects them within its budget into the replicated store, and the API lists and serves them byte for byte.
 */
class ArtifactsApiTest {
    /** Small, so that a test can go over it with a few KB. */
    private static final long BUDGET = 10_000;

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server(c -> c.toBuilder().artifactsBudget(BUDGET).build());
    static final Api api = agent.api();
    @TempDir
    static Path files;
    static byte[] binary;

    @BeforeAll
    static void writeBinary() throws Exception {
        binary = new byte[4096];
        new Random(42).nextBytes(binary);
        for (int i = 0; i < 256; i++) {
            binary[i] = (byte) i; // every byte value, NUL and invalid UTF-8 included
        }
        Files.write(files.resolve("data.bin"), binary);
    }

    private static String shellJob(String name, String command, String extra) {
        return "{\"name\":\"" + name + "\",\"schedule\":\"@manually\",\"executor\":\"shell\",\"executor_config\":"
                + "{\"command\":" + Api.JSON.valueToTree(command) + ",\"shell\":\"true\"}" + extra + "}";
    }

    /** Runs the job and waits for the run to be over; its executions. */
    private static List<JsonNode> run(String job) {
        Api.Response done = api.post("/v1/jobs/" + job + "?wait=30s", "");
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        return done.list();
    }

    private static HttpResponse<byte[]> download(String job, String id, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(agent.base().resolve("/v1/jobs/" + job + "/executions/" + id
                + "/artifacts/" + path)).timeout(Duration.ofSeconds(10)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Path artifactsRoot() {
        return agent.dataDir().resolve("artifacts");
    }

    @Test
    void filesWrittenByARunAreListedAndDownloadedByteForByte() throws Exception {
        api.putJob(shellJob("publish", "echo \"folder=$HIBACHI_ARTIFACTS\"; echo \"entries=$(ls -A \"$HIBACHI_ARTIFACTS\""
                + " | wc -l)\"; printf 'hello\\n' > \"$HIBACHI_ARTIFACTS/report.txt\"; mkdir \"$HIBACHI_ARTIFACTS/sub\";"
                + " cp '" + files.resolve("data.bin") + "' \"$HIBACHI_ARTIFACTS/sub/data.bin\"", ""));

        JsonNode execution = run("publish").get(0);
        String id = execution.path("id").asText();
        String output = execution.path("output").asText();

        assertThat(execution.path("success").asBoolean()).as(output).isTrue();
        assertThat(output).contains("entries=0").contains("folder=" + artifactsRoot().resolve("publish"));
        Api.Response list = api.get("/v1/jobs/publish/executions/" + id + "/artifacts");
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json().toString()).isEqualTo("[{\"path\":\"report.txt\",\"size\":6},"
                + "{\"path\":\"sub/data.bin\",\"size\":4096}]");

        HttpResponse<byte[]> text = download("publish", id, "report.txt");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(new String(text.body())).isEqualTo("hello\n");
        HttpResponse<byte[]> bin = download("publish", id, "sub/data.bin");
        assertThat(bin.statusCode()).isEqualTo(200);
        assertThat(bin.body()).isEqualTo(binary);
        assertThat(bin.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/octet-stream"));
        assertThat(bin.headers().firstValue("Content-Disposition")).contains(
                "attachment; filename=\"data.bin\"; filename*=UTF-8''data.bin");

        // once reported, the folder is gone from the member's disk
        String folder = output.lines().filter(l -> l.startsWith("folder=")).findFirst().orElseThrow().substring(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(Path.of(folder)));
    }

    @Test
    void aRunOverTheBudgetKeepsWhatFitsAndItsOutputNamesWhatWasDropped() {
        api.putJob(shellJob("heavy", "cd \"$HIBACHI_ARTIFACTS\" && head -c 4000 /dev/zero > a.txt"
                + " && head -c 8000 /dev/zero > b.bin && head -c 5000 /dev/zero > c.txt"
                + " && ln -s /etc/passwd link && mkfifo pipe && echo done", ""));

        JsonNode execution = run("heavy").get(0);
        String id = execution.path("id").asText();
        String output = execution.path("output").asText();

        assertThat(execution.path("success").asBoolean()).as(output).isTrue();
        assertThat(api.get("/v1/jobs/heavy/executions/" + id + "/artifacts").json().toString())
                .isEqualTo("[{\"path\":\"a.txt\",\"size\":4000},{\"path\":\"c.txt\",\"size\":5000}]");
        assertThat(output).startsWith("done\n")
                .contains("[hibachi: artifact b.bin (8000 bytes) not kept: over the execution's artifacts budget of"
                        + " 10000 bytes (4000 used)]")
                .contains("[hibachi: artifact link (")
                .contains("[hibachi: artifact pipe (0 bytes) not kept: not a regular file]");
        assertThat(api.get("/v1/jobs/heavy/executions/" + id).json().path("output").asText()).isEqualTo(output);
    }

    @Test
    void eachAttemptGetsAFreshFolderOfItsOwn() {
        api.putJob(shellJob("retried", "echo \"entries=$(ls -A \"$HIBACHI_ARTIFACTS\" | wc -l)\";"
                + " echo \"attempt $HIBACHI_ATTEMPT\" > \"$HIBACHI_ARTIFACTS/attempt.txt\";"
                + " [ \"$HIBACHI_ATTEMPT\" = 2 ]", ",\"retries\":1,\"retry_backoff\":{\"initial\":\"100ms\"}"));

        List<JsonNode> executions = run("retried");

        assertThat(executions).hasSize(2);
        for (JsonNode e : executions) {
            int attempt = e.path("attempt").asInt();
            assertThat(e.path("output").asText()).as("attempt %s", attempt).contains("entries=0");
            String id = e.path("id").asText();
            assertThat(api.get("/v1/jobs/retried/executions/" + id + "/artifacts").json().toString())
                    .isEqualTo("[{\"path\":\"attempt.txt\",\"size\":10}]");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(artifactsRoot().resolve("retried")));
    }

    @Test
    void artifactsGoWithTheHistoryAndUnknownOnesAre404() throws Exception {
        api.putJob(shellJob("cleared", "echo kept > \"$HIBACHI_ARTIFACTS/f.txt\"", ""));
        String id = run("cleared").get(0).path("id").asText();
        assertThat(api.get("/v1/jobs/cleared/executions/" + id + "/artifacts").list()).hasSize(1);

        HttpResponse<byte[]> missing = download("cleared", id, "nope/none.txt");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Api.JSON.readTree(missing.body()).path("error").asText())
                .isEqualTo("artifact not found: nope/none.txt (execution " + id + ")");
        assertThat(api.get("/v1/jobs/nojob/executions/" + id + "/artifacts").json().path("error").asText())
                .isEqualTo("job not found: nojob");

        assertThat(api.delete("/v1/jobs/cleared/executions").status()).isEqualTo(200);

        Api.Response gone = api.get("/v1/jobs/cleared/executions/" + id + "/artifacts");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").asText()).isEqualTo("execution not found: " + id);
        assertThat(download("cleared", id, "f.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void contentDispositionKeepsAnAsciiFallbackAndTheExactName() {
        assertThat(ArtifactsController.contentDisposition("dir/r\u00e9sum\u00e9 \"1\".pdf"))
                .isEqualTo("attachment; filename=\"r_sum_ _1_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf");
    }
}
