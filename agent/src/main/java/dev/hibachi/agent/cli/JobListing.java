package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hibachi.store.json.Json;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster's jobs as {@code GET /v1/jobs} lists them, fetched in pages of {@value #PAGE} with Dkron's
 * {@code _start} and {@code _end} (end exclusive) until the {@code X-Total-Count} header's total, so that a
 * cluster of 100,000 jobs never comes in one answer. The filters ({@code q}, {@code status},
 * {@code metadata[key]}) are passed through as they are; the agent applies them.
 *
 * <p>Paging by position is not a snapshot: a job created or deleted between two pages can shift the others by
 * one, so a job seen twice is kept once. An agent that ignores the paging parameters answers everything at
 * once; a page longer than asked for is then taken as the whole list.
 */
final class JobListing {
    static final int PAGE = 1_000;
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    private final ApiClient api;
    private final Map<String, String> filters;

    JobListing(ApiClient api, Map<String, String> filters) {
        this.api = api;
        this.filters = Map.copyOf(filters);
    }

    /** Every job, without filters. */
    static ArrayNode all(ApiClient api) throws ApiCallFailed {
        return new JobListing(api, Map.of()).fetch();
    }

    /** Every job that passes the filters, in the agent's order (by name). */
    ArrayNode fetch() throws ApiCallFailed {
        ArrayNode jobs = Json.mapper().createArrayNode();
        Set<String> seen = new HashSet<>();
        for (int start = 0; ; start += PAGE) {
            Map<String, String> parameters = new LinkedHashMap<>(new TreeMap<>(filters));
            parameters.put("_start", String.valueOf(start));
            parameters.put("_end", String.valueOf(start + PAGE));
            ApiClient.Response page = api.get("/v1/jobs" + ApiClient.query(parameters), PAGE_TIMEOUT);
            int size = 0;
            for (JsonNode job : page.body()) {
                size++;
                if (seen.add(job.path("name").asText())) {
                    jobs.add(job);
                }
            }
            long total = page.header("X-Total-Count").map(JobListing::number).orElse(-1L);
            boolean wholeList = size > PAGE;
            boolean lastPage = size == 0 || (total >= 0 ? start + PAGE >= total : size < PAGE);
            if (wholeList || lastPage) {
                return jobs;
            }
        }
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
