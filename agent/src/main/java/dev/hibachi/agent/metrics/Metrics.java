package dev.hibachi.agent.metrics;

import dev.hibachi.agent.cluster.Member;
import dev.hibachi.agent.dispatch.DispatchObserver;
import dev.hibachi.store.index.JobIndex;

import java.time.Duration;
import java.util.Collection;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the agent measures, in its own words: the scheduler, runner, leader and notifier call this and know no
 * metrics library ({@link MicrometerMetrics} binds Micrometer, as HikariCP's metrics tracker does). Every method
 * is a no-op by default, which is what {@link #NONE} is: an agent started without a metrics flag, or embedded.
 *
 * <p>The dispatch path's calls ({@link DispatchObserver}) are the member's: executions started and finished, their
 * duration, and the dispatch lateness. The rest are counted where one count stands for the cluster (the
 * leader) or read when a registry polls.
 */
public interface Metrics extends DispatchObserver, AutoCloseable {
    Metrics NONE = new Metrics() {
    };

    /** A notification through {@code channel} was delivered, or an attempt to deliver it failed. */
    default void notification(String channel, boolean delivered) {
    }

    /** This server became the store's leader. */
    default void leaderChanged() {
    }

    /** {@code count} instants of {@code job} will never run: {@code kind} is {@code missed} or {@code skipped}. */
    default void runsMissed(String job, long count, String kind) {
    }

    /** An attempt of {@code job} was closed as killed at someone's request. */
    default void runKilled(String job) {
    }

    /** A write to the store took {@code took}; {@code answered} false when the store could not be reached. */
    default void storeWrite(Duration took, boolean answered) {
    }

    /** Where the gauge of attempts running on this member reads from. */
    default void runningExecutions(IntSupplier count) {
    }

    /** Where the gauge of members by status reads from (this agent's view of the cluster). */
    default void members(Supplier<? extends Collection<Member>> members) {
    }

    /** Where the gauges of jobs by status read from (a server's replica). */
    default void jobs(Supplier<JobIndex.Counts> counts) {
    }

    /** Whether this server leads now, for the leader gauge. */
    default void leading(java.util.function.BooleanSupplier leading) {
    }

    @Override
    default void close() {
    }
}
