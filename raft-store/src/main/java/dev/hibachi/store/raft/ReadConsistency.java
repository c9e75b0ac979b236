package dev.hibachi.store.raft;

/**
 * How fresh a read must be.
 * <ul>
 *   <li>{@link #LINEARIZABLE} (the default): it sees every write acknowledged before it began, on any agent;
 *       it goes through the leader's read index, so it costs a round trip to the leader.</li>
 *   <li>{@link #atLeast(long)}: read-your-writes. A write answers with its log index; a read that names it is
 *       served by the nearest replica once that replica has applied it (no trip to the leader).</li>
 *   <li>{@link #STALE}: whatever the nearest replica holds now; cheap, for dashboards and big lists.</li>
 * </ul>
 */
public record ReadConsistency(boolean linearizable, long minIndex) {
    public static final ReadConsistency LINEARIZABLE = new ReadConsistency(true, 0);
    public static final ReadConsistency STALE = new ReadConsistency(false, 0);

    public ReadConsistency {
        if (minIndex < 0) {
            throw new IllegalArgumentException("a log index is not negative: " + minIndex);
        }
    }

    public static ReadConsistency atLeast(long index) {
        return new ReadConsistency(false, index);
    }
}
