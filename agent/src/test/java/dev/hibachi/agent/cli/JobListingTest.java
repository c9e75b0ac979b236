package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the jobs are fetched page by page, against a stand-in for the agent that pages as Dkron's API does (the real
 * agent is asked in the api module's tests): what is asked, and that a large cluster never comes in one answer.
 */
class JobListingTest {
    private static final Pattern RANGE = Pattern.compile("_start=(\\d+)&_end=(\\d+)");

    private HttpServer server;
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    /** Serves {@code total} jobs named job-00000...; pages them unless {@code paging} is false. */
    private ApiClient agent(int total, boolean paging) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/jobs", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            asked.add(query);
            int start = 0;
            int end = total;
            Matcher m = RANGE.matcher(query == null ? "" : query);
            if (paging && m.find()) {
                start = Math.min(total, Integer.parseInt(m.group(1)));
                end = Math.min(total, Integer.parseInt(m.group(2)));
            }
            StringBuilder body = new StringBuilder("[");
            for (int i = start; i < end; i++) {
                body.append(i == start ? "" : ",").append("{\"name\":\"job-").append(String.format("%05d", i))
                        .append("\"}");
            }
            byte[] bytes = body.append("]").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Total-Count", String.valueOf(total));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return new ApiClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void pagesOfAThousandUntilTheTotal() throws Exception {
        JsonNode jobs = JobListing.all(agent(2_500, true));
        assertThat(jobs).hasSize(2_500);
        assertThat(jobs.get(2_499).path("name").asText()).isEqualTo("job-02499");
        assertThat(asked).containsExactly("_start=0&_end=1000", "_start=1000&_end=2000", "_start=2000&_end=3000");
    }

    @Test
    void aClusterOfOnePageIsAskedOnce() throws Exception {
        assertThat(JobListing.all(agent(3, true))).hasSize(3);
        assertThat(asked).containsExactly("_start=0&_end=1000");
    }

    @Test
    void anAgentThatIgnoresPagingIsAskedOnce() throws Exception {
        assertThat(JobListing.all(agent(1_500, false))).hasSize(1_500);
        assertThat(asked).hasSize(1);
    }

    @Test
    void theFiltersArePassedThroughEscaped() throws Exception {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("q", "back up");
        filters.put("status", "failed");
        filters.put("metadata[team]", "ops&dev");
        new JobListing(agent(0, true), filters).fetch();
        assertThat(asked).containsExactly(
                "metadata%5Bteam%5D=ops%26dev&q=back%20up&status=failed&_start=0&_end=1000");
    }
}
