package dev.hibachi.agent.schedule;

import java.time.Instant;
import java.util.List;

/**
 * What happens to a job's instants that passed without being planned (no leader, or an agent that was
 * down). Instants younger than the grace each run late, once, so a failover is invisible; older ones
 * follow the policy. Whatever does not run is recorded as one missed span, never silently dropped.
 */
public enum MisfirePolicy {
    /** Runs the newest of the old instants; the default. */
    RUN_ONCE,
    /** Runs none of the old instants. */
    SKIP,
    /** Runs every old instant, up to {@link #RUN_ALL_CAP} (the newest ones). */
    RUN_ALL;

    public static final int RUN_ALL_CAP = 100;

    /** The policy a job's {@code misfire} field names ({@code run_once} when empty). */
    public static MisfirePolicy of(String misfire) {
        if (misfire == null || misfire.isEmpty()) {
            return RUN_ONCE;
        }
        return valueOf(misfire.toUpperCase(java.util.Locale.ROOT));
    }

    /** The old instants (oldest first; the newest {@link #RUN_ALL_CAP} at most) that run under this policy. */
    public List<Instant> toRun(List<Instant> old) {
        if (old.isEmpty()) {
            return List.of();
        }
        return switch (this) {
            case RUN_ONCE -> List.of(old.get(old.size() - 1));
            case SKIP -> List.of();
            case RUN_ALL -> old.subList(Math.max(0, old.size() - RUN_ALL_CAP), old.size());
        };
    }
}
