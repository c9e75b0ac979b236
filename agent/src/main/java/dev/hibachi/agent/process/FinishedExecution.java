package dev.hibachi.agent.process;

import java.nio.file.Path;

/**
 * An execution as processors see it, once it is over.
 *
 * @param jobName the job's name
 * @param executionId the execution's id, as the API shows it ({@code Execution.idOf(runId, attempt, node)})
 * @param node the member that ran it (this one)
 * @param success whether it succeeded
 * @param exitCode its exit code ({@code -1} when there is none)
 * @param output the output so far: the executor's kept output (at most the capture buffer, 256,000 bytes by
 *     default), as the processors before this one left it
 * @param dataDir the agent's data directory, where a processor keeps its files unless told otherwise
 */
public record FinishedExecution(String jobName, String executionId, String node, boolean success, int exitCode,
                                String output, Path dataDir) {

    public FinishedExecution withOutput(String value) {
        return new FinishedExecution(jobName, executionId, node, success, exitCode, value, dataDir);
    }
}
