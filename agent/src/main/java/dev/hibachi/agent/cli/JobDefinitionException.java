package dev.hibachi.agent.cli;

/**
 * Job definitions that cannot be applied as they are: a file that does not parse, a field the job does not have,
 * a name defined twice, a missing parent or a cycle. The message names the file (and line) where there is one.
 * Found before anything is sent to the cluster, so nothing has been applied.
 */
final class JobDefinitionException extends Exception {
    JobDefinitionException(String message) {
        super(message, null, false, false);
    }
}
