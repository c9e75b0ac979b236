package dev.hibachi.agent.run;

import dev.hibachi.store.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The folders attempts write their artifacts in ({@code $HIBACHI_ARTIFACTS}): one fresh, empty folder per attempt,
 * {@code <root>/<job>/<runId>-<attempt>}, so its path follows from the attempt alone and a restarted agent finds
 * it again. After the run its regular files are collected within a budget and reported with the result; the folder
 * is deleted once the store has that report.
 *
 * <p>Collection never follows a symbolic link (a link out of the folder would otherwise ship any file the agent can
 * read) and skips special files (a FIFO would block the read). Files are taken in path order, so the same folder
 * always gives the same artifacts; each that does not fit the byte budget or the file cap is left out, and the
 * output gets a line that names it.
 */
public final class ArtifactFolders {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactFolders.class);
    /**
     * 1 MiB: artifacts travel inside the Raft entry of their report, and Ratis refuses to replicate an entry over
     * its appender buffer (4 MB by default); a report with this budget and a full 256,000-byte output stays well
     * under it after base64 and deflate, and a job's 100 kept executions hold at most 100 MiB of artifacts.
     */
    public static final long DEFAULT_BUDGET = 1L << 20;
    /** The most {@code --artifacts-budget} may be: one report must still fit in one replicable entry. */
    public static final long MAX_BUDGET = 2L << 20;
    /** Files per execution: each is a key that retention deletes one by one. */
    public static final int MAX_FILES = 100;
    /** Entries looked at in one folder, at most: bounds the listing's memory whatever the job left. */
    static final int MAX_LISTED = 10_000;
    /** Dropped files named one per line; past this many, one summary line tells the rest. */
    static final int NAMED_DROPS = 10;

    /** What one folder gave: the artifacts kept, and a line for each file left out. */
    public record Collected(List<Command.Artifact> artifacts, List<String> notes) {
        public static final Collected NONE = new Collected(List.of(), List.of());

        public long bytes() {
            return artifacts.stream().mapToLong(a -> a.data().length).sum();
        }
    }

    private final Path root;
    private final long budget;
    /** Folders this agent made since it started: a sweep of leftovers never touches them. */
    private final Set<Path> made = ConcurrentHashMap.newKeySet();

    public ArtifactFolders(Path root, long budget) {
        if (budget < 0 || budget > MAX_BUDGET) {
            throw new IllegalArgumentException("artifacts budget must be from 0 to " + MAX_BUDGET + " bytes (got "
                    + budget + ")");
        }
        this.root = root.toAbsolutePath();
        this.budget = budget;
    }

    public long budget() {
        return budget;
    }

    /** The folder of one attempt (whether or not it exists). */
    public Path folder(String job, long runId, int attempt) {
        String name = URLEncoder.encode(job, StandardCharsets.UTF_8);
        if (name.equals(".") || name.equals("..")) {
            name = "%2E" + name.substring(1); // cannot come from a valid job name; kept inside the root regardless
        }
        return root.resolve(name).resolve(runId + "-" + attempt);
    }

    /** Makes the attempt's folder, empty (whatever an earlier agent left there is removed first). */
    public Path create(String job, long runId, int attempt) {
        Path dir = folder(job, runId, attempt);
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the artifacts folder " + dir + ": " + e.getMessage(), e);
        }
        made.add(dir);
        return dir;
    }

    /** Collects the attempt's artifacts (none when it has no folder). */
    public Collected collect(String job, long runId, int attempt) {
        Path dir = folder(job, runId, attempt);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Collected.NONE;
        }
        try {
            return collect(dir);
        } catch (IOException e) {
            LOG.warn("Cannot collect the artifacts in {}: {}", dir, e.toString());
            return new Collected(List.of(), List.of("[hibachi: artifacts not kept: cannot read " + dir + ": "
                    + e.getMessage() + "]"));
        }
    }

    private record Entry(String path, Path file, long size, boolean regular) {
    }

    private Collected collect(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        boolean[] cut = {false};
        // No FOLLOW_LINKS: a linked folder is reported as a link, never entered.
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (entries.size() >= MAX_LISTED) {
                    cut[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                entries.add(new Entry(relative(dir, file), file, attrs.size(), attrs.isRegularFile()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                entries.add(new Entry(relative(dir, file), file, 0, false));
                return FileVisitResult.CONTINUE;
            }
        });
        // Byte order of the UTF-8 names: the order the store lists them in.
        entries.sort(Comparator.comparing(e -> e.path().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        List<Command.Artifact> kept = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int dropped = 0;
        long droppedBytes = 0;
        long used = 0;
        for (Entry e : entries) {
            String reason = null;
            byte[] data = null;
            if (!e.regular()) {
                reason = "not a regular file";
            } else if (kept.size() >= MAX_FILES) {
                reason = "an execution keeps at most " + MAX_FILES + " files";
            } else if (used + e.size() > budget) {
                reason = "over the execution's artifacts budget of " + budget + " bytes (" + used + " used)";
            } else {
                data = read(e.file(), budget - used);
                if (data == null) {
                    reason = "it changed or grew past the budget while it was read";
                }
            }
            if (data != null) {
                kept.add(new Command.Artifact(e.path(), data));
                used += data.length;
                continue;
            }
            dropped++;
            droppedBytes += e.size();
            if (dropped <= NAMED_DROPS) {
                notes.add("[hibachi: artifact " + e.path() + " (" + e.size() + " bytes) not kept: " + reason + "]");
            }
        }
        if (dropped > NAMED_DROPS) {
            notes.add("[hibachi: " + (dropped - NAMED_DROPS) + " more artifacts (" + droppedBytes + " bytes in all"
                    + " left out) not kept]");
        }
        if (cut[0]) {
            notes.add("[hibachi: artifacts folder holds more than " + MAX_LISTED + " files; the rest were not"
                    + " looked at]");
        }
        return new Collected(kept, notes);
    }

    /** The file's bytes, or null if it holds more than {@code limit} by now (the job left something writing it). */
    private static byte[] read(Path file, long limit) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            return data.length > limit ? null : data;
        } catch (IOException e) {
            return null;
        }
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    /** Removes the attempt's folder (its report has reached the store), and its job's folder once empty. */
    public void delete(String job, long runId, int attempt) {
        Path dir = folder(job, runId, attempt);
        try {
            deleteTree(dir);
            made.remove(dir);
            Files.deleteIfExists(dir.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // other attempts of the job still have theirs
        } catch (IOException e) {
            LOG.warn("Cannot delete the artifacts folder {}: {}", dir, e.toString());
        }
    }

    /**
     * Deletes the folders a previous agent left that no unreported attempt needs (its report reached the store, but
     * the agent stopped before deleting them). Folders made since this agent started are kept.
     */
    public void sweep(Set<Path> needed) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> jobs = Files.list(root)) {
            for (Path jobDir : jobs.toList()) {
                try (Stream<Path> attempts = Files.list(jobDir)) {
                    for (Path dir : attempts.toList()) {
                        if (!needed.contains(dir) && !made.contains(dir)) {
                            deleteTree(dir);
                        }
                    }
                }
                try {
                    Files.deleteIfExists(jobDir);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // still in use
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot sweep the artifacts folders under {}: {}", root, e.toString());
        }
    }

    /** Deletes a tree without following links (a link is removed, never what it points to). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (!(e instanceof NoSuchFileException)) {
                    Files.deleteIfExists(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
