package dev.hibachi.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.raft.ReadConsistency;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.LinkedHashMap;
import java.util.Map;

/** What runs and what ran: Dkron's {@code /v1/busy} and {@code /v1/stats}. */
@Controller("/v1")
public final class ActivityController {
    /** Dkron's default and bounds for {@code days}. */
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 365;

    private final Agent agent;
    private final LiveTails tails;

    ActivityController(Agent agent, LiveTails tails) {
        this.agent = agent;
        this.tails = tails;
    }

    /**
     * Every execution running now, in every job, oldest start first, with {@code X-Total-Count}. Dkron asks each
     * server's memory; here the store's open attempts answer, so a run on a client agent shows too. Each one's
     * {@code output} is its live tail (the last {@code ?tail=N} bytes, 4,096 by default), asked of the member that
     * runs it. {@code ?local=true} answers from this member's memory only: its own running attempts, with tails.
     */
    @Get("/busy")
    public HttpResponse<byte[]> busy(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        int tail = tailBytes(request.getParameters().get("tail"));
        if (OutputController.flag(request.getParameters().get("local"), "local")) {
            ArrayNode local = tails.local(tail);
            return Responses.json(HttpStatus.OK, local).header("X-Total-Count", String.valueOf(local.size()));
        }
        Reply reply = agent.jobs().running(ReadParameters.consistency(request));
        if (reply.ok() && reply.value() instanceof ArrayNode executions) {
            tails.fill(executions, tail);
        }
        MutableHttpResponse<byte[]> response = Responses.of(reply, HttpStatus.OK);
        return reply.ok() ? response.header("X-Total-Count", String.valueOf(reply.value().size())) : response;
    }

    /** {@code ?tail=N}: how many last bytes of each running execution's output to show. */
    static int tailBytes(String text) throws BadRequest {
        if (text == null || text.isBlank()) {
            return LiveTails.DEFAULT_BYTES;
        }
        try {
            int bytes = Integer.parseInt(text.strip());
            if (bytes >= 0 && bytes <= LiveTails.MAX_BYTES) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("expected a number of bytes from 0 to " + LiveTails.MAX_BYTES + ", got \"" + text
                + "\"", "tail");
    }

    /**
     * Finished attempts per UTC day, oldest first, zero-filled: {@code {"stats": [{date, success_count,
     * failed_count}]}}. {@code days} is 30 by default and kept within 1–365; a value that is not a number counts
     * as 30 (both as in Dkron). Added beside it, {@code "jobs"}: how many jobs there are ({@code total},
     * {@code disabled}, and the enabled ones by status), so an overview needs one request, not one per status.
     */
    @Get("/stats")
    public HttpResponse<byte[]> stats(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        ReadConsistency consistency = ReadParameters.consistency(request);
        Reply days = agent.jobs().stats(days(request.getParameters().get("days")), consistency);
        if (!days.ok()) {
            return Responses.of(days, HttpStatus.OK);
        }
        Reply jobs = agent.jobs().jobCounts(consistency);
        if (!jobs.ok()) {
            return Responses.of(jobs, HttpStatus.OK);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stats", days.value());
        body.put("jobs", jobs.value());
        return Responses.json(HttpStatus.OK, body);
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
