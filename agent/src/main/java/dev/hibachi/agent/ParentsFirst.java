package dev.hibachi.agent;

import dev.hibachi.store.model.Job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders a set of jobs so that a parent comes before its children, whoever writes many jobs at once (restore,
 * apply): the store refuses a child whose parent it does not hold yet. Jobs keep their given order otherwise.
 */
public final class ParentsFirst {
    private ParentsFirst() {
    }

    /** Thrown for a parent chain that loops within the set. */
    public static final class CycleException extends Exception {
        public CycleException(String message) {
            super(message, null, false, false);
        }
    }

    public static List<Job> order(Collection<Job> jobs) throws CycleException {
        Map<String, Job> byName = new LinkedHashMap<>();
        for (Job job : jobs) {
            byName.put(job.name(), job);
        }
        List<Job> out = new ArrayList<>(byName.size());
        Map<String, Boolean> state = new HashMap<>(); // false: being placed; true: placed
        for (Job job : byName.values()) {
            place(job, byName, state, out, new ArrayList<>());
        }
        return out;
    }

    private static void place(Job job, Map<String, Job> byName, Map<String, Boolean> state, List<Job> out,
                              List<String> path) throws CycleException {
        Boolean s = state.get(job.name());
        if (Boolean.TRUE.equals(s)) {
            return;
        }
        path.add(job.name());
        if (Boolean.FALSE.equals(s)) {
            throw new CycleException("parent_job makes a cycle: " + String.join(" → ", path));
        }
        state.put(job.name(), false);
        Job parent = job.isChild() ? byName.get(job.parentJob()) : null;
        if (parent != null) {
            place(parent, byName, state, out, path);
        }
        state.put(job.name(), true);
        out.add(job);
        path.remove(path.size() - 1);
    }
}
