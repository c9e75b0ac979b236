package dev.hibachi.api;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Job;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One answer of {@code GET /v1/jobs} holds at most 10,000 jobs: a wider one is cut there, says so in
 * {@code X-Hibachi-Truncated}, and keeps the true {@code X-Total-Count}.
 */
class JobsListCapApiTest {
    static final int JOBS = 10_005;

    @RegisterExtension
    static final AgentPerClass agent = AgentPerClass.server();
    static final Api api = agent.api();

    @BeforeAll
    static void putJobs() {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Reply>> puts = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                Job job = Job.of(String.format("cap-%05d", i), "@manually", "shell", Map.of("command", "true"));
                puts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return agent.agent().jobs().putJob(job);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            assertThat(puts).allSatisfy(p -> assertThat(p.join().ok()).isTrue());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aWiderAnswerIsCutAtTenThousandAndSaysSo() {
        Api.Response all = api.get("/v1/jobs");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.list()).hasSize(10_000);
        assertThat(all.list().get(9_999).path("name").asText()).isEqualTo("cap-09999");
        assertThat(all.header("X-Total-Count")).isEqualTo(String.valueOf(JOBS));
        assertThat(all.header("X-Hibachi-Truncated")).isEqualTo("true");

        Api.Response wide = api.get("/v1/jobs?_sort=next&_order=DESC&_start=2&_end=10005");
        assertThat(wide.list()).hasSize(10_000);
        assertThat(wide.list().get(0).path("name").asText()).isEqualTo("cap-10002");
        assertThat(wide.header("X-Hibachi-Truncated")).isEqualTo("true");
    }

    @Test
    void aSliceWithinTheCapIsWhole() {
        Api.Response exact = api.get("/v1/jobs?_start=5&_end=10005");
        assertThat(exact.list()).hasSize(10_000);
        assertThat(exact.header("X-Hibachi-Truncated")).isNull();
        Api.Response rest = api.get("/v1/jobs?_start=10000");
        assertThat(rest.list()).extracting(j -> j.path("name").asText())
                .containsExactly("cap-10000", "cap-10001", "cap-10002", "cap-10003", "cap-10004");
        assertThat(rest.header("X-Total-Count")).isEqualTo(String.valueOf(JOBS));
        assertThat(rest.header("X-Hibachi-Truncated")).isNull();
    }
}
