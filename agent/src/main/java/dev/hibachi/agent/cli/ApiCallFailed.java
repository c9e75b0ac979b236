package dev.hibachi.agent.cli;

/** A command's request to the agent failed; the message says why, in the agent's words when it answered. */
final class ApiCallFailed extends Exception {
    ApiCallFailed(String message) {
        super(message, null, false, false);
    }
}
