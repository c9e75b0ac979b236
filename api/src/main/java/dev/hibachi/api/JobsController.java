package dev.hibachi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.query.ExecutionSort;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.query.QueryHandler;
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
import io.micronaut.core.annotation.Nullable;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
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

    /**
     * Dkron's job list: {@code metadata[key]=value} (repeatable, all must match), {@code q} (in the name or display
     * name, any case), {@code status}, {@code disabled}, {@code _sort}/{@code _order}, and the slice
     * {@code _start}/{@code _end}; {@code X-Total-Count} counts every job that passed the filter. One answer holds at
     * most {@value QueryHandler#MAX_LIMIT} jobs; a wider one is cut there and says so in {@code X-Hibachi-Truncated}.
     */
    @Get
    public HttpResponse<byte[]> list(HttpRequest<?> request) throws StoreUnavailableException {
        Query.ListJobs listing;
        try {
            listing = jobListing(ListParameters.of(request));
        } catch (ListParameters.BadParameter e) {
            return Responses.error(400, e.getMessage(), e.field());
        }
        return page(agent.jobs().jobs(listing), "jobs", listing.start(), listing.end());
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

    /**
     * A job's executions: Dkron's {@code _sort} ({@code id} = {@code started_at}, {@code finished_at},
     * {@code attempt}), {@code _order} (newest first by default) and {@code output_size_limit}, plus the slice
     * {@code _start}/{@code _end}, which Dkron ignores; {@code X-Total-Count} counts all the job's executions.
     */
    @Get("/{name}/executions")
    public HttpResponse<byte[]> executions(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException {
        Query.ListExecutions listing;
        try {
            listing = executionListing(name, ListParameters.of(request));
        } catch (ListParameters.BadParameter e) {
            return Responses.error(400, e.getMessage(), e.field());
        }
        return page(agent.jobs().executions(listing), "executions", listing.start(), listing.end());
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

    private static Query.ListJobs jobListing(ListParameters p) throws ListParameters.BadParameter {
        String sortName = p.text("_sort");
        JobSort sort = sortName == null ? JobSort.NAME : JobSort.ofParam(sortName);
        if (sort == null) {
            throw new ListParameters.BadParameter("_sort must be one of id, " + Arrays.stream(JobSort.values())
                    .map(JobSort::param).collect(Collectors.joining(", ")) + " (got \"" + sortName + "\")", "_sort");
        }
        JobFilter filter = new JobFilter(p.metadata(), p.text("q"), status(p.text("status")), p.bool("disabled"));
        return new Query.ListJobs(filter, sort, p.descending(false), Math.max(0, p.index("_start")), p.index("_end"));
    }

    /** Dkron's status filter as the status a job holds: {@code untriggered} is a job that has not finished a run. */
    private static String status(String value) throws ListParameters.BadParameter {
        if (value == null) {
            return null;
        }
        String v = value.toLowerCase(Locale.ROOT);
        switch (v) {
            case "success":
            case "failed":
            case "partially_failed":
                return v;
            case "untriggered":
                return "";
            default:
                throw new ListParameters.BadParameter("status must be one of success, failed, partially_failed, "
                        + "untriggered (got \"" + value + "\")" + (v.equals("running") ? "; a job's status is its "
                        + "last finished run's: running ones show in its executions" : ""), "status");
        }
    }

    private static Query.ListExecutions executionListing(String job, ListParameters p)
            throws ListParameters.BadParameter {
        String sortName = p.text("_sort");
        ExecutionSort sort = sortName == null ? ExecutionSort.STARTED_AT : ExecutionSort.ofParam(sortName);
        if (sort == null) {
            throw new ListParameters.BadParameter("_sort must be one of id, " + Arrays.stream(ExecutionSort.values())
                    .map(ExecutionSort::param).collect(Collectors.joining(", ")) + " (got \"" + sortName + "\")",
                    "_sort");
        }
        return new Query.ListExecutions(job, sort, p.descending(true), Math.max(0, p.index("_start")),
                p.index("_end"), p.index("output_size_limit"));
    }

    /**
     * A page reply ({@code {"total": N, "<rows>": [...]}}) as Dkron's bare array with {@code X-Total-Count}; when the
     * answer holds fewer rows than the slice asked for and the total allows, it was cut at the cap, and
     * {@code X-Hibachi-Truncated: true} says so. A refusal as it is.
     */
    private static HttpResponse<byte[]> page(Reply reply, String rows, int start, int end) {
        if (!reply.ok()) {
            return Responses.of(reply, HttpStatus.OK);
        }
        JsonNode page = reply.value().path(rows);
        int total = reply.value().path("total").asInt();
        MutableHttpResponse<byte[]> response = Responses.json(HttpStatus.OK, page)
                .header("X-Total-Count", String.valueOf(total));
        long asked = Math.min(end < 0 ? total : end, total) - (long) start;
        return page.size() < asked ? response.header("X-Hibachi-Truncated", "true") : response;
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
