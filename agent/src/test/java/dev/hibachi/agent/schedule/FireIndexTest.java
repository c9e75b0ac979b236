package dev.hibachi.agent.schedule;

import dev.hibachi.store.event.StoreEvent;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's timer: ordered next instants, advanced ahead of the log, never moved back by older entries. */
class FireIndexTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private static Job job(String name, Instant next) {
        return Job.of(name, "@every 10s", "shell", Map.of("command", "true")).withNext(next);
    }

    private static JobClock clock(Instant lastPlanned, long revision) {
        return new JobClock(T0, lastPlanned, revision);
    }

    private static List<String> names(List<FireIndex.Entry> entries) {
        return entries.stream().map(FireIndex.Entry::job).toList();
    }

    @Test
    void dueListsJobsAtOrBeforeTheHorizonEarliestFirst() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("c", t(30)), clock(T0, 1));
        index.update(job("a", t(10)), clock(T0, 2));
        index.update(job("b", t(20)), clock(T0, 3));
        index.update(job("d", t(20)), clock(T0, 4));
        index.update(job("off", null), clock(T0, 5)); // disabled or finished: no next instant

        assertThat(index.size()).isEqualTo(5);
        assertThat(index.earliest()).contains(t(10));
        assertThat(names(index.due(t(9), 100))).isEmpty();
        assertThat(names(index.due(t(10), 100))).containsExactly("a");
        assertThat(names(index.due(t(20), 100))).containsExactly("a", "b", "d");
        assertThat(names(index.due(t(1000), 100))).containsExactly("a", "b", "d", "c");
        assertThat(names(index.due(t(1000), 2))).containsExactly("a", "b");
        assertThat(index.due(t(10), 100).get(0)).isEqualTo(new FireIndex.Entry("a", t(10), 2, T0));
    }

    @Test
    void advanceMovesTheJobAndAnOlderAppliedEntryDoesNotMoveItBack() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("a", t(10)), clock(T0, 7));

        // The leader proposed +10 and +20 in one entry; the job now waits for +30.
        index.advance("a", t(20), t(30));
        assertThat(index.entry("a")).contains(new FireIndex.Entry("a", t(30), 7, t(20)));
        assertThat(index.earliest()).contains(t(30));

        // The entry applies: first the run at +10 (older than what was proposed) — ignored.
        index.update(job("a", t(20)), clock(t(10), 7));
        assertThat(index.entry("a").orElseThrow().next()).isEqualTo(t(30));
        assertThat(names(index.due(t(25), 10))).isEmpty();

        // Then the run at +20: caught up with the proposal; the store's next stands.
        index.update(job("a", t(30)), clock(t(20), 7));
        assertThat(index.entry("a")).contains(new FireIndex.Entry("a", t(30), 7, t(20)));
        assertThat(names(index.due(t(30), 10))).containsExactly("a");
    }

    @Test
    void applyingTheProposalItselfKeepsTheIndexConsistent() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("a", t(10)), clock(T0, 7));
        index.advance("a", t(10), t(20));
        // A later plan applied (e.g. from another leader) moves the job forward.
        index.update(job("a", t(60)), clock(t(50), 7));
        assertThat(index.entry("a").orElseThrow().next()).isEqualTo(t(60));
        assertThat(index.earliest()).contains(t(60));
        assertThat(names(index.due(t(59), 10))).isEmpty();
    }

    @Test
    void aNewRevisionMovesTheJobEvenBehindWhatWasProposed() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("a", t(10)), clock(T0, 7));
        index.advance("a", t(100), t(110));

        // The job was edited (new revision, applied after the proposal): its schedule restarts from the store.
        index.update(job("a", t(15)), clock(t(5), 9));
        assertThat(index.entry("a")).contains(new FireIndex.Entry("a", t(15), 9, t(5)));
        assertThat(names(index.due(t(15), 10))).containsExactly("a");
        // Only one place in the timer: the old instant is gone.
        assertThat(names(index.due(t(1000), 10))).containsExactly("a");
    }

    @Test
    void resyncPutsTheJobBackWhereTheStoreHasIt() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("a", t(10)), clock(T0, 7));
        index.advance("a", t(10), t(20));
        assertThat(index.earliest()).contains(t(20));

        // The proposal failed: the store still says +10 is next, with last planned at T0 (older than proposed).
        index.resync(job("a", t(10)), clock(T0, 7));
        assertThat(index.entry("a")).contains(new FireIndex.Entry("a", t(10), 7, T0));
        assertThat(names(index.due(t(10), 10))).containsExactly("a");
        assertThat(names(index.due(t(1000), 10))).containsExactly("a");
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void removeAndDeleteEventsForgetTheJob() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("a", t(10)), clock(T0, 1));
        index.update(job("b", t(10)), clock(T0, 2));
        index.remove("a");
        assertThat(index.entry("a")).isEmpty();
        assertThat(names(index.due(t(1000), 10))).containsExactly("b");

        index.onEvent(new StoreEvent.JobDeleted("b"));
        assertThat(index.entry("b")).isEmpty();
        assertThat(index.due(t(1000), 10)).isEmpty();
        assertThat(index.earliest()).isEmpty();
        assertThat(index.size()).isZero();

        index.remove("never-there"); // harmless
        assertThat(index.size()).isZero();
    }

    @Test
    void jobChangedEventsUpdateAndReloadIsDelegatedAndChangesNotify() {
        List<StoreEvent.Reloaded> reloads = new ArrayList<>();
        FireIndex index = new FireIndex(reloads::add);
        AtomicInteger changes = new AtomicInteger();
        index.setOnChange(changes::incrementAndGet);

        index.onEvent(new StoreEvent.JobChanged(job("a", t(10)), clock(T0, 1)));
        assertThat(index.entry("a").orElseThrow().next()).isEqualTo(t(10));
        assertThat(changes).hasValue(1);

        // Disabling: no next instant, the job leaves the timer.
        index.onEvent(new StoreEvent.JobChanged(job("a", null), clock(T0, 2)));
        assertThat(index.due(t(1000), 10)).isEmpty();
        assertThat(changes).hasValue(2);

        index.onEvent(new StoreEvent.Reloaded());
        assertThat(reloads).hasSize(1);
    }

    @Test
    void advanceOfAnUnknownJobDoesNothing() {
        FireIndex index = new FireIndex(r -> { });
        index.advance("ghost", t(10), t(20));
        assertThat(index.size()).isZero();
        assertThat(index.earliest()).isEmpty();
    }

    @Test
    void advanceToTheEndOfTheScheduleTakesTheJobOutOfTheTimer() {
        FireIndex index = new FireIndex(r -> { });
        index.update(job("once", t(10)), clock(T0, 1));
        index.advance("once", t(10), null);
        assertThat(index.due(t(1000), 10)).isEmpty();
        assertThat(index.entry("once").orElseThrow().plannedThrough()).isEqualTo(t(10));
    }
}
