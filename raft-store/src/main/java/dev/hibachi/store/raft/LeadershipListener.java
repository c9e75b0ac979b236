package dev.hibachi.store.raft;

/**
 * Told when this server becomes a leader that may act (its first entry of the term has committed) and when
 * it stops being one. Called on Ratis threads: hand work off, do not block.
 */
public interface LeadershipListener {
    void leaderReady(long term);

    void leadershipLost();
}
