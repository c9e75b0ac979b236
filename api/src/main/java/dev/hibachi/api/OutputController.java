package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.run.LiveRun;
import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.raft.ReadConsistency;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hibachi's addition: an execution's output while it runs, from any agent.
 *
 * <p>The member that runs the attempt holds its output in memory; this agent serves it when it is that member,
 * and otherwise forwards the request to the member's API, never through Raft. Once the attempt is over the store
 * answers (its stored output and status). An attempt the store says runs but whose member is not reachable (or
 * not started yet) is waited for: the store closes it (done, or lost) and the stream then ends from there.
 */
@Controller("/v1/jobs")
public final class OutputController {
    private static final Duration POLL = Duration.ofMillis(250);
    /** A comment every this many polls (15 s) keeps a waiting stream's connection alive. */
    private static final long POLLS_PER_KEEP_ALIVE = 60;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(10);

    private final Agent agent;
    private final MemberClient members;

    OutputController(Agent agent, MemberClient members) {
        this.agent = agent;
        this.members = members;
    }

    /** Where an execution's output is to be had now. */
    private sealed interface Source {
    }

    private record Live(LiveRun run) implements Source {
    }

    private record Remote(Member member) implements Source {
    }

    private record Stored(JsonNode execution) implements Source {
    }

    /** The store says it runs, but no one here can show its output yet. */
    private record Waiting(JsonNode execution) implements Source {
    }

    /**
     * The output of an execution. Plain text (what there is now) by default; with {@code ?follow=true} a
     * {@code text/event-stream} of {@link SseEvents}: output as it is written, then {@code end} with the final
     * status. {@code Last-Event-ID} (or {@code ?from=}) resumes a stream after the position it names.
     */
    @Addition
    @Get(value = "/{name}/executions/{id}/output", produces = {MediaType.TEXT_PLAIN, SseEvents.CONTENT_TYPE,
            MediaType.APPLICATION_JSON})
    public HttpResponse<?> output(@PathVariable String name, @PathVariable String id, HttpRequest<?> request)
            throws StoreUnavailableException, BadRequest {
        boolean follow = flag(request.getParameters().get("follow"), "follow");
        long from = resumeFrom(request);
        boolean forwarded = request.getHeaders().contains(MemberClient.FORWARDED_HEADER);
        Execution.Ref ref = Execution.parseId(id)
                .orElseThrow(() -> new BadRequest(404, "execution not found: " + id, "id"));
        Source source = locate(name, id, ref, forwarded);
        if (source instanceof Refused refused) {
            return Responses.of(refused.reply(), HttpStatus.OK);
        }
        if (!follow) {
            return HttpResponse.ok(snapshot(name, id, source)).contentType(MediaType.TEXT_PLAIN_TYPE);
        }
        return HttpResponse.ok(Flux.just(SseEvents.opening()).concatWith(stream(name, id, ref, source, from)))
                .contentType(SseEvents.CONTENT_TYPE)
                .header("Cache-Control", "no-cache")
                // Proxies such as nginx must pass events on as they come.
                .header("X-Accel-Buffering", "no");
    }

    private record Refused(Reply reply) implements Source {
    }

    private Source locate(String name, String id, Execution.Ref ref, boolean forwarded)
            throws StoreUnavailableException {
        boolean here = ref.node().equals(agent.config().nodeName());
        if (here) {
            var live = agent.runner().live(name, ref.runId(), ref.attempt());
            if (live.isPresent()) {
                return new Live(live.get());
            }
        }
        Reply reply = agent.jobs().execution(name, id, ReadConsistency.LINEARIZABLE);
        if (!reply.ok()) {
            return new Refused(reply);
        }
        JsonNode execution = reply.value();
        if (!Execution.RUNNING.equals(execution.path("status").asText())) {
            return new Stored(execution);
        }
        if (here) {
            // It may have started since the first look.
            return agent.runner().live(name, ref.runId(), ref.attempt()).<Source>map(Live::new)
                    .orElse(new Waiting(execution));
        }
        if (!forwarded) {
            var member = agent.membership().member(ref.node())
                    .filter(m -> m.alive() && m.httpAddress() != null && !m.httpAddress().isBlank());
            if (member.isPresent()) {
                return new Remote(member.get());
            }
        }
        return new Waiting(execution);
    }

