package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.index.JobFilter;
import dev.hibachi.store.index.JobSort;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.query.ExecutionSort;
import dev.hibachi.store.query.Query;
import dev.hibachi.store.query.QueryHandler;
import dev.hibachi.store.schedule.GoDuration;
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
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.core.annotation.Nullable;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/** The jobs routes of Dkron's API ({@code /v1/jobs}). */
@Controller("/v1/jobs")
public final class JobsController {
    /** The header that names the run a manual run started. */
    static final String RUN_ID_HEADER = "X-Hibachi-Run-Id";
    private static final Duration MAX_WAIT = Duration.ofHours(24);

    private final Agent agent;

    public JobsController(Agent agent) {
        this.agent = agent;
    }

    /**
     * Creates or replaces a job (Dkron's upsert; {@code PATCH} is the same whole upsert, as in Dkron); 201 with
     * the job as stored and its {@code Location}. {@code ?runoncreate} then starts a run, as Dkron does, once the
     * job is committed: its id is in {@code X-Hibachi-Run-Id}. Hibachi's {@code ?dry_run=true} (on every spelling
     * of the upsert) runs every check a put runs and writes nothing: 200 {@code {"valid": true, "job": ...}} with
     * the job as it would be stored, or the very refusal the put would get.
     */
    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> put(@Body @Nullable String body, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return upsert(JobBodies.job(body, null), request);
    }

    @Patch
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> patch(@Body @Nullable String body, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return upsert(JobBodies.job(body, null), request);
    }

    /**
     * Dkron's {@code PUT /v1/jobs/{name}}: the same upsert. Dkron ignores the path; here a body without a name
     * takes it, and a body naming another job is refused (400), since the caller meant one of the two.
     */
    @Put("/{name}")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> putNamed(@PathVariable String name, @Body @Nullable String body,
                                         HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        return upsert(JobBodies.job(body, name), request);
    }

    private HttpResponse<byte[]> upsert(Job job, HttpRequest<?> request) throws StoreUnavailableException,
            BadRequest {
        if (dryRun(request)) {
            return Responses.of(agent.jobs().dryRun(job), HttpStatus.OK);
        }
        Reply reply = agent.jobs().putJob(job);
        MutableHttpResponse<byte[]> response = Responses.of(reply, HttpStatus.CREATED);
        if (!reply.ok()) {
            return response;
        }
        response.header("Location", "/v1/jobs/" + job.name());
        if (request.getParameters().contains("runoncreate")) {
            Reply run = agent.jobs().runNow(job.name());
            if (run.ok()) {
                response.header(RUN_ID_HEADER, run.value().get("run_id").asText());
            } else {
                // The job is stored: the run's refusal (disabled, no member matches) is told, not an error.
                response.header("X-Hibachi-Run-Refused", run.error());
            }
        }
        return response;
    }

    /**
     * Dkron's job list: {@code metadata[key]=value} (repeatable, all must match), {@code q} (in the name or display
     * name, any case), {@code status}, {@code disabled}, {@code _sort}/{@code _order}, and the slice
     * {@code _start}/{@code _end}; and, added, {@code tags[key]=value} (the jobs that run on members with that tag;
     * a job's {@code value:N} count is not part of the value). {@code X-Total-Count} counts every job that passed
     * the filter. One answer holds at most {@value QueryHandler#MAX_LIMIT} jobs; a wider one is cut there and says
     * so in {@code X-Hibachi-Truncated}.
     */
    @Get
    public HttpResponse<byte[]> list(HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        Query.ListJobs listing = jobListing(ListParameters.of(request));
        return page(agent.jobs().jobs(listing, ReadParameters.consistency(request)), "jobs", listing.start(),
                listing.end());
    }

    @Get("/{name}")
    public HttpResponse<byte[]> get(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return Responses.of(agent.jobs().job(name, ReadParameters.consistency(request)), HttpStatus.OK);
    }

    /** Deletes a job and its history; 409 while it has children (Dkron: 404 for every failure). */
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

