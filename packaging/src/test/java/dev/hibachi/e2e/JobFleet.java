package dev.hibachi.e2e;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A batch of alike shell jobs, created in parallel through one agent's API. {@link #createdBy()} is when the
 * last creation was answered: the earliest start of a run-ledger window over them.
 */
public final class JobFleet {
    private final List<String> names;
    private final Instant createdBy;

    private JobFleet(List<String> names, Instant createdBy) {
        this.names = List.copyOf(names);
        this.createdBy = createdBy;
    }

    /** Creates {@code prefix-000 ... prefix-(count-1)}, each {@code schedule}, {@code command}, {@code tags}. */
    public static JobFleet create(HibachiApi api, String prefix, int count, String schedule, String command,
                                  Map<String, String> tags) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(String.format("%s-%03d", prefix, i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String name : names) {
                done.add(pool.submit(() -> api.putJob(JobJson.shell(name, schedule, command, tags))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AssertionError a ? a : new AssertionError("creating " + prefix, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        return new JobFleet(names, Instant.now());
    }

    public List<String> names() {
        return names;
    }

    public Instant createdBy() {
        return createdBy;
    }

}
