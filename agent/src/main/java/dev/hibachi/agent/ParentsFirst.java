package dev.hibachi.agent;

import dev.hibachi.store.model.Job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
        return order(jobs, Job::name, job -> job.isChild() ? job.parentJob() : "");
    }

    /**
     * Orders any things that stand for jobs (a job, a step of a plan), each known by {@code name} and naming its
     * parent with {@code parent} ("" for none); a parent outside the set puts no constraint.
     */
    public static <T> List<T> order(Collection<T> items, Function<T, String> name, Function<T, String> parent)
            throws CycleException {
        Map<String, T> byName = new LinkedHashMap<>();
        for (T item : items) {
            byName.put(name.apply(item), item);
        }
        List<T> out = new ArrayList<>(byName.size());
        Map<String, Boolean> state = new HashMap<>(); // false: being placed; true: placed
        for (String item : byName.keySet()) {
            place(item, byName, parent, state, out, new ArrayList<>());
        }
        return out;
    }

    private static <T> void place(String name, Map<String, T> byName, Function<T, String> parentOf,
                                  Map<String, Boolean> state, List<T> out, List<String> path) throws CycleException {
        Boolean s = state.get(name);
        if (Boolean.TRUE.equals(s)) {
            return;
        }
        path.add(name);
        if (Boolean.FALSE.equals(s)) {
            throw new CycleException("parent_job makes a cycle: " + String.join(" → ", path));
        }
        state.put(name, false);
        T item = byName.get(name);
        String parent = parentOf.apply(item);
        if (!parent.isEmpty() && byName.containsKey(parent)) {
            place(parent, byName, parentOf, state, out, path);
        }
        state.put(name, true);
        out.add(item);
        path.remove(path.size() - 1);
    }
}
