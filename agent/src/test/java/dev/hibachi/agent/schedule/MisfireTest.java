package dev.hibachi.agent.schedule;

import dev.hibachi.store.StoreTestSupport;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.MissedSpan;
import dev.hibachi.store.schedule.Schedule;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The misfire rules (DESIGN.md, "Time"): instants younger than the misfire grace (60 s) each run late, once;
 * older ones follow the job's policy (run_once runs the newest; run_all is capped at 100; skip); what does
 * not run is one missed span that covers exactly those instants.
 */
class MisfireTest {
    private static final Instant ANCHOR = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration GRACE = Scheduler.Settings.defaults().misfireGrace();
    private static final Duration AHEAD = Scheduler.Settings.defaults().planAhead();

    private final Scheduler scheduler = new Scheduler(new FireIndex(r -> { }), null, null, null, null,
            Clock.fixed(ANCHOR, ZoneOffset.UTC), Scheduler.Settings.defaults());

    private static Schedule parse(String spec) throws Exception {
        return Schedule.parse(spec, "job", ZoneOffset.UTC);
    }

    private static Instant at(long secondsAfterAnchor) {
        return ANCHOR.plusSeconds(secondsAfterAnchor);
    }

    private Scheduler.Instants plan(Schedule s, Instant first, Instant now, MisfirePolicy policy) {
        return scheduler.instantsToPlan("job", first, s, ANCHOR, now, now.plus(AHEAD), policy, GRACE);
    }

    /** Every instant of the schedule from {@code first} to {@code to}, inclusive. */
    private static List<Instant> instants(Schedule s, Instant first, Instant to) {
        List<Instant> out = new ArrayList<>();
        for (Instant i = first; i != null && !i.isAfter(to); i = s.next(i, ANCHOR).orElse(null)) {
            out.add(i);
        }
        return out;
    }

    /** The run list and the missed span partition every instant from first to the horizon, without overlap. */
    private static void assertPartition(Schedule s, Instant first, Instant horizon, Scheduler.Instants planned) {
        List<Instant> all = instants(s, first, horizon);
        assertThat(planned.run()).doesNotHaveDuplicates().isSorted();
        Set<Instant> notRun = new HashSet<>(all);
        planned.run().forEach(notRun::remove);
        if (notRun.isEmpty()) {
            assertThat(planned.missed()).isNull();
        } else {
            MissedSpan m = planned.missed();
            assertThat(m).isNotNull();
            List<Instant> covered = instants(s, m.from(), m.to());
            assertThat(m.from()).isEqualTo(notRun.stream().min(Instant::compareTo).orElseThrow());
            assertThat(m.to()).isEqualTo(notRun.stream().max(Instant::compareTo).orElseThrow());
            assertThat(m.count()).isEqualTo(notRun.size()).isEqualTo(covered.size());
            assertThat(new HashSet<>(covered)).isEqualTo(notRun);
        }
        Set<Instant> union = new HashSet<>(planned.run());
        union.addAll(notRun);
        assertThat(union).isEqualTo(new HashSet<>(all));
    }

    @Test
    void gapShorterThanTheGraceRunsEveryMissedInstantLateOnce() throws Exception {
        Schedule every10s = parse("@every 10s");
        // Planned through +100 s; the leader came back at +140.5 s: +110, +120, +130 are late, +140 just due.
        Instant first = at(110);
        Instant now = at(140).plusMillis(500);
        for (MisfirePolicy policy : MisfirePolicy.values()) {
            Scheduler.Instants planned = plan(every10s, first, now, policy);
            assertThat(planned.run()).as(policy.name())
                    .containsExactly(at(110), at(120), at(130), at(140));
            assertThat(planned.missed()).as(policy.name()).isNull();
        }
    }

    @Test
    void gapShorterThanTheGraceOnACronSchedule() throws Exception {
        Schedule everyMinute = parse("0 * * * * *");
        // Last planned 12:00; back at 12:01:30 (one instant, 30 s late); horizon 12:01:31.
        Instant now = Instant.parse("2026-03-01T12:01:30Z");
        Scheduler.Instants planned = plan(everyMinute, Instant.parse("2026-03-01T12:01:00Z"), now,
                MisfirePolicy.SKIP);
        assertThat(planned.run()).containsExactly(Instant.parse("2026-03-01T12:01:00Z"));
        assertThat(planned.missed()).isNull();
    }

    @Test
    void instantExactlyAtTheGraceEdgeIsYoung() throws Exception {
        Schedule every10s = parse("@every 10s");
        Instant now = at(70); // grace starts at +10 s exactly
        Scheduler.Instants planned = plan(every10s, at(10), now, MisfirePolicy.SKIP);
        assertThat(planned.run()).containsExactly(at(10), at(20), at(30), at(40), at(50), at(60), at(70));
        assertThat(planned.missed()).isNull();
    }

