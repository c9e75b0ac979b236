package dev.hibachi.agent.exec;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A started execution. */
public interface RunningExecution {

    /**
     * Completes once with the result; never completes exceptionally. Callbacks attached with the
     * non-async methods run on an internal executor thread: keep them short.
     */
    CompletableFuture<ExecutionResult> completion();

    /**
     * Sends SIGTERM to the whole process group, then SIGKILL after {@code grace} if anything in the
     * group is still alive. The result is then {@code success=false} and its output ends with a line
     * giving {@code reason}. Returns at once; idempotent (the first reason wins); a no-op once
     * completed.
     */
    void kill(String reason, Duration grace);

    /** The process group id, when the executor runs a process in its own group. */
    OptionalLong processGroup();

    /** An execution that is over already (it could not start, or it ran in place), with {@code result}. */
    static RunningExecution finished(ExecutionResult result) {
        CompletableFuture<ExecutionResult> done = CompletableFuture.completedFuture(result);
        return new RunningExecution() {
            @Override
            public CompletableFuture<ExecutionResult> completion() {
                return done;
            }

            @Override
            public void kill(String reason, Duration grace) {
                // nothing runs
            }

            @Override
            public OptionalLong processGroup() {
                return OptionalLong.empty();
            }
        };
    }
}
