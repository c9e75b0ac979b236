package dev.hibachi.agent.cli;

import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan that apply carries out: what it does to which job, and in which order. */
class ApplyPlanTest {

    private static JobDefinition job(String name, String parent, String command) throws Exception {
        return JobDefinition.of(Json.mapper().readValue("{\"name\":\"" + name + "\",\"schedule\":\""
                + (parent.isEmpty() ? "@manually" : "") + "\",\"parent_job\":\"" + parent + "\",\"executor\":\"shell\","
                + "\"executor_config\":{\"command\":\"" + command + "\"}}", Job.class));
    }

    private static List<JobFiles.Defined> files(JobDefinition... jobs) {
        List<JobFiles.Defined> out = new ArrayList<>();
        for (int i = 0; i < jobs.length; i++) {
            out.add(new JobFiles.Defined(jobs[i], Path.of("jobs.yaml"), i + 1));
        }
        return out;
    }

    private static List<String> steps(ApplyPlan plan) {
        return plan.steps().stream().map(s -> s.action().sign + s.job()).toList();
    }

    @Test
    void createsChangesAndLeavesUnchangedJobsAlone() throws Exception {
        ApplyPlan plan = ApplyPlan.of(files(job("a", "", "x"), job("b", "", "new"), job("c", "", "x")),
                List.of(job("b", "", "old"), job("c", "", "x"), job("d", "", "x")), false);
        assertThat(steps(plan)).containsExactly("+a", "~b");
        assertThat(plan.unchanged()).containsExactly("c");
        assertThat(plan.steps().get(1).changes()).map(Object::toString)
                .containsExactly("executor_config.command: \"old\" → \"new\"");
    }

    @Test
    void parentsAreWrittenBeforeTheirChildrenAndPrunedAfterThem() throws Exception {
        ApplyPlan plan = ApplyPlan.of(files(job("a-child", "z-parent", "x"), job("b-grandchild", "a-child", "x"),
                        job("z-parent", "", "x")),
                List.of(job("old-parent", "", "x"), job("old-child", "old-parent", "x"),
                        job("old-grandchild", "old-child", "x")), true);
        assertThat(steps(plan)).containsExactly("+z-parent", "+a-child", "+b-grandchild",
                "-old-grandchild", "-old-child", "-old-parent");
        assertThat(plan.steps().get(1).after()).containsExactly("z-parent");
        assertThat(plan.steps().get(5).after()).containsExactly("old-child");
    }

    @Test
    void aParentAlreadyInTheClusterIsNoStepToWaitFor() throws Exception {
        ApplyPlan plan = ApplyPlan.of(files(job("child", "parent", "x")), List.of(job("parent", "", "x")), false);
        assertThat(steps(plan)).containsExactly("+child");
        assertThat(plan.steps().get(0).after()).isEmpty();
    }

    @Test
    void aMissingParentOrOneThatPruneWouldDeleteIsRefused() throws Exception {
        assertThatThrownBy(() -> ApplyPlan.of(files(job("child", "ghost", "x")), List.of(), false))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessage("jobs.yaml, line 1: job \"child\": parent_job \"ghost\" is neither defined in the files"
                        + " nor a job of the cluster");
        assertThatThrownBy(() -> ApplyPlan.of(files(job("child", "parent", "x")), List.of(job("parent", "", "x")), true))
                .hasMessage("jobs.yaml, line 1: job \"child\": parent_job \"parent\" is defined in no file, so --prune"
                        + " would delete it");
    }

    @Test
    void aCycleOfParentsIsRefusedBeforeAnything() throws Exception {
        assertThatThrownBy(() -> ApplyPlan.of(files(job("a", "b", "x"), job("b", "c", "x"), job("c", "a", "x")),
                List.of(), false))
                .hasMessage("jobs.yaml, line 1: job \"a\": parent_job makes a cycle: a → b → c → a");
    }

    @Test
    void withoutPruneTheClustersOtherJobsStay() throws Exception {
        ApplyPlan plan = ApplyPlan.of(files(job("a", "", "x")), List.of(job("a", "", "x"), job("b", "", "x")), false);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.count(ApplyPlan.Action.DELETE)).isZero();
    }
}