    private String snapshot(String name, String id, Source source) {
        if (source instanceof Live live) {
            return live.run().output().text();
        }
        if (source instanceof Remote remote) {
            try {
                return members.text(remote.member(), path(name, id, false, 0), SNAPSHOT_TIMEOUT)
                        .get(SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            } catch (ExecutionException | TimeoutException e) {
                return "[hibachi: " + remote.member().name() + " did not answer with the live output: "
                        + (e.getCause() == null ? e : e.getCause()).getMessage() + "]\n";
            }
        }
        JsonNode execution = source instanceof Stored stored ? stored.execution() : ((Waiting) source).execution();
        return execution.path("output").asText("");
    }

    private Flux<byte[]> stream(String name, String id, Execution.Ref ref, Source source, long from) {
        if (source instanceof Live live) {
            return LiveOutput.stream(live.run(), from);
        }
        if (source instanceof Remote remote) {
            boolean[] sent = {false};
            return members.stream(remote.member(), path(name, id, true, from))
                    .doOnNext(b -> sent[0] = true)
                    // The member went away mid-stream: the store has the rest once it closes the attempt.
                    .onErrorResume(e -> (sent[0] ? Flux.just(SseEvents.reset()) : Flux.<byte[]>empty())
                            .concatWith(waitFor(name, id, ref, sent[0] ? 0 : from)));
        }
        if (source instanceof Stored stored) {
            return stored(stored.execution(), from);
        }
        if (source instanceof Refused refused) {
            return Flux.just(SseEvents.gone(id, refused.reply().error()));
        }
        return waitFor(name, id, ref, from);
    }

    /** Polls until the output is to be had (started here, or over), then streams it; forwards no more. */
    private Flux<byte[]> waitFor(String name, String id, Execution.Ref ref, long from) {
        return Flux.interval(POLL, POLL)
                .onBackpressureDrop()
                .concatMap(tick -> Mono.fromCallable(() -> locate(name, id, ref, true))
                        .subscribeOn(Schedulers.boundedElastic())
                        .map(source -> new Object[] {tick, source}))
                .takeUntil(step -> !(step[1] instanceof Waiting))
                .concatMap(step -> step[1] instanceof Waiting
                        ? ((Long) step[0] % POLLS_PER_KEEP_ALIVE == POLLS_PER_KEEP_ALIVE - 1
                            ? Flux.just(SseEvents.keepAlive()) : Flux.<byte[]>empty())
                        : stream(name, id, ref, (Source) step[1], from));
    }

    private static Flux<byte[]> stored(JsonNode execution, long from) {
        List<byte[]> events = new ArrayList<>(3);
        if (from > 0) {
            events.add(SseEvents.reset());
        }
        String output = execution.path("output").asText("");
        if (!output.isEmpty()) {
            events.add(SseEvents.output(output));
        }
        String killedBy = execution.path("killed_by").asText(null);
        events.add(SseEvents.end(execution.path("id").asText(), execution.path("status").asText(),
                execution.path("success").asBoolean(), execution.path("exit_code").asInt(-1), killedBy));
        return Flux.fromIterable(events);
    }

    private static String path(String name, String id, boolean follow, long from) {
        String base = "/v1/jobs/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + "/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/output";
        return follow ? base + "?follow=true&from=" + from : base;
    }

    private static long resumeFrom(HttpRequest<?> request) throws BadRequest {
        String text = request.getParameters().get("from");
        String field = "from";
        if (text == null) {
            text = request.getHeaders().get("Last-Event-ID");
            field = "Last-Event-ID";
        }
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            long from = Long.parseLong(text.strip());
            if (from >= 0) {
                return from;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("expected a byte position (0 or more), got \"" + text + "\"", field);
    }

    /** A boolean parameter: absent is false; present empty, {@code true} or {@code 1} is true. */
    static boolean flag(String text, String field) throws BadRequest {
        if (text == null) {
            return false;
        }
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new BadRequest("expected true or false, got \"" + text + "\"", field);
        };
    }
}
