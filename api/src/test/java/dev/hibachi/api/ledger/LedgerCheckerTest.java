package dev.hibachi.api.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checker fails when it should: against a fake API (a tiny HTTP server serving hand-made jobs, executions
 * and misses) it reports duplicates, lost instants and stuck executions, and passes a clean ledger.
 */
class LedgerCheckerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant TO = FROM.plusSeconds(10);
    private static final String ZERO = "0001-01-01T00:00:00Z";

    /** One fake job: its definition, executions and misses, as the API shows them. */
    static final class FakeJob {
        final ObjectNode job = JSON.createObjectNode();
        final ArrayNode executions = JSON.createArrayNode();
        final ArrayNode misses = JSON.createArrayNode();
        final AtomicLong groups = new AtomicLong(1000);

        FakeJob(String name, String schedule, String timezone) {
            job.put("name", name).put("schedule", schedule).put("timezone", timezone).put("disabled", false)
                    .put("next", ZERO).putNull("starts_at").putNull("expires_at");
        }

        /** A finished, successful run of {@code at} with a fresh group; answers the group. */
        synchronized long run(Instant at) {
            long group = groups.incrementAndGet();
            execution(at, group, 1, "node-a", at.plusMillis(5), at.plusMillis(50));
            return group;
        }

        synchronized FakeJob execution(Instant scheduled, long group, int attempt, String node, Instant started,
                                       Instant finished) {
            String name = job.path("name").asText();
            ObjectNode e = executions.insertObject(0);
            e.put("id", group + "-" + attempt + "-" + node).put("job_name", name)
                    .put("started_at", started.toString())
                    .put("finished_at", finished == null ? ZERO : finished.toString())
                    .put("success", finished != null).put("output", "").put("node_name", node).put("group", group)
                    .put("attempt", attempt).put("scheduled_at", scheduled.toString())
                    .put("status", finished == null ? "running" : "success");
            return this;
        }

        synchronized FakeJob miss(Instant from, Instant to, long count) {
            misses.addObject().put("job_name", job.path("name").asText()).put("from", from.toString())
                    .put("to", to.toString()).put("count", count).put("reason", "not planned in time")
                    .put("recorded_at", to.plusSeconds(60).toString());
            return this;
        }
    }

    HttpServer server;
    URI base;
    final Map<String, FakeJob> jobs = new ConcurrentHashMap<>();
    final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startFakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/jobs/", this::serve);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopFakeApi() {
        later.shutdownNow();
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring("/v1/jobs/".length());
        String[] parts = path.split("/");
        FakeJob job = jobs.get(parts[0]);
        int status = 200;
        Object body;
        if (job == null) {
            status = 404;
            body = Map.of("error", "job not found: " + parts[0]);
        } else {
            synchronized (job) {
                body = parts.length == 1 ? job.job.deepCopy()
                        : parts[1].equals("executions") ? job.executions.deepCopy()
                        : parts[1].equals("misses") ? job.misses.deepCopy() : null;
            }
            if (body == null) {
                status = 404;
                body = Map.of("error", "no route");
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private FakeJob everySecondCron(String name) {
        FakeJob j = new FakeJob(name, "* * * * * *", "UTC");
        jobs.put(name, j);
        return j;
    }

    private RunLedger ledger() {
        return RunLedger.over(base).withSettle(Duration.ZERO);
    }

    @Test
    void aCleanLedgerPasses_manualRunsAndSeveralTargetsOfOneRunAreNotDuplicates() {
        FakeJob j = everySecondCron("clean");
        for (int s = 0; s < 10; s++) {
            long group = j.run(FROM.plusSeconds(s));
            if (s == 3) { // a second target of the same run, and a retry of it
                j.execution(FROM.plusSeconds(s), group, 1, "node-b", FROM.plusSeconds(s), FROM.plusSeconds(s + 1));
                j.execution(FROM.plusSeconds(s), group, 2, "node-a", FROM.plusSeconds(s), FROM.plusSeconds(s + 1));
            }
        }
        j.execution(FROM.plusMillis(4321), 77, 1, "node-a", FROM.plusMillis(4321), FROM.plusSeconds(5)); // manual
        j.run(FROM.minusSeconds(1)); // before the window
        j.run(TO); // the window is half-open

        RunLedger.Report report = ledger().check(List.of("clean"), FROM, TO).assertClean();
        assertThat(report.expected()).hasSize(10);
        assertThat(report.ran()).hasSize(10);
        assertThat(report.manualIgnored()).isEqualTo(1);
        assertThat(report.toString()).contains("CLEAN", "expected 10, ran 10");
    }

    @Test
    void aDuplicateInstantIsReported() {
        FakeJob j = everySecondCron("dup");
        for (int s = 0; s < 10; s++) {
            j.run(FROM.plusSeconds(s));
        }
        long second = j.run(FROM.plusSeconds(6));

        RunLedger.Report report = ledger().check(List.of("dup"), FROM, TO);
        assertThat(report.clean()).isFalse();
        assertThat(report.duplicates()).singleElement().satisfies(d -> {
            assertThat(d.at()).isEqualTo(FROM.plusSeconds(6));
            assertThat(d.groups()).hasSize(2).contains(second);
        });
        assertThat(report.lost()).isEmpty();
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("duplicates 1").hasMessageContaining(FROM.plusSeconds(6).toString());
    }

    @Test
    void aMissingInstantIsReportedLost_unlessAMissSpanCoversIt() {
        FakeJob j = everySecondCron("gap");
        for (int s = 0; s < 10; s++) {
            if (s != 2 && s != 7 && s != 8) {
                j.run(FROM.plusSeconds(s));
            }
        }
        j.miss(FROM.plusSeconds(7), FROM.plusSeconds(8), 2);

        RunLedger.Report report = ledger().check(List.of("gap"), FROM, TO);
        assertThat(report.lost()).containsExactly(new RunLedger.Slot("gap", FROM.plusSeconds(2)));
        assertThat(report.missed()).containsExactly(new RunLedger.Slot("gap", FROM.plusSeconds(7)),
                new RunLedger.Slot("gap", FROM.plusSeconds(8)));
        assertThat(report.duplicates()).isEmpty();
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost 1").hasMessageContaining("gap @ " + FROM.plusSeconds(2));
    }

    @Test
    void anInstantThatRanAndIsAlsoRecordedMissedIsADuplicate() {
        FakeJob j = everySecondCron("both");
        for (int s = 0; s < 10; s++) {
            j.run(FROM.plusSeconds(s));
        }
        j.miss(FROM.plusSeconds(4), FROM.plusSeconds(4), 1);

        RunLedger.Report report = ledger().check(List.of("both"), FROM, TO);
        assertThat(report.duplicates()).singleElement().satisfies(d -> {
            assertThat(d.at()).isEqualTo(FROM.plusSeconds(4));
            assertThat(d.missReason()).isNotNull();
        });
    }

    @Test
    void anExecutionStillRunningAfterTheSettleTimeIsStuck() {
        FakeJob j = everySecondCron("stuck");
        for (int s = 0; s < 10; s++) {
            if (s == 5) {
                j.execution(FROM.plusSeconds(s), 555, 1, "node-a", FROM.plusSeconds(s), null);
            } else {
                j.run(FROM.plusSeconds(s));
            }
        }
        // A field left out entirely counts as "not finished" too.
        j.executions.insertObject(0).put("id", "999-1-node-a").put("job_name", "stuck").put("group", 999)
                .put("attempt", 1).put("started_at", FROM.plusMillis(7500).toString())
                .put("scheduled_at", FROM.plusMillis(7500).toString()).put("status", "running");

        long t0 = System.nanoTime();
        RunLedger.Report report = ledger().withSettle(Duration.ofMillis(600)).withPollEvery(Duration.ofMillis(100))
                .check(List.of("stuck"), FROM, TO);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("it waited for the settle time")
                .isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(report.stuck()).extracting(RunLedger.Stuck::executionId)
                .containsExactlyInAnyOrder("555-1-node-a", "999-1-node-a");
        assertThat(report.ran()).hasSize(10);
        assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("stuck 2").hasMessageContaining("555-1-node-a");
    }

    @Test
    void settlingWaitsForARunThatFinishesAndAnInstantThatShowsUpLate() {
        FakeJob j = everySecondCron("late");
        for (int s = 0; s < 8; s++) {
            j.run(FROM.plusSeconds(s));
        }
        Instant last = FROM.plusSeconds(9);
        j.execution(last, 4242, 1, "node-a", last, null);
        later.schedule(() -> {
            synchronized (j) {
                j.executions.remove(0);
            }
            j.execution(last, 4242, 1, "node-a", last, last.plusSeconds(1));
        }, 300, TimeUnit.MILLISECONDS);
        later.schedule(() -> j.run(FROM.plusSeconds(8)), 500, TimeUnit.MILLISECONDS);

        assertThat(ledger().check(List.of("late"), FROM, TO).lost()).as("read once, without settling")
                .containsExactly(new RunLedger.Slot("late", FROM.plusSeconds(8)));
        RunLedger.Report report = ledger().withSettle(Duration.ofSeconds(5)).withPollEvery(Duration.ofMillis(50))
                .check(List.of("late"), FROM, TO).assertClean();
        assertThat(report.ran()).hasSize(10);
    }

    @Test
    void everyJobsArePhasedFromTheirRuns_andALostFirstInstantIsCaught() {
        // @every 2s set at an instant with a fraction: runs at ...00.123456789 + 2k s.
        FakeJob j = new FakeJob("every", "@every 2s", "");
        jobs.put("every", j);
        Instant phase = FROM.plusNanos(123_456_789);
        for (int k = 1; k < 5; k++) { // k = 0 (the first instant in the window) is lost
            j.run(phase.plusSeconds(2L * k));
        }
        j.execution(FROM.plusMillis(3333), 31, 1, "node-a", FROM.plusMillis(3333), FROM.plusSeconds(4)); // manual

        RunLedger.Report report = ledger().check(List.of("every"), FROM, TO);
        assertThat(report.expected()).extracting(RunLedger.Slot::at)
                .containsExactly(phase, phase.plusSeconds(2), phase.plusSeconds(4), phase.plusSeconds(6),
                        phase.plusSeconds(8));
        assertThat(report.lost()).containsExactly(new RunLedger.Slot("every", phase));
        assertThat(report.manualIgnored()).isEqualTo(1);
    }

    @Test
    void anEveryJobWithNoRunInALongWindowIsAnError() {
        jobs.put("silent", new FakeJob("silent", "@every 2s", "UTC"));
        RunLedger.Report report = ledger().check(List.of("silent"), FROM, TO);
        assertThat(report.errors()).singleElement().asString().contains("silent", "no scheduled instant");
        assertThat(report.clean()).isFalse();
    }

    @Test
    void aJobTheApiDoesNotKnowIsAnError() {
        RunLedger.Report report = ledger().check(List.of("ghost"), FROM, TO);
        assertThat(report.errors()).singleElement().asString().contains("ghost", "404");
        assertThatThrownBy(report::assertClean).hasMessageContaining("ghost");
    }

    @Test
    void theJobsTimezoneDecidesTheCronInstants() {
        // 02:30 every day in Berlin (UTC+1 in January) is 01:30 UTC.
        FakeJob j = new FakeJob("berlin", "0 30 2 * * *", "Europe/Berlin");
        jobs.put("berlin", j);
        Instant from = Instant.parse("2030-01-01T00:00:00Z");
        Instant to = from.plus(Duration.ofDays(3));
        for (int d = 0; d < 3; d++) {
            j.run(Instant.parse("2030-01-01T01:30:00Z").plus(Duration.ofDays(d)));
        }
        RunLedger.Report report = ledger().check(List.of("berlin"), from, to).assertClean();
        assertThat(report.ran()).hasSize(3);
    }
}
