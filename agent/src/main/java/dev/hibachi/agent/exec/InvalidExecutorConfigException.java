package dev.hibachi.agent.exec;

/** A job's {@code executor_config} is invalid; the message names the key. */
public final class InvalidExecutorConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the offending {@code executor_config} key (e.g. {@code "timeout"})
     * @param message what is wrong; the key is put in front of it
     */
    public InvalidExecutorConfigException(String key, String message) {
        super("executor_config." + key + ": " + message);
        this.key = key;
    }

    /** The offending {@code executor_config} key. */
    public String key() {
        return key;
    }
}