    @Test
    void runOnceWithOnlyOldInstantsRunsTheNewestAndRecordsTheRest() throws Exception {
        Schedule every5min = parse("0 */5 * * * *");
        // Down from 12:00 to 12:23: 12:00 .. 12:20 are older than the grace, nothing younger is due.
        Instant first = Instant.parse("2026-03-01T12:00:00Z");
        Instant now = Instant.parse("2026-03-01T12:23:00Z");
        Scheduler.Instants planned = plan(every5min, first, now, MisfirePolicy.RUN_ONCE);

        assertThat(planned.run()).containsExactly(Instant.parse("2026-03-01T12:20:00Z"));
        MissedSpan m = planned.missed();
        assertThat(m.jobName()).isEqualTo("job");
        assertThat(m.from()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(m.to()).isEqualTo(Instant.parse("2026-03-01T12:15:00Z"));
        assertThat(m.count()).isEqualTo(4);
        assertThat(m.recordedAt()).isEqualTo(now);
        assertThat(m.reason()).contains("run_once");
        assertPartition(every5min, first, now.plus(AHEAD), planned);
    }

    @Test
    void twoMinuteOutageRunsEveryYoungInstantAndRecordsWhatDoesNotRun() throws Exception {
        Schedule every10s = parse("@every 10s");
        // Planned through +100 s, back at +230.5 s: grace starts at +170.5 s.
        Instant first = at(110);
        Instant now = at(230).plusMillis(500);
        List<Instant> young = List.of(at(180), at(190), at(200), at(210), at(220), at(230));
        List<Instant> old = List.of(at(110), at(120), at(130), at(140), at(150), at(160), at(170));

        for (MisfirePolicy policy : MisfirePolicy.values()) {
            Scheduler.Instants planned = plan(every10s, first, now, policy);
            // Every young instant runs, once, and the run list ends with them.
            assertThat(planned.run()).as(policy.name()).endsWith(young.toArray(Instant[]::new));
            assertThat(planned.run()).as(policy.name()).containsAll(young);
            // Of the old ones, run_all runs all seven (under the cap), skip none, run_once at most the newest.
            List<Instant> oldRun = planned.run().stream().filter(old::contains).toList();
            switch (policy) {
                case RUN_ALL -> assertThat(oldRun).isEqualTo(old);
                case SKIP -> assertThat(oldRun).isEmpty();
                case RUN_ONCE -> assertThat(oldRun).isSubsetOf(at(170));
            }
            assertPartition(every10s, first, now.plus(AHEAD), planned);
        }
    }

    @Test
    void twoMinuteOutageWithRunOnceRunsTheNewestOldInstantPlusTheYoungOnes() throws Exception {
        Schedule every10s = parse("@every 10s");
        Instant first = at(110);
        Instant now = at(230).plusMillis(500);
        Scheduler.Instants planned = plan(every10s, first, now, MisfirePolicy.RUN_ONCE);

        assertThat(planned.run()).containsExactly(at(170), at(180), at(190), at(200), at(210), at(220), at(230));
        assertThat(planned.missed().from()).isEqualTo(at(110));
        assertThat(planned.missed().to()).isEqualTo(at(160));
        assertThat(planned.missed().count()).isEqualTo(6);
        assertPartition(every10s, first, now.plus(AHEAD), planned);
    }

    @Test
    void skipRecordsEveryOldInstant() throws Exception {
        Schedule every10s = parse("@every 10s");
        Instant first = at(110);
        Instant now = at(230).plusMillis(500);
        Scheduler.Instants planned = plan(every10s, first, now, MisfirePolicy.SKIP);

        assertThat(planned.run()).containsExactly(at(180), at(190), at(200), at(210), at(220), at(230));
        assertThat(planned.missed().from()).isEqualTo(at(110));
        assertThat(planned.missed().to()).isEqualTo(at(170));
        assertThat(planned.missed().count()).isEqualTo(7);
        assertThat(planned.missed().reason()).contains("skip");
    }

    @Test
    void skipOnACronScheduleAfterAnHourDown() throws Exception {
        Schedule everyMinute = parse("0 * * * * *");
        Instant first = Instant.parse("2026-03-01T12:01:00Z");
        Instant now = Instant.parse("2026-03-01T13:01:30Z");
        Scheduler.Instants planned = plan(everyMinute, first, now, MisfirePolicy.SKIP);
        // 13:01:00 is 30 s old: it runs; 12:01 .. 13:00 (60 instants) are older than the grace.
        assertThat(planned.run()).containsExactly(Instant.parse("2026-03-01T13:01:00Z"));
        assertThat(planned.missed().from()).isEqualTo(first);
        assertThat(planned.missed().to()).isEqualTo(Instant.parse("2026-03-01T13:00:00Z"));
        assertThat(planned.missed().count()).isEqualTo(60);
        assertPartition(everyMinute, first, now.plus(AHEAD), planned);
    }

    @Test
    void runAllOverFiveHundredOldInstantsRunsTheNewestHundredAndRecordsFourHundred() throws Exception {
        Schedule every10s = parse("@every 10s");
        // 500 old instants: +10 s .. +5000 s; back at +5060.5 s, so +5010 .. +5060 are young.
        Instant first = at(10);
        Instant now = at(5060).plusMillis(500);
        Scheduler.Instants planned = plan(every10s, first, now, MisfirePolicy.RUN_ALL);

        List<Instant> expectedRun = new ArrayList<>();
        for (long k = 401; k <= 500; k++) {
            expectedRun.add(at(10 * k));
        }
        for (long k = 501; k <= 506; k++) {
            expectedRun.add(at(10 * k));
        }
        assertThat(MisfirePolicy.RUN_ALL_CAP).isEqualTo(100);
        assertThat(planned.run()).isEqualTo(expectedRun);
        MissedSpan m = planned.missed();
        assertThat(m.from()).isEqualTo(at(10));
        assertThat(m.to()).isEqualTo(at(4000));
        assertThat(m.count()).isEqualTo(400);
        assertThat(m.reason()).contains("run_all");
        assertPartition(every10s, first, now.plus(AHEAD), planned);
    }

    @Test
    void runAllWithExactlyTheCapRecordsNothing() throws Exception {
        Schedule every5min = parse("0 */5 * * * *");
        Instant first = Instant.parse("2026-03-01T00:00:00Z");
        // 100 old instants: 00:00 .. 08:15; back at 08:18.
        Instant now = Instant.parse("2026-03-01T08:18:00Z");
        Scheduler.Instants planned = plan(every5min, first, now, MisfirePolicy.RUN_ALL);
        assertThat(planned.run()).hasSize(100).startsWith(first).endsWith(Instant.parse("2026-03-01T08:15:00Z"));
        assertThat(planned.missed()).isNull();
    }

    @Test
    void longOutageOfAFastJobTerminates() throws Exception {
        Schedule every1s = parse("@every 1s");
        // 200,100 old instants; the newest old one (+200100 s) is 0.5 ms before the start of the grace.
        Instant now = at(200_100).plus(GRACE).plusNanos(500_000);
        Scheduler.Instants planned = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> plan(every1s, at(1), now, MisfirePolicy.SKIP));
        assertThat(planned.missed()).isNotNull();
        assertThat(planned.run()).isNotEmpty();
    }

