package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.run.LiveRun;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Execution;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The live tails of running executions, for {@code /v1/busy}: this member's from its memory, the others' asked of
 * them all at once, each within {@link #MEMBER_TIMEOUT}. A member that does not answer in time leaves its
 * executions as the store has them (no output), so one slow member never holds the list up for long.
 */
@Singleton
final class LiveTails {
    static final int DEFAULT_BYTES = 4096;
    static final int MAX_BYTES = 256_000;
    private static final Duration MEMBER_TIMEOUT = Duration.ofSeconds(1);

    private final Agent agent;
    private final MemberClient members;

    LiveTails(Agent agent, MemberClient members) {
        this.agent = agent;
        this.members = members;
    }

    /** This member's running attempts, as busy entries with the last {@code bytes} of their output. */
    ArrayNode local(int bytes) {
        ArrayNode out = Json.mapper().createArrayNode();
        List<LiveRun> runs = agent.runner().liveRuns().stream()
                .sorted(java.util.Comparator.comparing(LiveRun::startedAt)).toList();
        for (LiveRun run : runs) {
            ObjectNode e = out.addObject();
            e.put("id", run.executionId());
            e.put("job_name", run.job());
            e.put("started_at", run.startedAt().toString());
            e.put("node_name", run.node());
            e.put("group", run.runId());
            e.put("attempt", run.attempt());
            e.put("status", Execution.RUNNING);
            e.put("output", run.output().tailText(bytes));
            e.put("output_truncated", run.output().totalBytes() > bytes);
        }
        return out;
    }

    /** Puts each running execution's live tail into its {@code output} (and {@code output_truncated}). */
    void fill(ArrayNode executions, int bytes) {
        String self = agent.config().nodeName();
        Set<String> nodes = new LinkedHashSet<>();
        executions.forEach(e -> nodes.add(e.path("node_name").asText()));
        Map<String, JsonNode> tails = new HashMap<>();
        List<CompletableFuture<JsonNode>> asked = new java.util.ArrayList<>();
        for (String node : nodes) {
            if (node.equals(self)) {
                local(bytes).forEach(t -> tails.put(t.path("id").asText(), t));
                continue;
            }
            agent.membership().member(node).filter(Member::alive)
                    .filter(m -> m.httpAddress() != null && !m.httpAddress().isBlank())
                    .ifPresent(m -> asked.add(members.json(m, "/v1/busy?local=true&tail=" + bytes, MEMBER_TIMEOUT)));
        }
        long deadline = System.nanoTime() + MEMBER_TIMEOUT.plusMillis(250).toNanos();
        for (CompletableFuture<JsonNode> answer : asked) {
            try {
                JsonNode list = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                list.forEach(t -> tails.put(t.path("id").asText(), t));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // That member's executions keep the store's view.
            }
        }
        for (JsonNode e : executions) {
            JsonNode tail = tails.get(e.path("id").asText());
            if (tail != null && e instanceof ObjectNode entry) {
                entry.put("output", tail.path("output").asText(""));
                entry.put("output_truncated", tail.path("output_truncated").asBoolean());
            }
        }
    }
}
