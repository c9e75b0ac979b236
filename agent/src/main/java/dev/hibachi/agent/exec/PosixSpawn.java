package dev.hibachi.agent.exec;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts job processes with the C library's {@code posix_spawn}, through JNA, each in a session of its own.
 *
 * <p>Why not {@link ProcessBuilder}: the JDK cannot start a process in a new session, so the process
 * would have to be started through the {@code setsid} program, and the JDK itself execs its
 * {@code jspawnhelper} first: three {@code exec}s per run where one will do. {@code posix_spawn} with
 * glibc's {@code POSIX_SPAWN_SETSID} does the {@code setsid()}, the redirections, the working directory and
 * the closing of every other descriptor (the JDK's files and sockets, and the reaper's pipe, which must
 * not outlive the JVM in a job) in the child, then one {@code exec}. On this 2-core machine that spawns
 * {@code /bin/sh -c true} about 1.8 times as fast as {@code ProcessBuilder} without {@code setsid}.
 *
 * <p>Needs Linux with glibc 2.34 or later ({@code posix_spawn_file_actions_addclosefrom_np}); elsewhere
 * {@link #available()} is false and the executor uses {@link ProcessBuilder} with {@code setsid}. The
 * caller reaps the child with {@link #waitFor} (the JDK never waits for pids it did not start).
 */
final class PosixSpawn {

    private static final Logger log = LoggerFactory.getLogger(PosixSpawn.class);

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    /** The same on x86-64 and aarch64. */
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int ESRCH = 3;
    /** Generous upper bounds of glibc's opaque structs (80, 336 and 128 bytes on x86-64). */
    private static final int FILE_ACTIONS_BYTES = 512;
    private static final int ATTR_BYTES = 1024;
    private static final int SIGSET_BYTES = 256;

    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    /** Signal numbers by name, the same on every Linux architecture this runs on (x86-64, aarch64). */
    private static final Map<String, Integer> SIGNALS = Map.of(
            "0", 0, "HUP", 1, "INT", 2, "QUIT", 3, "KILL", SIGKILL, "USR1", 10, "USR2", 12, "TERM", SIGTERM,
            "CONT", 18, "STOP", 19);

    /** For tests: force the {@link ProcessBuilder} path. */
    static volatile boolean disabled;

    private PosixSpawn() {}

    /** The C library calls used, bound by JNA. */
    interface LibC extends Library {
        int posix_spawn(int[] pid, Pointer path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

        int posix_spawn_file_actions_init(Pointer fa);

        int posix_spawn_file_actions_destroy(Pointer fa);

        int posix_spawn_file_actions_addopen(Pointer fa, int fd, Pointer path, int oflag, int mode);

        int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newFd);

        int posix_spawn_file_actions_addchdir_np(Pointer fa, Pointer path);

        int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer set);

        int posix_spawnattr_setsigdefault(Pointer attr, Pointer set);

        int sigemptyset(Pointer set);

        int sigfillset(Pointer set);

        int waitpid(int pid, int[] status, int options) throws LastErrorException;

        int kill(int pid, int signal) throws LastErrorException;

        int pipe2(int[] fds, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int fchown(int fd, int uid, int gid) throws LastErrorException;

        String strerror(int errno);
    }

    private static final LibC C = load();

    private static LibC load() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            LibC c = Native.load("c", LibC.class);
            // Looked up now, so that a C library without them is found out once, here.
            com.sun.jna.NativeLibrary lib = com.sun.jna.NativeLibrary.getInstance("c");
            lib.getFunction("posix_spawn_file_actions_addclosefrom_np");
            lib.getFunction("posix_spawn_file_actions_addchdir_np");
            return c;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.info("posix_spawn with a new session is not available ({}); jobs start through setsid", e.toString());
            return null;
        }
    }

    /** Whether jobs can be spawned this way. */
    static boolean available() {
        return C != null && !disabled;
    }

    /** The number of a signal named as {@code kill -s} takes it ("TERM", "0"), if it can be sent from here. */
    static java.util.OptionalInt signalNumber(String name) {
        Integer n = C == null ? null : SIGNALS.get(name);
        return n == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(n);
    }

    /**
     * Starts {@code program} (an absolute path) with {@code argv} and exactly {@code env}, in a new session
     * (its pid is its process group), stdin from descriptor {@code inputFd} ({@code /dev/null} when -1; see
     * {@link InputPipe}), stdout and stderr to {@code output} (opened for writing in the child: a FIFO
     * must already have a reader), in {@code cwd} when not null.
     *
     * @return the pid
     * @throws IOException when it cannot be started (the message is the C library's, as from exec)
     */
    static long spawn(String program, List<String> argv, Map<String, String> env, Path cwd, int inputFd,
                      Path output) throws IOException {
        if (C == null) {
            throw new IllegalStateException("posix_spawn is not available");
        }
        List<String> envp = new ArrayList<>(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
            envp.add(e.getKey() + "=" + e.getValue());
        }
        // Every native block is freed here, at once: left to JNA's cleaner, each spawn's ~40 blocks waited for a
        // garbage collection, and tens of thousands of them lengthened every young pause.
        try (Memory fa = new Memory(FILE_ACTIONS_BYTES);
             Memory attr = new Memory(ATTR_BYTES);
             Memory sigs = new Memory(SIGSET_BYTES);
             Memory argvBlock = cStrings(argv);
             Memory envBlock = cStrings(envp);
             Memory paths = cStrings(List.of(program, output.toString(), "/dev/null",
                     cwd == null ? "" : cwd.toString()))) {
            return spawn(paths, cwd != null, inputFd, fa, attr, sigs, argvBlock, envBlock);
        }
    }

    /** {@code paths}: the program, the output, {@code /dev/null} and the working directory, as C strings. */
    private static long spawn(Memory paths, boolean chdir, int inputFd, Memory fa, Memory attr, Memory sigs, Memory argv,
                              Memory envp) throws IOException {
        Pointer program = paths.getPointer(0);
        Pointer output = paths.getPointer(Native.POINTER_SIZE);
        Pointer devNull = paths.getPointer(2L * Native.POINTER_SIZE);
        Pointer cwd = paths.getPointer(3L * Native.POINTER_SIZE);
        check(C.posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init");
        try {
            check(C.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try {
                if (inputFd >= 0) {
                    check(C.posix_spawn_file_actions_adddup2(fa, inputFd, 0), "adddup2 stdin");
                } else {
                    check(C.posix_spawn_file_actions_addopen(fa, 0, devNull, O_RDONLY, 0), "addopen stdin");
                }
                check(C.posix_spawn_file_actions_addopen(fa, 1, output, O_WRONLY, 0), "addopen stdout");
                check(C.posix_spawn_file_actions_adddup2(fa, 1, 2), "adddup2");
                check(C.posix_spawn_file_actions_addclosefrom_np(fa, 3), "addclosefrom_np");
                if (chdir) {
                    check(C.posix_spawn_file_actions_addchdir_np(fa, cwd), "addchdir_np");
                }
                // No signal blocked and every signal at its default: the JVM's ignored signals
                // (SIGPIPE among them) must not leak into the job's pipelines.
                C.sigemptyset(sigs);
                check(C.posix_spawnattr_setsigmask(attr, sigs), "setsigmask");
                C.sigfillset(sigs);
                check(C.posix_spawnattr_setsigdefault(attr, sigs), "setsigdefault");
                check(C.posix_spawnattr_setflags(attr,
                        (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)), "setflags");
                int[] pid = new int[1];
                int err = C.posix_spawn(pid, program, fa, attr, argv, envp);
                if (err != 0) {
                    throw new IOException("error=" + err + ", " + C.strerror(err));
                }
                return pid[0];
            } finally {
                C.posix_spawnattr_destroy(attr);
            }
        } finally {
            C.posix_spawn_file_actions_destroy(fa);
        }
    }

    /**
     * Waits for child {@code pid} to end and reaps it. Blocks the calling thread.
     *
     * @return its exit status, or 128 + the signal that ended it (as the JDK reports it)
     */
    static int waitFor(long pid) {
        int[] status = new int[1];
        while (true) {
            try {
                C.waitpid((int) pid, status, 0);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new IllegalStateException("waitpid(" + pid + "): " + C.strerror(e.getErrorCode()), e);
                }
            }
        }
        int s = status[0];
        int signal = s & 0x7f;
        return signal == 0 ? (s >> 8) & 0xff : 0x80 + signal;
    }

    /**
     * Sends signal number {@code signal} to {@code pid} (a negative pid: to that process group).
     *
     * @return false when no such process exists
     * @throws IllegalStateException on any other failure
     */
    static boolean kill(long pid, int signal) {
        try {
            C.kill((int) pid, signal);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return false;
            }
            throw new IllegalStateException("kill(" + pid + ", " + signal + "): " + C.strerror(e.getErrorCode()), e);
        }
    }

    /** Whether {@link InputPipe}s can be made (with the C library, whether or not spawning uses it). */
    static boolean pipesAvailable() {
        return C != null;
    }

    /**
     * An anonymous pipe for a child's stdin, as a shell would give it: the job can reopen it by name
     * ({@code /dev/stdin}), which a named FIFO would not allow once the writer is done (opening one waits
     * for a writer). The read end stays a raw descriptor until the child has it; the write end is reopened
     * through {@code /proc/self/fd} as a {@link FileChannel}, whose close from another
     * thread ends a blocked write.
     */
    static final class InputPipe implements AutoCloseable {

        private final FileChannel writer;
        private int readFd;

        private InputPipe(int readFd, FileChannel writer) {
            this.readFd = readFd;
            this.writer = writer;
        }

        /**
         * A new pipe; given to user {@code uid} and group {@code gid} when {@code uid >= 0}, so that a job
         * running as them may reopen it (a pipe is its creator's, mode 600).
         */
        static InputPipe open(int uid, int gid) throws IOException {
            int[] fds = new int[2];
            try {
                C.pipe2(fds, O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new IOException("pipe2: " + C.strerror(e.getErrorCode()), e);
            }
            try {
                if (uid >= 0) {
                    C.fchown(fds[0], uid, gid);
                }
                FileChannel w = FileChannel.open(
                        Path.of("/proc/self/fd/" + fds[1]), StandardOpenOption.WRITE);
                C.close(fds[1]);
                return new InputPipe(fds[0], w);
            } catch (LastErrorException e) {
                closeFd(fds[0]);
                closeFd(fds[1]);
                throw new IOException("stdin pipe: " + C.strerror(e.getErrorCode()), e);
            } catch (IOException | RuntimeException e) {
                closeFd(fds[0]);
                closeFd(fds[1]);
                throw e;
            }
        }

        /** The read end, for {@link #spawn}. */
        int readFd() {
            return readFd;
        }

        /** The read end by name, for {@link ProcessBuilder.Redirect#from}. */
        File readFile() {
            return new File("/proc/self/fd/" + readFd);
        }

        /** The write end. */
        FileChannel writer() {
            return writer;
        }

        /** Once the child has its copy: ours must go, or the child would never see the end of its input. */
        void closeReadEnd() {
            if (readFd >= 0) {
                closeFd(readFd);
                readFd = -1;
            }
        }

        /** Both ends (when the child could not be started). */
        @Override
        public void close() {
            closeReadEnd();
            try {
                writer.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
        }

        private static void closeFd(int fd) {
            try {
                C.close(fd);
            } catch (LastErrorException ignored) {
                // already closed or never opened: nothing more to do
            }
        }
    }

    /** A C {@code char *[]}, NULL-terminated, with its strings (UTF-8, NUL-terminated) in the same block. */
    static Memory cStrings(List<String> strings) {
        byte[][] encoded = new byte[strings.size()][];
        long bytes = (long) (strings.size() + 1) * Native.POINTER_SIZE;
        for (int i = 0; i < encoded.length; i++) {
            byte[] text = strings.get(i).getBytes(StandardCharsets.UTF_8);
            encoded[i] = java.util.Arrays.copyOf(text, text.length + 1);
            bytes += encoded[i].length;
        }
        Memory block = new Memory(bytes);
        long offset = (long) (strings.size() + 1) * Native.POINTER_SIZE;
        for (int i = 0; i < encoded.length; i++) {
            block.write(offset, encoded[i], 0, encoded[i].length);
            block.setPointer((long) i * Native.POINTER_SIZE, block.share(offset));
            offset += encoded[i].length;
        }
        block.setPointer((long) strings.size() * Native.POINTER_SIZE, null);
        return block;
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) {
            throw new IOException(what + ": error=" + rc + ", " + C.strerror(rc));
        }
    }
}
