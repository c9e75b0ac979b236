package dev.hibachi.agent.process;

import java.util.Map;

/**
 * What happens to a finished execution before its result is journaled and reported (Dkron's processors,
 * a job's {@code processors} field): it may send the output elsewhere and decide what output is stored.
 *
 * <p>Implementations are stateless and thread-safe, and have a public no-arg constructor: they are looked up
 * by {@link #name()} through {@link java.util.ServiceLoader}, from the agent's class path and its plugins.
 */
public interface Processor {

    /** The name used as a key of a job's {@code processors} field, e.g. {@code "files"}. */
    String name();

    /**
     * Validates this processor's settings in a job when the job is created or updated.
     *
     * @throws InvalidProcessorConfigException naming the offending key
     */
    void validate(Map<String, String> config) throws InvalidProcessorConfigException;

    /**
     * Processes a finished execution on the member that ran it, and returns the output to store (its
     * {@code output} unchanged to keep it). Throwing loses nothing: the output is kept, with a note saying
     * this processor failed.
     *
     * @param config this processor's settings in the job (validated); never null
     */
    String process(FinishedExecution execution, Map<String, String> config) throws Exception;
}
