package dev.hibachi.agent.dispatch;

import java.time.Instant;

/**
 * What the dispatch path reports for measurement; the metrics binding (agent only) and the benchmark
 * implement it, so this code knows no metrics library.
 */
public interface DispatchObserver {
    DispatchObserver NONE = new DispatchObserver() {
    };

    /** An attempt was sent to its member at {@code at}. */
    default void dispatched(RunOrder.Attempt attempt, Instant at) {
    }

    /** A member is about to spawn an attempt's process, at {@code at}. */
    default void spawning(RunOrder.Attempt attempt, Instant at) {
    }
}