    @Test
    void longOutageOfAFastJobRecordsTheWholeSpanAndRunsTheNewest() throws Exception {
        Schedule every1s = parse("@every 1s");
        // 250,000 old instants (+1 s .. +250000 s), whole seconds, so the jump itself terminates.
        Instant now = at(250_000).plus(GRACE).plusMillis(500);
        Scheduler.Instants planned = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> plan(every1s, at(1), now, MisfirePolicy.RUN_ALL));
        // The newest 100 old instants run, then the young ones.
        assertThat(planned.run()).startsWith(at(249_901)).contains(at(250_000));
        assertThat(planned.missed().from()).isEqualTo(at(1));
        assertThat(planned.missed().to()).isEqualTo(at(249_900));
    }

    @Test
    void aJobsOwnPolicyAndGraceDecideAndAfterRunsOnlyWithinItsOwnGrace() throws Exception {
        Schedule every10s = parse("@every 10s");
        Job plain = Job.of("job", "@every 10s", "shell", java.util.Map.of("command", "true"));
        Job runAll = StoreTestSupport.with(plain, java.util.Map.of("misfire", "run_all", "misfire_grace", "5m"));
        assertThat(Scheduler.policyFor(plain, every10s)).isEqualTo(MisfirePolicy.RUN_ONCE);
        assertThat(scheduler.graceFor(plain, every10s)).isEqualTo(GRACE);
        assertThat(Scheduler.policyFor(runAll, every10s)).isEqualTo(MisfirePolicy.RUN_ALL);
        assertThat(scheduler.graceFor(runAll, every10s)).isEqualTo(Duration.ofMinutes(5));

        Instant date = at(0);
        Schedule after = parse("@after " + date + " <PT30S");
        Job afterJob = Job.of("job", after.spec(), "shell", java.util.Map.of("command", "true"));
        assertThat(Scheduler.policyFor(afterJob, after)).isEqualTo(MisfirePolicy.SKIP);
        assertThat(scheduler.graceFor(afterJob, after)).isEqualTo(Duration.ofSeconds(30));
        Scheduler.Instants within = scheduler.instantsToPlan("job", date, after, ANCHOR, at(20), at(21),
                MisfirePolicy.SKIP, Duration.ofSeconds(30));
        assertThat(within.run()).containsExactly(date);
        Scheduler.Instants beyond = scheduler.instantsToPlan("job", date, after, ANCHOR, at(40), at(41),
                MisfirePolicy.SKIP, Duration.ofSeconds(30));
        assertThat(beyond.run()).isEmpty();
        assertThat(beyond.missed().count()).isEqualTo(1);
        assertThat(beyond.missed().reason()).contains("30s").contains("skip");
    }
}
