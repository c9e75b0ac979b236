package dev.hibachi.agent.process;

import java.util.Set;

/**
 * A job's {@code processors} field is invalid; the message starts with the field, {@code processors.<name>.<key>}
 * (or {@code processors.<name>} for a processor nobody knows).
 */
public final class InvalidProcessorConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param processor the processor's name
     * @param key the offending key of its settings (e.g. {@code "log_dir"})
     * @param message what is wrong; the field is put in front of it
     */
    public InvalidProcessorConfigException(String processor, String key, String message) {
        this("processors." + processor + "." + key, message);
    }

    private InvalidProcessorConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** No processor has this name. */
    public static InvalidProcessorConfigException unknown(String processor, Set<String> known) {
        return new InvalidProcessorConfigException("processors." + processor,
                "unknown processor \"" + processor + "\" (known: " + known + ")");
    }

    /** The offending field. */
    public String field() {
        return field;
    }
}
