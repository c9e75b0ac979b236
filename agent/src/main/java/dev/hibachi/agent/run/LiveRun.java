package dev.hibachi.agent.run;

import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.agent.exec.OutputBuffer;
import dev.hibachi.store.model.Execution;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * An attempt running on this member as its live readers see it: the output as it grows, and the result once the
 * attempt is over (as it is reported: after {@code error_pattern} and the processors). Reading it never touches
 * Raft; a reader may keep it after the attempt ends.
 */
public record LiveRun(String job, long runId, int attempt, String node, Instant startedAt, OutputBuffer output,
                      CompletableFuture<Outcome> result) {

    /** How the attempt ended, as reported to the store; {@code killedBy} is who asked for a kill, if anyone did. */
    public record Outcome(ExecutionResult result, String killedBy) {
        /** The execution's {@code status} as the store will record it (a kill that came after a success is none). */
        public String status() {
            return killedBy != null && !result.success() ? Execution.KILLED : result.success() ? Execution.SUCCEEDED : Execution.FAILED;
        }
    }

    /** The execution id the store gives this attempt (see {@code Execution.idOf}). */
    public String executionId() {
        return Execution.idOf(runId, attempt, node);
    }
}
