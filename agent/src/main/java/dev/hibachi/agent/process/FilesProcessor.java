package dev.hibachi.agent.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Dkron's {@code files} processor: writes the output to {@code <log_dir>/<execution id>.log} on the member that
 * ran the job. With {@code forward} true the output is stored too; otherwise the store keeps the file's path.
 *
 * <p>{@code log_dir} defaults to {@code job-logs} in the agent's data directory, and a relative one is taken
 * from there too: Dkron's {@code /var/log/dkron} needs root and a directory made in advance, while the data
 * directory exists and is writable wherever an agent runs (and an agent's working directory is arbitrary).
 *
 * <p>The file is written beside its final name and moved into place, so a reader never sees half of it.
 * Files are never deleted here: the directory grows by one file per execution, like Dkron's.
 */
public final class FilesProcessor implements Processor {
    public static final String NAME = "files";
    public static final String LOG_DIR = "log_dir";
    /** Under the agent's data directory. */
    public static final String DEFAULT_LOG_DIR = "job-logs";

    public FilesProcessor() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Map<String, String> config) throws InvalidProcessorConfigException {
        Forward.of(NAME, config);
        logDir(config, Path.of(""));
    }

    @Override
    public String process(FinishedExecution e, Map<String, String> config) throws Exception {
        boolean forward = Forward.of(NAME, config);
        Path dir = logDir(config, e.dataDir());
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName(e.executionId()));
        Path partial = Files.createTempFile(dir, "." + file.getFileName(), ".partial");
        try {
            Files.writeString(partial, e.output() == null ? "" : e.output(), StandardCharsets.UTF_8);
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        return forward ? e.output() : file.toString();
    }

    private static Path logDir(Map<String, String> config, Path dataDir) throws InvalidProcessorConfigException {
        String value = config.get(LOG_DIR);
        if (value == null || value.isBlank()) {
            return dataDir.resolve(DEFAULT_LOG_DIR);
        }
        try {
            return dataDir.resolve(value.trim());
        } catch (InvalidPathException ex) {
            throw new InvalidProcessorConfigException(NAME, LOG_DIR, "invalid path \"" + value + "\"");
        }
    }

    /** The execution id as a file name: a node name could hold a path separator, which must not escape log_dir. */
    static String fileName(String executionId) {
        String safe = executionId.replaceAll("[^A-Za-z0-9._-]", "_");
        return (safe.startsWith(".") ? "_" + safe.substring(1) : safe) + ".log";
    }
}
