package dev.hibachi.agent.exec;

/**
 * How an execution ended.
 *
 * @param success {@code true} only when the process exited with code 0 and was neither timed out
 *     nor killed
 * @param exitCode the process exit code. A process ended by a signal reports {@code 128 + signal}
 *     (the shell convention: 143 after SIGTERM, 137 after SIGKILL), so a timed-out or killed run
 *     usually has 143 or 137. {@code -1} when there is no exit code: the process could not be
 *     started (bad config, no such program, bad cwd, ...)
 * @param output the output text (combined stdout and stderr, UTF-8 decoded), ending with a
 *     {@code [hibachi: ...]} line saying why when the run timed out, was killed or could not start;
 *     it starts with a truncation marker when earlier bytes were dropped
 * @param outputTruncated whether earlier output bytes were dropped
 */
public record ExecutionResult(boolean success, int exitCode, String output, boolean outputTruncated) {

    /** The exit code when the process could not be started. */
    public static final int NO_EXIT_CODE = -1;
}
