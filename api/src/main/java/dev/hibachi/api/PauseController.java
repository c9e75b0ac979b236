package dev.hibachi.api;

import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Pause;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;

/**
 * Dkron's pause: while paused, new and changed jobs are refused with 503; scheduling, manual runs, toggles and
 * deletes go on. Dkron keeps the switch in one node's memory; here it is committed to the store, so it holds on
 * every agent and across restarts. The answer is Dkron's {@code {"paused": bool}} plus Hibachi's {@code since}.
 */
@Controller("/v1")
public final class PauseController {
    private final Agent agent;

    public PauseController(Agent agent) {
        this.agent = agent;
    }

    @Get("/pause")
    public HttpResponse<byte[]> get(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        return Responses.of(agent.jobs().pause(ReadParameters.consistency(request)), HttpStatus.OK);
    }

    @Post("/pause")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> pause() throws StoreUnavailableException {
        return set(true);
    }

    @Post("/unpause")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> unpause() throws StoreUnavailableException {
        return set(false);
    }

    private HttpResponse<byte[]> set(boolean paused) throws StoreUnavailableException {
        Reply reply = agent.jobs().setPaused(paused);
        return Responses.of(reply, HttpStatus.OK);
    }
}
