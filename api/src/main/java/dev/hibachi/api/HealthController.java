package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /health}: 200 while this agent reaches a store leader, else 503 (as Dkron's). */
@Controller("/health")
public final class HealthController {
    private final Agent agent;

    public HealthController(Agent agent) {
        this.agent = agent;
    }

    @Get
    public HttpResponse<byte[]> health() {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean healthy = agent.healthy();
        body.put("status", healthy ? "healthy" : "unhealthy");
        body.put("leader", agent.isLeader());
        body.put("node", agent.config().nodeName());
        return Responses.json(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, body);
    }
}
