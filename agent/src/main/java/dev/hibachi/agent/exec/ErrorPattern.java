package dev.hibachi.agent.exec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The {@code error_pattern} key of any executor's {@code executor_config} (from HighBatch): a regular expression
 * that fails the run when its output matches, even if the executor reports success (a script that prints
 * {@code ERROR} and still exits 0).
 *
 * <p>It watches the output as it is written, line by line, so a match early in an output far larger than what is
 * kept still counts. Lines are matched one at a time ({@code ^} and {@code $} are a line's ends; a pattern cannot
 * span lines), and a line longer than {@link #MAX_LINE} bytes is matched in pieces of that size, so memory stays
 * bounded whatever the output. The first match is kept to say why the run failed.
 *
 * <p>The syntax is Go's (RE2/J), as for the http executor's {@code expectBody}: Dkron users' patterns keep their
 * meaning, and matching takes time linear in the text, so no pattern can stall the output of a large run.
 */
public final class ErrorPattern implements OutputBuffer.Watcher {
    public static final String KEY = "error_pattern";
    /** The longest piece of a line matched at once. */
    static final int MAX_LINE = 8192;
    private static final int SHOWN = 200;

    private final Pattern pattern;
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private String match;

    private ErrorPattern(Pattern pattern) {
        this.pattern = pattern;
    }

    /** The pattern a config asks for, if any; the config has passed {@link #validate}. */
    public static Optional<ErrorPattern> of(Map<String, String> config) {
        try {
            return compile(config).map(ErrorPattern::new);
        } catch (InvalidExecutorConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Checks the key when a job is created or updated. */
    public static void validate(Map<String, String> config) throws InvalidExecutorConfigException {
        compile(config);
    }

    private static Optional<Pattern> compile(Map<String, String> config) throws InvalidExecutorConfigException {
        String text = config == null ? null : config.get(KEY);
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pattern.compile(text));
        } catch (PatternSyntaxException e) {
            throw new InvalidExecutorConfigException(KEY, "is not a valid regular expression: " + e.getMessage());
        }
    }

    @Override
    public synchronized void written(byte[] b, int off, int len) {
        if (match != null) {
            return;
        }
        for (int i = off; i < off + len && match == null; i++) {
            if (b[i] == '\n') {
                test();
            } else {
                line[length++] = b[i];
                if (length == MAX_LINE) {
                    test();
                }
            }
        }
    }

    private void test() {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        length = 0;
        if (pattern.matcher(text).find()) {
            match = text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
        }
    }

    /** The first line that matched, if any (the last, unfinished line counts once the output is over). */
    public synchronized Optional<String> match() {
        if (match == null && length > 0) {
            test();
        }
        return Optional.ofNullable(match);
    }

    /**
     * The result as the run's judge sees it: a success whose output matched becomes a failure (same exit code), its
     * output ending with the note that says why.
     */
    public ExecutionResult judge(ExecutionResult result, OutputBuffer output) {
        if (!result.success()) {
            return result;
        }
        Optional<String> found = match();
        if (found.isEmpty()) {
            return result;
        }
        output.appendLine("[hibachi: failed: the output matched error_pattern \"" + pattern.pattern() + "\": "
                + found.get() + "]");
        return new ExecutionResult(false, result.exitCode(), output.text(), output.truncated());
    }
}
