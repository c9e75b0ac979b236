package dev.hibachi.agent.process;

import java.util.Map;

/**
 * The {@code forward} setting every processor of Dkron's takes: true keeps the output in the store as well,
 * otherwise it is replaced by a note saying where it went. Read as Go's {@code strconv.ParseBool}, as Dkron's
 * other booleans are; unset or empty is false, as in Dkron.
 */
final class Forward {
    static final String KEY = "forward";

    private Forward() {
    }

    static boolean of(String processor, Map<String, String> config) throws InvalidProcessorConfigException {
        String v = config.get(KEY);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.trim()) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new InvalidProcessorConfigException(processor, KEY,
                    "expected true or false, got \"" + v + "\"");
        };
    }
}
