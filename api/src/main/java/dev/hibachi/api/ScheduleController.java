package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;
import dev.hibachi.store.raft.StoreUnavailableException;
import dev.hibachi.store.schedule.InvalidScheduleException;
import dev.hibachi.store.schedule.Schedule;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hibachi's schedule routes for the dashboard: a job's next fire times, and a schedule's preview (its sentence
 * and next fire times) while a job is being written. Both use the store's schedule code and zones.
 */
@Controller("/v1")
public final class ScheduleController {
    private static final int DEFAULT_COUNT = 5;
    private static final Set<String> PREVIEW_FIELDS = Set.of("schedule", "timezone", "name");

    private final Agent agent;

    public ScheduleController(Agent agent) {
        this.agent = agent;
    }

    /**
     * The job's next {@code count} (1 to 100, default 5) fire instants, in UTC, with the zone its schedule is
     * computed in; {@code []} for a job that does not fire on its own. 404 for an unknown job.
     */
    @Addition
    @Get("/jobs/{name}/next")
    public HttpResponse<byte[]> next(@PathVariable String name, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        int count = count(request);
        Reply found = agent.jobs().job(name, ReadParameters.consistency(request));
        if (!found.ok()) {
            return Responses.of(found, HttpStatus.OK);
        }
        Job job = found.valueAs(Job.class);
        ZoneId defaultZone = agent.jobs().defaultZone();
        ZoneId zone;
        List<Instant> fires;
        try {
            zone = JobValidator.zoneOf(job, defaultZone);
            if (job.isChild() || job.schedule() == null || job.schedule().isBlank()) {
                fires = List.of();
            } else {
                Schedule schedule = JobValidator.scheduleOf(job, defaultZone);
                zone = schedule.zone();
                fires = UpcomingFires.of(job, schedule, Instant.now(), count);
            }
        } catch (InvalidScheduleException | JobValidator.InvalidJobException e) {
            // The store checked the job when it was written; a job stored by an older version may still fail.
            return Responses.error(500, "job " + name + " holds a schedule this agent cannot read: "
                    + e.getMessage(), "schedule");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("timezone", zone.getId());
        answer.put("next", fires.stream().map(Instant::toString).toList());
        return Responses.json(HttpStatus.OK, answer);
    }

    /**
     * A schedule as a job would have it: {@code {"schedule", "timezone", "description", "next"}} with its first
     * {@code count} (default 5) fire instants from now, or 400 naming {@code schedule} or {@code timezone}. The
     * zone is the body's {@code timezone}, else the cluster's default; a {@code CRON_TZ=} prefix wins, as in a
     * job. The optional {@code name} feeds the {@code ~} token.
     */
    @Addition
    @Post("/schedule/preview")
    @Consumes(MediaType.ALL)
    public HttpResponse<byte[]> preview(@Body @Nullable String body, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        int count = count(request);
        JsonNode tree = body == null || body.isBlank() ? null : JobBodies.json(body);
        if (tree == null || !tree.isObject()) {
            throw new BadRequest("expected a JSON object such as {\"schedule\": \"@every 5m\", \"timezone\": "
                    + "\"Europe/Paris\"}", null);
        }
        for (Iterator<String> fields = tree.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!PREVIEW_FIELDS.contains(field)) {
                throw new BadRequest("unknown field \"" + field + "\" (a preview takes schedule, timezone and name)",
                        field);
            }
        }
        String spec = text(tree, "schedule");
        String timezone = text(tree, "timezone");
        String name = text(tree, "name");
        if (spec == null || spec.isBlank()) {
            throw new BadRequest("schedule is required", "schedule");
        }
        ZoneId zone = agent.jobs().defaultZone();
        if (timezone != null && !timezone.isEmpty()) {
            if (!ZoneId.getAvailableZoneIds().contains(timezone)) {
                throw new BadRequest("timezone \"" + timezone + "\" is not an IANA time zone name (example: "
                        + "Europe/Berlin)", "timezone");
            }
            zone = ZoneId.of(timezone);
        }
        Schedule schedule;
        try {
            schedule = Schedule.parse(spec, name, zone);
        } catch (InvalidScheduleException e) {
            throw new BadRequest(e.getMessage(), "schedule");
        }
        Instant now = Instant.now();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("schedule", spec);
        answer.put("timezone", schedule.zone().getId());
        answer.put("description", ScheduleDescription.of(spec));
        answer.put("next", UpcomingFires.of(schedule, now, now, count).stream().map(Instant::toString).toList());
        return Responses.json(HttpStatus.OK, answer);
    }

    private static String text(JsonNode tree, String field) throws BadRequest {
        JsonNode v = tree.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRequest("field \"" + field + "\" must be a string", field);
        }
        return v.asText();
    }

    /** {@code ?count}: 1 to {@value UpcomingFires#MAX}, {@value #DEFAULT_COUNT} when absent. */
    private static int count(HttpRequest<?> request) throws BadRequest {
        ListParameters p = ListParameters.of(request);
        int n = p.index("count");
        if (n == -1) {
            return DEFAULT_COUNT;
        }
        if (n < 1 || n > UpcomingFires.MAX) {
            throw new BadRequest("count must be between 1 and " + UpcomingFires.MAX + " (got " + p.text("count") + ")",
                    "count");
        }
        return n;
    }
}
