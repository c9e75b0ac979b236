package dev.hibachi.agent.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors' shared daemon threads: a cached pool (one output reader per running process, plus
 * short tasks: kill steps and completion), and one timer thread that only schedules work onto the
 * pool. Idle pool threads end after 60 s. Never shut down (daemon threads).
 */
final class ExecThreads {

    static final ExecutorService POOL = new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory("hibachi-exec-"));

    static final ScheduledThreadPoolExecutor TIMER = timer();

    private ExecThreads() {}

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, factory("hibachi-exec-timer-"));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Runs {@code task} on the pool after {@code delayMillis}. */
    static java.util.concurrent.ScheduledFuture<?> later(long delayMillis, Runnable task) {
        return TIMER.schedule(() -> POOL.execute(task), delayMillis, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
