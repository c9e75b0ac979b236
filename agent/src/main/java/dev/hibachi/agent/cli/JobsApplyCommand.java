package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code hibachi jobs apply -f FILE|DIR}: makes the cluster's jobs match job definition files, so that jobs can
 * live in git and be reviewed and deployed like code. It reads every file first (any mistake stops it before
 * anything is sent), fetches the cluster's jobs, prints the plan ({@link ApplyPlan}), and then, unless
 * {@code --dry-run}, carries it out with {@code POST /v1/jobs} and {@code DELETE /v1/jobs/{name}}.
 *
 * <p>A failed step does not stop the others, because most jobs are independent and a half-applied set is better
 * finished than abandoned; but a step that needs a failed one (a child of a parent that could not be written, a
 * parent whose child could not be deleted) is skipped, as the store would refuse it. Every failure is reported,
 * and the exit code is then 1.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Creates and changes the cluster's jobs to match job definition files (.json, .yaml, .yml: a"
                + " job or a list of jobs each; directories are read recursively, hidden ones skipped), and with"
                + " --prune deletes the jobs no file defines. Prints the plan first; --dry-run stops there.",
                "Exit codes: 0 applied, 1 a request failed, 2 a file or the plan is invalid (nothing applied)."})
final class JobsApplyCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "<file|dir>", description = "A job definition"
            + " file, or a directory of them; repeatable.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--prune", description = "Also delete the cluster's jobs that no file defines.")
    boolean prune;

    @Option(names = "--dry-run", description = "Print the plan, change nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    JobsApplyCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ApiClient api = new ApiClient(agent.uri());
        ApplyPlan plan;
        try {
            List<JobFiles.Defined> files = JobFiles.read(paths);
            if (files.isEmpty() && prune) {
                throw new JobDefinitionException("no job is defined in " + paths + "; --prune would delete every job"
                        + " of the cluster, so nothing is done (delete them with hibachi jobs delete)");
            }
            List<JobDefinition> cluster = new ArrayList<>();
            for (JsonNode job : JobListing.all(api)) {
                cluster.add(JobDefinition.ofAnswer(job));
            }
            plan = ApplyPlan.of(files, cluster, prune);
        } catch (JobDefinitionException e) {
            err.println(spec.commandLine().getColorScheme().errorText("Error: " + e.getMessage()));
            err.flush();
            return 2;
        }
        if (!output.on()) {
            printPlan(out, plan);
        }
        List<String> failures = dryRun ? List.of() : carryOut(api, plan, err);
        if (output.on()) {
            JsonOutput.print(out, json(plan, failures));
        } else {
            out.println(summary(plan, failures.size()));
            out.flush();
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private static void printPlan(PrintWriter out, ApplyPlan plan) {
        for (ApplyPlan.Step step : plan.steps()) {
            out.println(step.action().sign + " " + step.action().verb + " " + step.job());
            step.changes().forEach(c -> out.println("    " + c));
        }
        if (!plan.unchanged().isEmpty()) {
            out.println("= " + plan.unchanged().size() + " unchanged");
        }
        out.flush();
    }

    /** Applies the steps in order; answers one line per step that failed or was skipped because of a failure. */
    private List<String> carryOut(ApiClient api, ApplyPlan plan, PrintWriter err) {
        List<String> failures = new ArrayList<>();
        Set<String> failed = new HashSet<>();
        ApplyProgress progress = new ApplyProgress(err, plan.steps().size(), System::nanoTime);
        int done = 0;
        for (ApplyPlan.Step step : plan.steps()) {
            String blocker = step.after().stream().filter(failed::contains).findFirst().orElse(null);
            String problem;
            if (blocker != null) {
                problem = "not tried: " + (step.action() == ApplyPlan.Action.DELETE ? "its child " : "its parent ")
                        + blocker + " was not " + (step.action() == ApplyPlan.Action.DELETE ? "deleted" : "applied");
            } else {
                problem = send(api, step);
            }
            if (problem != null) {
                failed.add(step.job());
                String line = "could not " + step.action().verb + " job " + step.job() + ": " + problem;
                failures.add(line);
                err.println(spec.commandLine().getColorScheme().errorText("Error: " + line));
                err.flush();
            }
            progress.done(++done);
        }
        return failures;
    }

    /** One step's request; null when it succeeded, else the agent's message. */
    private static String send(ApiClient api, ApplyPlan.Step step) {
        try {
            if (step.action() == ApplyPlan.Action.DELETE) {
                api.delete("/v1/jobs/" + ApiClient.segment(step.job()));
            } else {
                api.post("/v1/jobs", step.wanted().json());
            }
            return null;
        } catch (ApiCallFailed e) {
            return e.getMessage();
        }
    }

    private String summary(ApplyPlan plan, int failures) {
        long create = plan.count(ApplyPlan.Action.CREATE);
        long change = plan.count(ApplyPlan.Action.CHANGE);
        long delete = plan.count(ApplyPlan.Action.DELETE);
        if (dryRun) {
            return "Dry run: " + create + " to create, " + change + " to change, " + plan.unchanged().size()
                    + " unchanged, " + delete + " to delete; nothing was applied.";
        }
        return create + " created, " + change + " changed, " + plan.unchanged().size() + " unchanged, " + delete
                + " deleted" + (failures == 0 ? "" : "; " + failures + " failed (see above)");
    }

    /** The plan and what became of it, for {@code --json}. */
    private ObjectNode json(ApplyPlan plan, List<String> failures) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("dry_run", dryRun);
        ArrayNode steps = root.putArray("steps");
        for (ApplyPlan.Step step : plan.steps()) {
            ObjectNode s = steps.addObject().put("action", step.action().verb).put("job", step.job());
            if (!step.changes().isEmpty()) {
                ArrayNode changes = s.putArray("changes");
                for (JobDefinition.Change c : step.changes()) {
                    ObjectNode change = changes.addObject().put("field", c.field());
                    change.set("from", c.from());
                    change.set("to", c.to());
                }
            }
        }
        ArrayNode unchanged = root.putArray("unchanged");
        plan.unchanged().forEach(unchanged::add);
        ArrayNode failed = root.putArray("failures");
        failures.forEach(failed::add);
        return root;
    }
}
