package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.Map;

/** What runs and what ran: Dkron's {@code /v1/busy} and {@code /v1/stats}. */
@Controller("/v1")
public final class ActivityController {
    /** Dkron's default and bounds for {@code days}. */
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 365;

    private final Agent agent;

    public ActivityController(Agent agent) {
        this.agent = agent;
    }

    /**
     * Every execution running now, in every job, oldest start first, with {@code X-Total-Count}. Dkron asks each
     * server's memory; here the store's open attempts answer, so a run on a client agent shows too.
     */
    @Get("/busy")
    public HttpResponse<byte[]> busy(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        Reply reply = agent.jobs().running(ReadParameters.consistency(request));
        MutableHttpResponse<byte[]> response = Responses.of(reply, HttpStatus.OK);
        return reply.ok() ? response.header("X-Total-Count", String.valueOf(reply.value().size())) : response;
    }

    /**
     * Finished attempts per UTC day, oldest first, zero-filled: {@code {"stats": [{date, success_count,
     * failed_count}]}}. {@code days} is 30 by default and kept within 1–365; a value that is not a number counts
     * as 30 (both as in Dkron).
     */
    @Get("/stats")
    public HttpResponse<byte[]> stats(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        Reply reply = agent.jobs().stats(days(request.getParameters().get("days")),
                ReadParameters.consistency(request));
        return reply.ok() ? Responses.json(HttpStatus.OK, Map.of("stats", reply.value()))
                : Responses.of(reply, HttpStatus.OK);
    }

    static int days(String text) {
        try {
            int days = text == null ? DEFAULT_DAYS : Integer.parseInt(text.strip());
            return Math.max(1, Math.min(MAX_DAYS, days));
        } catch (NumberFormatException e) {
            return DEFAULT_DAYS;
        }
    }
}
