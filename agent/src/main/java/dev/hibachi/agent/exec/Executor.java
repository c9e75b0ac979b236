package dev.hibachi.agent.exec;

import java.util.Map;

/**
 * What a job runs (Dkron's {@code executor} plus {@code executor_config}).
 *
 * <p>Implementations are stateless and thread-safe, and have a public no-arg constructor: they are
 * looked up by {@link #name()} through {@link java.util.ServiceLoader} (plugins).
 */
public interface Executor {

    /** The name used in a job's {@code executor} field, e.g. {@code "shell"}. */
    String name();

    /**
     * Validates a job's {@code executor_config} when the job is created or updated.
     *
     * @throws InvalidExecutorConfigException with a message naming the offending key
     */
    void validate(Map<String, String> config) throws InvalidExecutorConfigException;

    /**
     * Starts the job and returns at once; the work continues in the background.
     *
     * <p>Never throws for a failing job: a job that cannot start completes with
     * {@code success=false} and the reason in its output.
     */
    RunningExecution start(ExecutionRequest request);
}
