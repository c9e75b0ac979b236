package dev.hibachi.e2e.bench;

import dev.hibachi.e2e.HibachiApi;
import dev.hibachi.e2e.JobJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code @every 1s} jobs created at staggered times across one second. {@code @every} is anchored to the time
 * its schedule was set, so their phases spread over the second: the load is even rather than a herd, and the
 * first instant after any moment (a kill) comes within a fraction of a second.
 */
final class SpreadJobs {
    private SpreadJobs() {
    }

    static List<String> create(HibachiApi api, String prefix, int count, String command, Map<String, String> tags)
            throws InterruptedException {
        List<String> names = new ArrayList<>();
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(8);
        try {
            List<ScheduledFuture<?>> done = new ArrayList<>();
            long stepMicros = 1_000_000L / count;
            for (int i = 0; i < count; i++) {
                String name = String.format("%s-%03d", prefix, i);
                names.add(name);
                String json = JobJson.shell(name, "@every 1s", command, tags);
                done.add(pool.schedule(() -> api.putJob(json), i * stepMicros, TimeUnit.MICROSECONDS));
            }
            for (ScheduledFuture<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating the " + prefix + " jobs failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return names;
    }
}
