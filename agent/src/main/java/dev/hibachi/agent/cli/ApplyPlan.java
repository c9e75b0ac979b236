package dev.hibachi.agent.cli;

import dev.hibachi.agent.ParentsFirst;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code hibachi jobs apply} will do to make the cluster's jobs match the files: which jobs to create, to
 * change (with what changes), to delete ({@code --prune}: the cluster's jobs that no file defines), and in which
 * order. Every job is written after its parent ({@code parent_job}), because the store refuses a child whose parent
 * does not exist yet; jobs are deleted children first, because it refuses to delete a parent that still has one;
 * writes go before deletes, so that a child moved away from a pruned parent no longer holds it. A parent that is
 * missing, or would be pruned, and a cycle of parents are found here, before anything is applied.
 */
final class ApplyPlan {
    enum Action {
        CREATE("+", "create", "created"), CHANGE("~", "change", "changed"), DELETE("-", "delete", "deleted");

        final String sign;
        final String verb;
        final String done;

        Action(String sign, String verb, String done) {
            this.sign = sign;
            this.verb = verb;
            this.done = done;
        }
    }

    /**
     * One thing to do to one job. {@code after} names the jobs whose own steps must have succeeded first (the
     * parent for a write, the children for a delete): when one of them failed, this step is not tried.
     */
    record Step(Action action, String job, JobDefinition wanted, List<JobDefinition.Change> changes,
                List<String> after) {
    }

    private final List<Step> steps;
    private final List<String> unchanged;

    private ApplyPlan(List<Step> steps, List<String> unchanged) {
        this.steps = List.copyOf(steps);
        this.unchanged = List.copyOf(unchanged);
    }

    /**
     * The plan that makes {@code cluster} match {@code files}; with {@code prune}, the cluster's jobs that the files
     * do not define are deleted.
     */
    static ApplyPlan of(List<JobFiles.Defined> files, Collection<JobDefinition> cluster, boolean prune)
            throws JobDefinitionException {
        Map<String, JobDefinition> current = new TreeMap<>();
        cluster.forEach(d -> current.put(d.name(), d));
        Map<String, JobFiles.Defined> wanted = new TreeMap<>();
        files.forEach(d -> wanted.put(d.definition().name(), d));

        // Every job's parent once the plan is applied: the files' word for their jobs, the cluster's for the rest.
        Map<String, String> parents = new TreeMap<>();
        current.forEach((name, d) -> {
            if (!prune || wanted.containsKey(name)) {
                parents.put(name, d.parent());
            }
        });
        wanted.forEach((name, d) -> parents.put(name, d.definition().parent()));
        for (JobFiles.Defined d : wanted.values()) {
            checkParent(d, parents, current, prune);
        }

        Map<String, Step> writes = new TreeMap<>();
        List<String> unchanged = new ArrayList<>();
        for (JobFiles.Defined d : wanted.values()) {
            JobDefinition now = current.get(d.definition().name());
            String parent = d.definition().parent();
            if (now == null) {
                writes.put(d.definition().name(), new Step(Action.CREATE, d.definition().name(), d.definition(),
                        List.of(), parent.isEmpty() ? List.of() : List.of(parent)));
            } else if (!now.equals(d.definition())) {
                writes.put(d.definition().name(), new Step(Action.CHANGE, d.definition().name(), d.definition(),
                        d.definition().changesFrom(now), parent.isEmpty() ? List.of() : List.of(parent)));
            } else {
                unchanged.add(d.definition().name());
            }
        }
        List<Step> ordered;
        try {
            ordered = new ArrayList<>(ParentsFirst.order(writes.values(), Step::job,
                    s -> s.after().isEmpty() ? "" : s.after().get(0)));
        } catch (ParentsFirst.CycleException e) {
            throw new IllegalStateException("a cycle of parents passed checkParent: " + e.getMessage(), e);
        }
        // A step waits only for steps of this plan: a parent that is unchanged or already there is no step.
        ordered.replaceAll(s -> new Step(s.action(), s.job(), s.wanted(), s.changes(),
                s.after().stream().filter(writes::containsKey).toList()));

        if (prune) {
            List<String> deleted = current.keySet().stream().filter(n -> !wanted.containsKey(n)).toList();
            Map<String, Integer> depth = new LinkedHashMap<>();
            deleted.forEach(n -> depth.put(n, depth(n, current)));
            deleted.stream().sorted(Comparator.comparing((String n) -> -depth.get(n)).thenComparing(n -> n))
                    .forEach(n -> ordered.add(new Step(Action.DELETE, n, null, List.of(), deleted.stream()
                            .filter(child -> current.get(child).parent().equals(n)).toList())));
        }
        return new ApplyPlan(ordered, unchanged);
    }

    /** A file's job names a parent that will exist once the plan is applied, and no cycle of parents. */
    private static void checkParent(JobFiles.Defined d, Map<String, String> parents, Map<String, JobDefinition> current,
                                    boolean prune) throws JobDefinitionException {
        String name = d.definition().name();
        String parent = d.definition().parent();
        if (parent.isEmpty()) {
            return;
        }
        if (!parents.containsKey(parent)) {
            throw new JobDefinitionException(d.where() + ": job \"" + name + "\": parent_job \"" + parent + "\" "
                    + (prune && current.containsKey(parent) ? "is defined in no file, so --prune would delete it"
                    : "is neither defined in the files nor a job of the cluster"));
        }
        List<String> chain = new ArrayList<>(List.of(name));
        for (String p = parent; !p.isEmpty(); p = parents.getOrDefault(p, "")) {
            chain.add(p);
            if (p.equals(name)) {
                throw new JobDefinitionException(d.where() + ": job \"" + name + "\": parent_job makes a cycle: "
                        + String.join(" → ", chain));
            }
            if (chain.size() > parents.size() + 1) {
                break; // a cycle above this job, not through it: reported from one of its own jobs
            }
        }
    }

    /** How many ancestors {@code name} has in the cluster (the store never holds a cycle). */
    private static int depth(String name, Map<String, JobDefinition> jobs) {
        int depth = 0;
        for (JobDefinition d = jobs.get(name); d != null && !d.parent().isEmpty() && depth <= jobs.size(); depth++) {
            d = jobs.get(d.parent());
        }
        return depth;
    }

    /** The steps in the order they are applied: writes (parents first), then deletes (children first). */
    List<Step> steps() {
        return steps;
    }

    List<String> unchanged() {
        return unchanged;
    }

    long count(Action action) {
        return steps.stream().filter(s -> s.action() == action).count();
    }
}
