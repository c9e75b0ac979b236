package dev.hibachi.agent.exec;

import java.nio.file.Path;
import java.util.Map;

/**
 * One attempt of one run, as handed to {@link Executor#start}.
 *
 * @param jobName the job's name (exported as {@code ENV_JOB_NAME})
 * @param config the job's {@code executor_config}; {@code null} is treated as empty
 * @param runId the run id (Dkron's {@code group}), exported as {@code HIBACHI_RUN_ID}
 * @param attempt the attempt number, from 1, exported as {@code HIBACHI_ATTEMPT}
 * @param output where the combined stdout/stderr goes; {@code null} means a fresh default buffer
 * @param groups where the run's process group is registered while it runs; {@code null} means
 *     not tracked (tests, or executors that run no process)
 * @param artifacts the attempt's fresh, empty artifacts folder, exported as {@code HIBACHI_ARTIFACTS};
 *     {@code null} when there is none
 */
public record ExecutionRequest(
        String jobName,
        Map<String, String> config,
        long runId,
        int attempt,
        OutputBuffer output,
        ProcessGroups groups,
        Path artifacts) {

    public ExecutionRequest {
        config = config == null ? Map.of() : config;
    }

    /** A request without an artifacts folder. */
    public ExecutionRequest(String jobName, Map<String, String> config, long runId, int attempt, OutputBuffer output,
                            ProcessGroups groups) {
        this(jobName, config, runId, attempt, output, groups, null);
    }
}
