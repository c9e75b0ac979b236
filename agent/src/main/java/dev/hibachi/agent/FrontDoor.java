package dev.hibachi.agent;

/**
 * A way in to a running agent from outside, such as the HTTP API. The agent knows none of them: each is
 * found through {@link java.util.ServiceLoader} and opened once the agent is up.
 */
public interface FrontDoor {
    /** Opens this front door on {@code agent}; closing the result closes it. */
    AutoCloseable open(Agent agent) throws Exception;
}
