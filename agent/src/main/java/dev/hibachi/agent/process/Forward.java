package dev.hibachi.agent.process;

import dev.hibachi.agent.exec.GoBool;

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
        return GoBool.parse(v).orElseThrow(() -> new InvalidProcessorConfigException(processor, KEY,
                GoBool.problem(v)));
    }
}
