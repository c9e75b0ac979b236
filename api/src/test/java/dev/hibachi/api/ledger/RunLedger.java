package dev.hibachi.api.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hibachi.store.schedule.InvalidScheduleException;
import dev.hibachi.store.schedule.Schedule;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The run-ledger checker: reads a Hibachi (or Dkron-compatible) API and checks the promise of
 * {@code DESIGN.md} ("One run, end to end") for a set of jobs over a time window {@code [from, to)}:
 * <ul>
 *   <li>every instant of each job's schedule inside the window ran exactly once, as one <b>run</b> (an
 *       execution with that {@code scheduled_at} and {@code attempt} 1), or is covered by a span of the job's
 *       misses ({@code GET /v1/jobs/{name}/misses}) — never both;</li>
 *   <li>no instant ran twice: two different {@code group}s (run ids) with the same {@code scheduled_at} are
 *       a duplicate. Several targets of one run share a group, and retries share it too, so runs are
 *       counted by group, never by execution;</li>
 *   <li>no execution stays running: one whose {@code finished_at} is still Go's zero time when the settle
 *       time is over is reported stuck (manual runs included: "nothing stays running" has no exception);</li>
 *   <li>manual runs (a {@code scheduled_at} that is not an instant of the schedule) are otherwise ignored.</li>
 * </ul>
 *
 * <p>It reads only the public API ({@code GET /v1/jobs/{name}}, {@code .../executions},
 * {@code .../misses}), so it works against any base URL: an in-process agent, a packaged agent, a
 * cluster. It depends on no test framework; {@link Report#assertClean()} throws a plain
 * {@link AssertionError} carrying the readable report.
 *
 * <h2>The window</h2>
 * The window must lie inside a stretch of time during which each job existed, was enabled and kept the same
 * schedule and timezone — for example from the moment the {@code POST /v1/jobs} that created it answered,
 * to "now" (a {@code to} in the future waits out the settle time for instants that are not due yet).
 * Instants before the job existed would otherwise be counted as lost. Executions are read whole
 * (no paging), so the window must also fit in the executions each job keeps (100 by default).
 *
 * <h2>Expected instants</h2>
 * Computed with {@link Schedule#parse}{@code (schedule, name, zone)} and {@link Schedule#next}; the zone is
 * the job's {@code timezone}, or, when that is empty, the cluster's default zone, which the API does not
 * show: pass it with {@link #withDefaultZone} (default: this JVM's zone, as {@code AgentConfig.dev} uses).
 * {@code starts_at}/{@code expires_at}, when set, bound the instants that are expected (Dkron's meaning);
 * a scheduled run outside them is reported as unexpected.
 *
 * <p>{@code @every} is anchored to the replicated time at which its schedule was set, and that anchor is not
 * in the API. Its phase is therefore derived from what the API shows: the {@code scheduled_at} of the
 * executions and the ends of the miss spans. The phase shared by the most of them wins (a manual run has an
 * arbitrary phase, so it cannot outvote two scheduled runs; on a tie the earliest sample wins), and the
 * earliest sample in that phase fixes it. Every instant of that phase inside the window is then expected,
 * also the ones earlier than the earliest sample: since the window starts after the schedule was set, a
 * lost first instant is still caught. An {@code @every} job with no sample at all has an unknown phase; if
 * the window spans two intervals or more, it must have fired, so that is reported as an error.
 *
 * <h2>Settling</h2>
 * {@link #check} reads the API repeatedly (every {@code pollEvery}) until the report is clean or the settle
 * time is over, then answers the last report. So an instant that is due just before {@code to} has time to
 * appear, a run that is finishing has time to report, and an execution still running after the settle time
 * is stuck. Duplicates never go away; a report with some is answered at once.
 */
public final class RunLedger {
    private static final String GO_ZERO_TIME_PREFIX = "0001-01-01";
    private static final int MAX_EXPECTED_PER_JOB = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final ZoneId defaultZone;
    private final Duration settle;
    private final Duration pollEvery;
    private final Duration requestTimeout;
    private final Map<String, String> headers;

    private RunLedger(URI base, HttpClient http, ZoneId defaultZone, Duration settle, Duration pollEvery,
                      Duration requestTimeout, Map<String, String> headers) {
        this.base = base;
        this.http = http;
        this.defaultZone = defaultZone;
        this.settle = settle;
        this.pollEvery = pollEvery;
        this.requestTimeout = requestTimeout;
        this.headers = Map.copyOf(headers);
    }

    /**
     * A checker over the API at {@code base} (e.g. {@code http://127.0.0.1:8080}), with a settle time of 5 s,
     * this JVM's zone as the cluster's default zone, and no extra headers.
     */
    public static RunLedger over(URI base) {
        String s = base.toString();
        URI normalized = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return new RunLedger(normalized, client, ZoneId.systemDefault(), Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofSeconds(10), Map.of());
    }

    /** Shorthand: checks {@code jobs} over {@code [from, to)} at {@code base}, settling for up to {@code settle}. */
    public static Report check(URI base, Collection<String> jobs, Instant from, Instant to, Duration settle) {
        return over(base).withSettle(settle).check(jobs, from, to);
    }

    /** The cluster's default zone (what a job with {@code timezone: ""} runs in). */
    public RunLedger withDefaultZone(ZoneId zone) {
        return new RunLedger(base, http, zone, settle, pollEvery, requestTimeout, headers);
    }

    /**
     * How long to keep re-reading until the ledger is clean: the longest a running execution may take to
     * finish, and a due instant to show up, before it counts as stuck or lost. Zero reads once.
     */
    public RunLedger withSettle(Duration value) {
        return new RunLedger(base, http, defaultZone, value, pollEvery, requestTimeout, headers);
    }

    /** How often the API is re-read while settling (default 200 ms). */
    public RunLedger withPollEvery(Duration value) {
        return new RunLedger(base, http, defaultZone, settle, value, requestTimeout, headers);
    }

    /** A header sent with every request (for example an {@code Authorization} header). */
    public RunLedger withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new RunLedger(base, http, defaultZone, settle, pollEvery, requestTimeout, h);
    }

    /**
     * Checks {@code jobs} over {@code [from, to)}, re-reading the API until the ledger is clean or the settle
     * time is over (see the class comment), and answers the last report.
     */
    public Report check(Collection<String> jobs, Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("empty window: from " + from + " is not before to " + to);
        }
        List<String> names = List.copyOf(new LinkedHashSet<>(jobs));
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            Report report = readOnce(names, from, to);
            if (report.clean() || !report.duplicates().isEmpty() || !report.unexpected().isEmpty()
                    || System.nanoTime() - deadline >= 0) {
                return report;
            }
            try {
                // Pacing between reads of the API, not a wait for a condition: the loop checks the condition.
                Thread.sleep(Math.max(1, Math.min(pollEvery.toMillis(),
                        (deadline - System.nanoTime()) / 1_000_000 + 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return report;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // One reading of the API

    private Report readOnce(List<String> names, Instant from, Instant to) {
        Report.Builder report = new Report.Builder(from, to);
        for (String name : names) {
            try {
                checkJob(name, from, to, report);
            } catch (ApiException e) {
                report.errors.add(name + ": " + e.getMessage());
            }
        }
        return report.build();
    }

    private void checkJob(String name, Instant from, Instant to, Report.Builder report) throws ApiException {
        String path = "/v1/jobs/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        JsonNode job = get(path);
        List<Exec> executions = new ArrayList<>();
        for (JsonNode e : array(get(path + "/executions?output_size_limit=0"), "executions")) {
            executions.add(Exec.of(e));
        }
        List<Span> spans = new ArrayList<>();
        for (JsonNode m : array(get(path + "/misses"), "misses")) {
            spans.add(Span.of(m));
        }

        String spec = job.path("schedule").asText("");
        String tz = job.path("timezone").asText("");
        if (spec.isBlank()) {
            // A child job (parent_job) has no schedule of its own: it has no instants, only runs to settle.
            report.notes.add(name + ": no schedule (a child job?); only stuck executions are checked");
            spec = "@manually";
        }
        Schedule schedule;
        try {
            schedule = Schedule.parse(spec, name, tz.isEmpty() ? defaultZone : ZoneId.of(tz));
        } catch (InvalidScheduleException | DateTimeException e) {
            report.errors.add(name + ": cannot compute the instants of schedule \"" + spec + "\" (timezone \"" + tz
                    + "\"): " + e.getMessage());
            return;
        }
        boolean disabled = job.path("disabled").asBoolean(false);
        Instant startsAt = time(job.path("starts_at"));
        Instant expiresAt = time(job.path("expires_at"));

        // Which instants are the schedule's (and, for @every, in which phase).
        Instant anchor = null;
        if (schedule.kind() == Schedule.Kind.EVERY) {
            long interval = intervalSeconds(schedule);
            List<Instant> samples = new ArrayList<>();
            executions.stream().map(Exec::scheduledAt).filter(t -> t != null).forEach(samples::add);
            spans.forEach(s -> {
                samples.add(s.from());
                samples.add(s.to());
            });
            Optional<Instant> earliest = phaseOf(samples, interval);
            if (earliest.isPresent()) {
                // Step back to the last instant of that phase before the window, so the window's first
                // instant (next strictly after it) is expected as well.
                Instant e = earliest.get();
                long behind = Math.max(0, Duration.between(from, e).getSeconds() / interval + 1);
                anchor = e.minusSeconds((behind + 1) * interval);
                report.notes.add(name + ": @every phase derived from " + e + " (interval " + interval + " s)");
            } else {
                if (!disabled && Duration.between(from, to).getSeconds() >= 2 * interval) {
                    report.errors.add(name + ": no scheduled instant of this @every " + interval + " s job was seen"
                            + " in a window of " + Duration.between(from, to).toSeconds()
                            + " s; its instants were lost (or the window starts before the job existed)");
                } else {
                    report.notes.add(name + ": no scheduled instant seen yet; @every phase unknown, nothing to check");
                }
            }
        }
        final Instant phaseAnchor = anchor;
        boolean phaseKnown = schedule.kind() != Schedule.Kind.EVERY || anchor != null;

        // The instants the window expects.
        TreeSet<Instant> expected = new TreeSet<>();
        if (phaseKnown) {
            Instant at = next(schedule, from.minusNanos(1), phaseAnchor);
            while (at != null && at.isBefore(to)) {
                if (expected.size() >= MAX_EXPECTED_PER_JOB) {
                    report.errors.add(name + ": more than " + MAX_EXPECTED_PER_JOB + " instants in the window;"
                            + " narrow it");
                    return;
                }
                if (active(at, startsAt, expiresAt)) {
                    expected.add(at);
                }
                at = next(schedule, at, phaseAnchor);
            }
        }

        // The runs seen, by instant: group -> whether that group has an attempt 1.
        Map<Instant, Map<Long, Boolean>> runsAt = new TreeMap<>();
        int manual = 0;
        for (Exec e : executions) {
            boolean inWindow = e.scheduledAt() != null && !e.scheduledAt().isBefore(from) && e.scheduledAt().isBefore(to);
            if (!e.finished() && (inWindow || e.scheduledAt() == null)) {
                report.stuck.add(new Stuck(name, e.id(), e.group(), e.attempt(), e.scheduledAt(), e.startedAt(),
                        e.node()));
            }
            if (!inWindow) {
                continue;
            }
            if (!phaseKnown || !onSchedule(schedule, e.scheduledAt(), phaseAnchor)) {
                manual++;
                continue;
            }
            runsAt.computeIfAbsent(e.scheduledAt(), k -> new TreeMap<>())
                    .merge(e.group(), e.attempt() == 1, Boolean::logicalOr);
        }
        report.manualIgnored += manual;

        for (Instant at : expected) {
            report.expected.add(new Slot(name, at));
            Map<Long, Boolean> groups = runsAt.getOrDefault(at, Map.of());
            Span covering = spans.stream().filter(s -> s.covers(at)).findFirst().orElse(null);
            if (groups.size() > 1 || (!groups.isEmpty() && covering != null)) {
                report.duplicates.add(new Duplicate(name, at, new TreeSet<>(groups.keySet()),
                        covering == null ? null : covering.reason()));
            }
            Optional<Long> first = groups.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                    .findFirst();
            if (first.isPresent()) {
                report.ran.add(new Ran(name, at, first.get()));
            } else if (covering != null && groups.isEmpty()) {
                report.missed.add(new Slot(name, at));
            } else if (disabled) {
                report.notes.add(name + ": disabled; " + at + " not run (not counted as lost)");
            } else {
                report.lost.add(new Slot(name, at));
            }
        }
        for (var e : runsAt.entrySet()) {
            if (!expected.contains(e.getKey())) {
                for (Long g : e.getValue().keySet()) {
                    report.unexpected.add(new Ran(name, e.getKey(), g));
                }
            }
        }
    }

    /**
     * The earliest sample of the phase (instant modulo the interval) that most samples share; on a tie, the
     * phase with the earliest sample.
     */
    static Optional<Instant> phaseOf(List<Instant> samples, long intervalSeconds) {
        Map<List<Long>, List<Instant>> byPhase = new HashMap<>();
        for (Instant t : samples) {
            List<Long> phase = List.of(Math.floorMod(t.getEpochSecond(), intervalSeconds), (long) t.getNano());
            byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(t);
        }
        return byPhase.values().stream()
                .max(Comparator.<List<Instant>>comparingInt(List::size)
                        .thenComparing(l -> l.stream().min(Comparator.naturalOrder()).orElseThrow(),
                                Comparator.reverseOrder()))
                .flatMap(l -> l.stream().min(Comparator.naturalOrder()));
    }

    private static long intervalSeconds(Schedule schedule) {
        return Duration.between(Instant.EPOCH, schedule.next(Instant.EPOCH, Instant.EPOCH).orElseThrow())
                .getSeconds();
    }

    private static Instant next(Schedule schedule, Instant after, Instant anchor) {
        return schedule.next(after, anchor).orElse(null);
    }

    private static boolean onSchedule(Schedule schedule, Instant t, Instant anchor) {
        return t.equals(next(schedule, t.minusNanos(1), anchor));
    }

    private static boolean active(Instant at, Instant startsAt, Instant expiresAt) {
        return (startsAt == null || !at.isBefore(startsAt)) && (expiresAt == null || !at.isAfter(expiresAt));
    }

    private JsonNode get(String path) throws ApiException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                .header("Accept", "application/json").GET();
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException("GET " + path + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("GET " + path + " interrupted");
        }
        if (response.statusCode() != 200) {
            throw new ApiException("GET " + path + " answered " + response.statusCode() + ": "
                    + abbreviate(response.body()));
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ApiException("GET " + path + " answered invalid JSON: " + abbreviate(response.body()));
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String what) throws ApiException {
        if (node == null || !node.isArray()) {
            throw new ApiException("expected a JSON array of " + what + ", got " + abbreviate(String.valueOf(node)));
        }
        return node;
    }

    /** An RFC 3339 time; null for a missing value, JSON null, "" or Go's zero time. */
    static Instant time(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        String text = node.asText("");
        if (text.isEmpty() || text.startsWith(GO_ZERO_TIME_PREFIX)) {
            return null;
        }
        return OffsetDateTime.parse(text).toInstant();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    private static final class ApiException extends Exception {
        ApiException(String message) {
            super(message, null, false, false);
        }
    }

    private record Exec(String id, long group, int attempt, Instant scheduledAt, Instant startedAt,
                        Instant finishedAt, String node) {
        static Exec of(JsonNode e) throws ApiException {
            try {
                return new Exec(e.path("id").asText(""), e.path("group").asLong(), e.path("attempt").asInt(1),
                        time(e.path("scheduled_at")), time(e.path("started_at")), time(e.path("finished_at")),
                        e.path("node_name").asText(""));
            } catch (DateTimeException ex) {
                throw new ApiException("an execution has a time that is not RFC 3339: " + ex.getMessage() + " in "
                        + abbreviate(e.toString()));
            }
        }

        boolean finished() {
            return finishedAt != null;
        }
    }

    private record Span(Instant from, Instant to, long count, String reason) {
        static Span of(JsonNode m) throws ApiException {
            try {
                Instant f = time(m.path("from"));
                Instant t = time(m.path("to"));
                if (f == null || t == null) {
                    throw new ApiException("a miss span without from/to: " + abbreviate(m.toString()));
                }
                return new Span(f, t, m.path("count").asLong(), m.path("reason").asText(""));
            } catch (DateTimeException ex) {
                throw new ApiException("a miss span has a time that is not RFC 3339: " + abbreviate(m.toString()));
            }
        }

        boolean covers(Instant at) {
            return !at.isBefore(from) && !at.isAfter(to);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The report

    /** One instant of one job. */
    public record Slot(String job, Instant at) {
        @Override
        public String toString() {
            return job + " @ " + at;
        }
    }

    /** A scheduled run: one group (run id) at one instant of one job. */
    public record Ran(String job, Instant at, long group) {
        @Override
        public String toString() {
            return job + " @ " + at + " group " + group;
        }
    }

    /** An instant run by several groups, or run and also recorded missed ({@code missReason} not null). */
    public record Duplicate(String job, Instant at, Set<Long> groups, String missReason) {
        @Override
        public String toString() {
            return job + " @ " + at + " groups " + groups + (missReason == null ? "" : " and missed (" + missReason + ")");
        }
    }

    /** An execution still running (Go zero {@code finished_at}) when the settle time was over. */
    public record Stuck(String job, String executionId, long group, int attempt, Instant scheduledAt,
                        Instant startedAt, String node) {
        @Override
        public String toString() {
            return job + " execution " + executionId + " (group " + group + ", attempt " + attempt + ", scheduled "
                    + scheduledAt + ", started " + startedAt + ", node " + node + ")";
        }
    }

    /**
     * What one check found. {@code expected} are the schedule's instants in the window; each of them is in
     * exactly one of {@code ran}, {@code missed} and {@code lost} (or is only noted, for a disabled job);
     * {@code duplicates}, {@code lost}, {@code stuck}, {@code unexpected} and {@code errors} make it unclean.
     */
    public record Report(Instant from, Instant to, List<Slot> expected, List<Ran> ran, List<Slot> missed,
                         List<Duplicate> duplicates, List<Slot> lost, List<Stuck> stuck, List<Ran> unexpected,
                         int manualIgnored, List<String> errors, List<String> notes) {
        private static final int SHOWN = 20;

        /** True if nothing is duplicated, lost, stuck or unexpected, and every job could be read. */
        public boolean clean() {
            return duplicates.isEmpty() && lost.isEmpty() && stuck.isEmpty() && unexpected.isEmpty()
                    && errors.isEmpty();
        }

        /** Throws an {@link AssertionError} with this report unless it is {@link #clean()}. */
        public Report assertClean() {
            if (!clean()) {
                throw new AssertionError("the run ledger is not clean:\n" + this);
            }
            return this;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("run ledger [").append(from).append(", ").append(to).append("): ")
                    .append(clean() ? "CLEAN" : "NOT CLEAN").append('\n')
                    .append("  expected ").append(expected.size()).append(", ran ").append(ran.size())
                    .append(", missed ").append(missed.size()).append(", duplicates ").append(duplicates.size())
                    .append(", lost ").append(lost.size()).append(", stuck ").append(stuck.size())
                    .append(", unexpected ").append(unexpected.size()).append(", manual runs ignored ")
                    .append(manualIgnored).append(", errors ").append(errors.size()).append('\n');
            Map<String, int[]> perJob = new TreeMap<>();
            expected.forEach(s -> perJob.computeIfAbsent(s.job(), k -> new int[4])[0]++);
            ran.forEach(s -> perJob.computeIfAbsent(s.job(), k -> new int[4])[1]++);
            missed.forEach(s -> perJob.computeIfAbsent(s.job(), k -> new int[4])[2]++);
            lost.forEach(s -> perJob.computeIfAbsent(s.job(), k -> new int[4])[3]++);
            perJob.forEach((job, n) -> b.append("  ").append(job).append(": expected ").append(n[0])
                    .append(", ran ").append(n[1]).append(", missed ").append(n[2]).append(", lost ").append(n[3])
                    .append('\n'));
            section(b, "errors", errors);
            section(b, "duplicates", duplicates);
            section(b, "lost", lost);
            section(b, "stuck", stuck);
            section(b, "unexpected (scheduled runs outside the job's starts_at/expires_at)", unexpected);
            section(b, "missed (covered by a miss span)", missed);
            section(b, "notes", notes);
            return b.toString();
        }

        private static void section(StringBuilder b, String title, List<?> items) {
            if (items.isEmpty()) {
                return;
            }
            b.append("  ").append(title).append(":\n");
            items.stream().limit(SHOWN).forEach(i -> b.append("    ").append(i).append('\n'));
            if (items.size() > SHOWN) {
                b.append("    … and ").append(items.size() - SHOWN).append(" more\n");
            }
        }

        private static final class Builder {
            private final Instant from;
            private final Instant to;
            private final List<Slot> expected = new ArrayList<>();
            private final List<Ran> ran = new ArrayList<>();
            private final List<Slot> missed = new ArrayList<>();
            private final List<Duplicate> duplicates = new ArrayList<>();
            private final List<Slot> lost = new ArrayList<>();
            private final List<Stuck> stuck = new ArrayList<>();
            private final List<Ran> unexpected = new ArrayList<>();
            private final List<String> errors = new ArrayList<>();
            private final List<String> notes = new ArrayList<>();
            private int manualIgnored;

            Builder(Instant from, Instant to) {
                this.from = from;
                this.to = to;
            }

            Report build() {
                return new Report(from, to, List.copyOf(expected), List.copyOf(ran), List.copyOf(missed),
                        List.copyOf(duplicates), List.copyOf(lost), List.copyOf(stuck), List.copyOf(unexpected),
                        manualIgnored, List.copyOf(errors), List.copyOf(notes));
            }
        }
    }
}