    /**
     * Runs a job now. Answers 200 with the job as soon as the run's plan is committed (Dkron blocks until the
     * job ends), its id in {@code X-Hibachi-Run-Id}. With Hibachi's {@code ?wait=<duration>} it answers once
     * the run is over, 200 with the run's executions (every attempt on every member) and
     * {@code X-Hibachi-Run-Status} (success, failed, partially_failed); if the wait runs out first, 202 with the
     * executions so far and the status {@code running}.
     */
    @Post("/{name}")
    @Consumes(MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> run(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        Duration wait = waitOf(request);
        Reply reply = agent.jobs().runNow(name);
        if (!reply.ok()) {
            return CompletableFuture.completedFuture(Responses.of(reply, HttpStatus.OK));
        }
        long runId = reply.value().get("run_id").asLong();
        if (wait == null) {
            return CompletableFuture.completedFuture(Responses.json(HttpStatus.OK, reply.value().get("job"))
                    .header("Location", "/v1/jobs/" + name).header(RUN_ID_HEADER, String.valueOf(runId)));
        }
        return agent.jobs().awaitRun(name, runId, System.nanoTime() + wait.toNanos()).thenApply(outcome ->
                Responses.json(outcome.over() ? HttpStatus.OK : HttpStatus.ACCEPTED, outcome.executions())
                        .header("Location", "/v1/jobs/" + name).header(RUN_ID_HEADER, String.valueOf(runId))
                        .header("X-Hibachi-Run-Status", outcome.status()));
    }

    /** Dkron's alias of {@link #run}. */
    @Post("/{name}/run")
    @Consumes(MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> runAlias(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return run(name, request);
    }

    /** {@code ?dry_run}: bare or {@code true} asks for a dry run, {@code false} or absent for the put itself. */
    private static boolean dryRun(HttpRequest<?> request) throws BadRequest {
        if (!request.getParameters().contains("dry_run")) {
            return false;
        }
        Boolean asked = ListParameters.of(request).bool("dry_run");
        return asked == null || asked;
    }

    /** {@code ?wait=<Go duration>}, up to a day; null without it. */
    private static Duration waitOf(HttpRequest<?> request) throws BadRequest {
        String text = request.getParameters().get("wait");
        if (text == null) {
            return null;
        }
        Duration wait;
        try {
            wait = GoDuration.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("wait must be a duration such as 30s, 5m or 1h30m: " + e.getMessage(), "wait");
        }
        if (wait.isNegative() || wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
            throw new BadRequest("wait must be more than 0 and at most 24h; got " + text, "wait");
        }
        return wait;
    }

    /**
     * A job's executions: Dkron's {@code _sort} ({@code id} = {@code started_at}, {@code finished_at},
     * {@code attempt}), {@code _order} (newest first by default) and {@code output_size_limit}, plus the slice
     * {@code _start}/{@code _end}, which Dkron ignores; {@code X-Total-Count} counts all the job's executions.
     */
    @Get("/{name}/executions")
    public HttpResponse<byte[]> executions(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        Query.ListExecutions listing = executionListing(name, ListParameters.of(request));
        return page(agent.jobs().executions(listing, ReadParameters.consistency(request)), "executions",
                listing.start(), listing.end());
    }

    /** Clears the job's executions, its misses and its counters; 200 with the job as it is then. */
    @Delete("/{name}/executions")
    public HttpResponse<byte[]> deleteExecutions(@PathVariable String name) throws StoreUnavailableException {
        return Responses.of(agent.jobs().deleteExecutions(name), HttpStatus.OK);
    }

    @Get("/{name}/executions/{id}")
    public HttpResponse<byte[]> execution(@PathVariable String name, @PathVariable String id,
                                          HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        return Responses.of(agent.jobs().execution(name, id, ReadParameters.consistency(request)), HttpStatus.OK);
    }

    /**
     * Hibachi's addition: kills a running execution. The request is committed ({@code KillRequested}) and
     * answered 202 with the store's outcome; the member then sends TERM to the process group, KILL after its
     * {@code --kill-grace}, and the execution is recorded failed, {@code killed}, with {@code killed_by}. The
     * optional body {@code {"by": "..."}} names who asks; without it, the requester is this request's client
     * address. 404 for an unknown execution, 409 for one that has finished.
     */
    @Addition
    @Post("/{name}/executions/{id}/kill")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> kill(@PathVariable String name, @PathVariable String id, @Body @Nullable String body,
                                     HttpRequest<?> request) throws StoreUnavailableException, BadRequest {
        String by = JobBodies.killer(body);
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
    @Addition
    @Get("/{name}/misses")
    public HttpResponse<byte[]> misses(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        return withTotalCount(agent.jobs().misses(name, 0, ReadParameters.consistency(request)));
    }

    private static Query.ListJobs jobListing(ListParameters p) throws BadRequest {
        String sortName = p.text("_sort");
        JobSort sort = sortName == null ? JobSort.NAME : JobSort.ofParam(sortName);
        if (sort == null) {
            throw new BadRequest("_sort must be one of id, " + Arrays.stream(JobSort.values())
                    .map(JobSort::param).collect(Collectors.joining(", ")) + " (got \"" + sortName + "\")", "_sort");
        }
        JobFilter filter = new JobFilter(p.metadata(), p.text("q"), status(p.text("status")), p.bool("disabled"),
                p.tags());
        return new Query.ListJobs(filter, sort, p.descending(false), Math.max(0, p.index("_start")), p.index("_end"));
    }

    /** Dkron's status filter as the status a job holds: {@code untriggered} is a job that has not finished a run. */
    private static String status(String value) throws BadRequest {
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
                throw new BadRequest("status must be one of success, failed, partially_failed, "
                        + "untriggered (got \"" + value + "\")" + (v.equals("running") ? "; a job's status is its "
                        + "last finished run's: running ones show in its executions" : ""), "status");
        }
    }

    private static Query.ListExecutions executionListing(String job, ListParameters p)
            throws BadRequest {
        String sortName = p.text("_sort");
        ExecutionSort sort = sortName == null ? ExecutionSort.STARTED_AT : ExecutionSort.ofParam(sortName);
        if (sort == null) {
            throw new BadRequest("_sort must be one of id, " + Arrays.stream(ExecutionSort.values())
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
}
