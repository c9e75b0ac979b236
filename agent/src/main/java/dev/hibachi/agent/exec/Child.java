package dev.hibachi.agent.exec;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A process the executor started, however it was started: by {@link PosixSpawn} (then this JVM reaps it)
 * or by {@link ProcessBuilder} (then the JDK does).
 */
interface Child {

    long pid();

    /** Completes with the exit code (128 + signal when a signal ended it) once the process has been reaped. */
    CompletableFuture<Integer> exit();

    default boolean isAlive() {
        return !exit().isDone();
    }

    /** SIGTERM, or SIGKILL when {@code kill}, to this process only. */
    void signal(boolean kill);

    /** The live descendants the JVM can see (by parent pid). */
    Stream<ProcessHandle> descendants();

    /** A process started by {@link ProcessBuilder}. */
    static Child of(Process process) {
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        return new Child() {
            @Override
            public long pid() {
                return process.pid();
            }

            @Override
            public CompletableFuture<Integer> exit() {
                return exit;
            }

            @Override
            public boolean isAlive() {
                return process.isAlive();
            }

            @Override
            public void signal(boolean kill) {
                if (kill) {
                    process.destroyForcibly();
                } else {
                    process.destroy();
                }
            }

            @Override
            public Stream<ProcessHandle> descendants() {
                return process.descendants();
            }
        };
    }

    /** A child started by {@link PosixSpawn}: one pool thread waits for it and reaps it. */
    static Child spawned(long pid) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        ExecThreads.POOL.execute(() -> {
            try {
                exit.complete(PosixSpawn.waitFor(pid));
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
        return new Child() {
            @Override
            public long pid() {
                return pid;
            }

            @Override
            public CompletableFuture<Integer> exit() {
                return exit;
            }

            @Override
            public void signal(boolean kill) {
                // Once reaped, the pid is free for reuse: signal it only before.
                if (!exit.isDone()) {
                    PosixSpawn.kill(pid, kill ? PosixSpawn.SIGKILL : PosixSpawn.SIGTERM);
                }
            }

            @Override
            public Stream<ProcessHandle> descendants() {
                return ProcessHandle.of(pid).map(ProcessHandle::descendants).orElseGet(Stream::empty);
            }
        };
    }
}
