package dev.hibachi.e2e;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The executions of some jobs at one moment, to check later that none of them was lost or changed. */
final class HistorySnapshot {
    private final Map<String, List<Execution>> byJob;

    private HistorySnapshot(Map<String, List<Execution>> byJob) {
        this.byJob = byJob;
    }

    static HistorySnapshot take(HibachiApi api, Collection<String> jobs) {
        Map<String, List<Execution>> byJob = new LinkedHashMap<>();
        jobs.forEach(j -> byJob.put(j, api.executions(j)));
        return new HistorySnapshot(byJob);
    }

    int executions() {
        return byJob.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Every execution of the snapshot is still listed by {@code api}; those that had finished are exactly as
     * they were (a running one may have finished since).
     */
    void assertStillIn(AgentProcess agent) {
        byJob.forEach((job, before) -> {
            Map<String, Execution> now = agent.api().executions(job).stream()
                    .collect(Collectors.toMap(Execution::id, Function.identity(), (a, b) -> a));
            for (Execution e : before) {
                assertThat(now).as("%s lists execution %s of %s", agent.name(), e.id(), job).containsKey(e.id());
                if (e.finished()) {
                    assertThat(now.get(e.id())).as("execution %s of %s on %s", e.id(), job, agent.name()).isEqualTo(e);
                }
            }
        });
    }
}
