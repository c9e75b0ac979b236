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

    /**
     * An attempt ended on this member with {@code success}, whether its process ran ({@code ran}: from
     * {@code started} to {@code finished}) or it was closed without one (killed before it started, overload).
     */
    default void finished(RunOrder.Attempt attempt, Instant started, Instant finished, boolean success,
                          boolean ran) {
    }

    /** Both observers, {@code first} first. */
    static DispatchObserver both(DispatchObserver first, DispatchObserver second) {
        if (first == NONE) {
            return second;
        }
        if (second == NONE) {
            return first;
        }
        return new DispatchObserver() {
            @Override
            public void dispatched(RunOrder.Attempt attempt, Instant at) {
                first.dispatched(attempt, at);
                second.dispatched(attempt, at);
            }

            @Override
            public void spawning(RunOrder.Attempt attempt, Instant at) {
                first.spawning(attempt, at);
                second.spawning(attempt, at);
            }

            @Override
            public void finished(RunOrder.Attempt attempt, Instant started, Instant finished, boolean success,
                                 boolean ran) {
                first.finished(attempt, started, finished, success, ran);
                second.finished(attempt, started, finished, success, ran);
            }
        };
    }
}
