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
import io.micronaut.http.HttpRequest;
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

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /**
     * Dkron's toggle: disables an enabled job, enables a disabled one; 200 with the job as stored, 404 for an
     * unknown one. The store flips the flag in one command, so two toggles never read the same old value.
     */
    @Post("/{name}/toggle")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> toggle(@PathVariable String name) throws StoreUnavailableException {
        return Responses.of(agent.jobs().toggleJob(name), HttpStatus.OK);
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

    /**
     * Hibachi's addition: kills a running execution. The request is committed ({@code KillRequested}) and
     * answered 202 with the store's outcome; the member then sends TERM to the process group, KILL after its
     * {@code --kill-grace}, and the execution is recorded failed, {@code killed}, with {@code killed_by}. The
     * optional body {@code {"by": "..."}} names who asks; without it, the requester is this request's client
     * address. 404 for an unknown execution, 409 for one that has finished.
     */
    @Post("/{name}/executions/{id}/kill")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> kill(@PathVariable String name, @PathVariable String id, @Body @Nullable String body,
                                     HttpRequest<?> request) throws StoreUnavailableException {
        String by;
        try {
            by = parseKiller(body);
        } catch (BadBody e) {
            return Responses.error(400, e.getMessage(), e.field);
        }
        if (by == null) {
            InetSocketAddress from = request.getRemoteAddress();
            by = "api client " + (from.getAddress() == null ? from.getHostString() : from.getAddress().getHostAddress());
        }
        Reply reply = agent.jobs().kill(name, id, by);
        if (!reply.ok()) {
            return Responses.of(reply, HttpStatus.ACCEPTED);
        }
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("job_name", name);
        answer.put("execution_id", reply.value().path("execution").asText(id));
        answer.put("outcome", reply.value().path("outcome").asText());
        answer.put("requested_by", by);
        return Responses.json(HttpStatus.ACCEPTED, answer);
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

    /** The kill request's optional body: {@code {"by": "..."}}, or nothing; null when it names nobody. */
    private static String parseKiller(String body) throws BadBody {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode tree = readJson(body);
        if (tree == null || !tree.isObject()) {
            throw new BadBody("expected a JSON object such as {\"by\": \"alice\"}, or no body", null);
        }
        var fields = tree.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!field.equals("by")) {
                throw new BadBody("unknown field \"" + field + "\" (a kill request takes only \"by\")", field);
            }
        }
        JsonNode by = tree.get("by");
        if (by == null || by.isNull()) {
            return null;
        }
        if (!by.isTextual()) {
            throw new BadBody("field \"by\" must be a string: who asks for the kill", "by");
        }
        if (by.asText().isBlank()) {
            throw new BadBody("field \"by\" must not be empty; leave it out to be named by your address", "by");
        }
        return by.asText().strip();
    }

    private static JsonNode readJson(String body) throws BadBody {
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new BadBody("invalid JSON: " + e.getOriginalMessage() + (where == null ? ""
                    : " at line " + where.getLineNr() + ", column " + where.getColumnNr()), null);
        }
    }

    private static Job parseJob(String body) throws BadBody {
        if (body == null || body.isBlank()) {
            throw new BadBody("the request body is empty; expected a job as JSON", null);
        }
        JsonNode tree = readJson(body);
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
