package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of named pipes (FIFOs) that carry the jobs' output.
 *
 * <p>Why not the JDK's own pipe ({@link Process#getInputStream()}): when the process exits, the JDK
 * drains and <em>closes</em> that pipe unless a reader happens to be inside {@code read()} at that
 * moment (then its exit handler blocks until the read returns). So whether the output of a
 * background child that outlives the job's main process is read, or the child gets SIGPIPE, would be
 * a race. With a FIFO the agent owns the read end: the output ends when every writer has closed it,
 * deterministically.
 *
 * <p>FIFOs are created {@value #BATCH} at a time with one {@code mkfifo} call, mode 600, in a
 * directory of their own under {@code java.io.tmpdir} (mode 711: see {@link #lend}), and reused once
 * a run has read its FIFO to the end (then nothing has it open). A FIFO that may still be open elsewhere (a run that stopped reading after a
 * kill) is deleted instead. When FIFOs cannot be made, {@link #acquire()} returns {@code null} and
 * the caller falls back to the JDK's pipe (logged once).
 */
final class Fifos {

    private static final Logger log = LoggerFactory.getLogger(Fifos.class);

    static final int BATCH = 16;
    private static final int MAX_FREE = 64;
    private static final String PREFIX = "hibachi-fifos-";

    private static final Object LOCK = new Object();
    private static final ArrayDeque<Path> FREE = new ArrayDeque<>();
    private static Path dir;
    private static long seq;
    /** FIFOs handed to another user for one run (see {@link #lend}): never reused. */
    private static final java.util.Set<Path> LENT = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static boolean unavailable;
    /** For tests: force the JDK-pipe fallback. */
    static volatile boolean disabled;

    private Fifos() {}

    /** A FIFO nobody has open, or {@code null} when FIFOs are unavailable. */
    static Path acquire() {
        if (disabled) {
            return null;
        }
        synchronized (LOCK) {
            if (unavailable) {
                return null;
            }
            if (FREE.isEmpty()) {
                try {
                    refill();
                } catch (IOException | RuntimeException e) {
                    unavailable = true;
                    log.warn("cannot create named pipes for job output ({}); using the JDK's pipes: "
                            + "output of background children that outlive a job may be cut short", e.toString());
                    return null;
                }
            }
            return FREE.poll();
        }
    }

    /** Returns a FIFO that was read to its end and closed: nothing has it open any more. */
    static void recycle(Path fifo) {
        if (LENT.remove(fifo)) {
            discard(fifo); // the job's user may still open it by name
            return;
        }
        synchronized (LOCK) {
            if (FREE.size() < MAX_FREE && fifo.getParent().equals(dir)) {
                FREE.push(fifo);
                return;
            }
        }
        discard(fifo);
    }

    /**
     * Gives {@code fifo} to user {@code uid} and group {@code gid} for one run, so that a job running as
     * them can open it again by name ({@code echo x > /dev/stderr} reopens it through
     * {@code /proc/self/fd}). It is deleted, never reused, once the run is done with it.
     */
    static void lend(Path fifo, int uid, int gid) throws IOException {
        LENT.add(fifo);
        Files.setAttribute(fifo, "unix:uid", uid);
        Files.setAttribute(fifo, "unix:gid", gid);
    }

    /** Deletes a FIFO that may still be open elsewhere (open ends keep working). */
    static void discard(Path fifo) {
        LENT.remove(fifo);
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", fifo, e.toString());
        }
    }

    private static void refill() throws IOException {
        if (dir == null) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            removeStale(tmp);
            Path d = tmp.resolve(PREFIX + ProcessHandle.current().pid());
            if (Files.exists(d)) {
                deleteTree(d); // left by an earlier JVM with the same pid
            }
            // Searchable by all (not listable), so that a job running as another user can reopen the FIFO
            // lent to it by name; every other FIFO stays mode 600 and the agent's.
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
            dir = d;
        }
        Optional<String> mkfifo = Stream.of("/usr/bin/mkfifo", "/bin/mkfifo")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
        if (mkfifo.isEmpty()) {
            throw new IOException("mkfifo not found");
        }
        List<String> cmd = new ArrayList<>(List.of(mkfifo.get(), "-m", "600", "--"));
        List<Path> made = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            Path p = dir.resolve("out-" + (++seq));
            cmd.add(p.toString());
            made.add(p);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String err;
        try (InputStream in = p.getInputStream()) {
            err = new String(in.readNBytes(2000), StandardCharsets.UTF_8).trim();
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("mkfifo did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException("mkfifo failed: " + err);
        }
        for (Path f : made) {
            if (!Files.readAttributes(f, BasicFileAttributes.class).isOther()) {
                throw new IOException(f + " is not a FIFO");
            }
        }
        FREE.addAll(made);
    }

    /** Removes pools left by agents that are no longer running. */
    private static void removeStale(Path tmp) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path d : ds) {
                String pid = d.getFileName().toString().substring(PREFIX.length());
                try {
                    if (!ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
                        deleteTree(d);
                    }
                } catch (NumberFormatException | IOException e) {
                    // not ours, or not ours to delete
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", tmp, e.toString());
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
