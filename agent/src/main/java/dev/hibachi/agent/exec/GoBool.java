package dev.hibachi.agent.exec;

import java.util.Optional;

/**
 * A boolean as Dkron's configuration spells one: Go's {@code strconv.ParseBool} ({@code 1 t T TRUE true True} /
 * {@code 0 f F FALSE false False}, surrounding blanks ignored), with unset or empty meaning false, as Dkron
 * treats its string-valued settings.
 */
public final class GoBool {
    private GoBool() {
    }

    /** The value of {@code text}; empty when it is not a boolean (the caller names the setting in its error). */
    public static Optional<Boolean> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.of(false);
        }
        return switch (text.trim()) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** The error text for a value that is not a boolean. */
    public static String problem(String text) {
        return "expected true or false, got \"" + text + "\"";
    }
}
