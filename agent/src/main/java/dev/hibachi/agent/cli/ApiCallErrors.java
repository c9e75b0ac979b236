package dev.hibachi.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a failed request to the agent as one line on stderr, with exit code 1, instead of a stack trace; any
 * other failure goes on to picocli's own handling.
 */
final class ApiCallErrors implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine line, ParseResult parsed) throws Exception {
        if (!(ex instanceof ApiCallFailed)) {
            throw ex;
        }
        line.getErr().println(line.getColorScheme().errorText("Error: " + ex.getMessage()));
        line.getErr().flush();
        return 1;
    }
}
