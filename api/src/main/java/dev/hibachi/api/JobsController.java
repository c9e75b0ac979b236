package dev.hibachi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.core.annotation.Nullable;

import java.util.stream.Collectors;

/** The jobs routes of Dkron's API ({@code /v1/jobs}). */
@Controller("/v1/jobs")
public final class JobsController {
    private final Agent agent;

    public JobsController(Agent agent) {
        this.agent = agent;
    }

    /** Creates or replaces a job (Dkron's upsert); 201 with the job as stored. */
    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> put(@Body @Nullable String body) throws StoreUnavailableException {
        Job job;
        try {
            job = parseJob(body);
        } catch (BadBody e) {
            return Responses.error(400, e.getMessage(), e.field);
        }
        Reply reply = agent.jobs().putJob(job);
        MutableHttpResponse<byte[]> response = Responses.of(reply, HttpStatus.CREATED);
        return reply.ok() ? response.header("Location", "/v1/jobs/" + job.name()) : response;
    }

    @Get
    public HttpResponse<byte[]> list() throws StoreUnavailableException {
        return withTotalCount(agent.jobs().jobs(null, 0));
    }

    @Get("/{name}")
    public HttpResponse<byte[]> get(@PathVariable String name) throws StoreUnavailableException {
        return Responses.of(agent.jobs().job(name), HttpStatus.OK);
    }

    @Delete("/{name}")
    public HttpResponse<byte[]> delete(@PathVariable String name) throws StoreUnavailableException {
        return Responses.of(agent.jobs().deleteJob(name), HttpStatus.OK);
    }

    /** Runs a job now. Answers 200 with the job once the run's plan is committed (not when it ends). */
    @Post("/{name}")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> run(@PathVariable String name) throws StoreUnavailableException {
        Reply reply = agent.jobs().runNow(name);
        if (!reply.ok()) {
            return Responses.of(reply, HttpStatus.OK);
        }
        return Responses.json(HttpStatus.OK, reply.value().get("job"))
                .header("Location", "/v1/jobs/" + name)
                .header("X-Hibachi-Run-Id", reply.value().get("run_id").asText());
    }

    @Get("/{name}/executions")
    public HttpResponse<byte[]> executions(@PathVariable String name,
                                           @QueryValue("output_size_limit") @Nullable Integer outputSizeLimit)
            throws StoreUnavailableException {
        return withTotalCount(agent.jobs().executions(name, 0, outputSizeLimit == null ? -1 : outputSizeLimit));
    }

    @Get("/{name}/executions/{id}")
    public HttpResponse<byte[]> execution(@PathVariable String name, @PathVariable String id)
            throws StoreUnavailableException {
        return Responses.of(agent.jobs().execution(name, id), HttpStatus.OK);
    }

    /** Hibachi's addition: the instants of a job that did not run, as ranges with the reason. */
    @Get("/{name}/misses")
    public HttpResponse<byte[]> misses(@PathVariable String name) throws StoreUnavailableException {
        return withTotalCount(agent.jobs().misses(name, 0));
    }

    /** A list reply with Dkron's {@code X-Total-Count} header; a refusal as it is. */
    private static HttpResponse<byte[]> withTotalCount(Reply reply) {
        MutableHttpResponse<byte[]> response = Responses.of(reply, HttpStatus.OK);
        return reply.ok() ? response.header("X-Total-Count", String.valueOf(reply.value().size())) : response;
    }

    private static Job parseJob(String body) throws BadBody {
        if (body == null || body.isBlank()) {
            throw new BadBody("the request body is empty; expected a job as JSON", null);
        }
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new BadBody("invalid JSON: " + e.getOriginalMessage() + (where == null ? ""
                    : " at line " + where.getLineNr() + ", column " + where.getColumnNr()), null);
        }
        if (tree == null || !tree.isObject()) {
            throw new BadBody("expected a JSON object (a job)", null);
        }
        try {
            return Json.mapper().treeToValue(tree, Job.class);
        } catch (UnrecognizedPropertyException e) {
            throw new BadBody("unknown field \"" + e.getPropertyName() + "\"", e.getPropertyName());
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            throw new BadBody("field \"" + field + "\" has the wrong type: " + e.getOriginalMessage(), field);
        } catch (JsonProcessingException e) {
            throw new BadBody("invalid job: " + e.getOriginalMessage(), null);
        }
    }

    private static final class BadBody extends Exception {
        private final String field;

        BadBody(String message, String field) {
            super(message, null, false, false);
            this.field = field;
        }
    }

}
