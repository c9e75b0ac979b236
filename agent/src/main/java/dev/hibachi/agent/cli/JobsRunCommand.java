package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.schedule.GoDuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code hibachi jobs run NAME [--wait[=DURATION]]}: runs a job now. Without {@code --wait} it returns once the run
 * is planned ({@code POST /v1/jobs/{name}}, Dkron's route); with it, the agent holds the answer until the run is
 * over or the wait runs out ({@code POST /v1/jobs/{name}/run?wait=...}), and the exit code says how the run
 * ended, so that a script or a deploy step can run a job and act on its result.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Runs a job now, on the members its tags select.",
                "With --wait, waits until the run is over (every attempt on every member, retries included), prints"
                        + " each execution, and exits 0 only if the run succeeded: 1 if it failed, or is still"
                        + " running when the wait runs out."})
final class JobsRunCommand implements Callable<Integer> {
    static final String RUN_ID = "X-Hibachi-Run-Id";
    static final String RUN_STATUS = "X-Hibachi-Run-Status";
    /** Beyond the wait itself: the agent answers right after the wait, this covers the trip. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(30);

    @Mixin
    AgentAddress agent;

    @Mixin
    JsonOutput output = new JsonOutput();

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Option(names = "--wait", arity = "0..1", fallbackValue = "10m", paramLabel = "<duration>", description = {
            "Wait for the run to end, at most this long (a Go duration: 30s, 5m, 1h30m; 10m when given without a"
                    + " value: write --wait=30s, or put it after NAME)."})
    String wait;

    @Spec
    CommandSpec spec;

    JobsRunCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        ApiClient api = new ApiClient(agent.uri());
        String path = "/v1/jobs/" + ApiClient.segment(job);
        if (wait == null) {
            ApiClient.Response started = api.exchange("POST", path, null, Duration.ofSeconds(60));
            if (output.on()) {
                JsonOutput.print(spec.commandLine().getOut(), started.body());
                return 0;
            }
            String run = started.header(RUN_ID).map(id -> "run " + id).orElse("a run");
            spec.commandLine().getOut().println("Started " + run + " of job " + job + "; follow it with hibachi jobs"
                    + " executions " + job + ".");
            spec.commandLine().getOut().flush();
            return 0;
        }
        Duration limit = waitLimit();
        ApiClient.Response answer = api.exchange("POST", path + "/run" + ApiClient.query(Map.of("wait", wait.strip())),
                null, limit.plus(ANSWER_MARGIN));
        JsonNode executions = answer.body();
        String status = answer.header(RUN_STATUS).orElseGet(() -> answer.status() == 202 ? "running"
                : statusOf(executions));
        String runId = answer.header(RUN_ID).orElseGet(() -> executions.path(0).path("group").asText("?"));
        PrintWriter out = spec.commandLine().getOut();
        if (output.on()) {
            JsonOutput.print(out, executions);
        } else {
            print(out, runId, status, executions);
        }
        if (answer.status() == 202 || "running".equals(status)) {
            return fail("run " + runId + " of job " + job + " is still running after " + wait.strip()
                    + "; follow it with hibachi jobs executions " + job);
        }
        if ("success".equals(status)) {
            return 0;
        }
        List<String> failedOn = failedNodes(executions);
        return fail("run " + runId + " of job " + job + " " + status.replace('_', ' ')
                + (failedOn.isEmpty() ? "" : " on " + String.join(", ", failedOn)));
    }

    private Duration waitLimit() {
        Duration d;
        try {
            d = GoDuration.parse(wait.strip());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--wait: " + e.getMessage()
                    + " (write a Go duration such as 30s, 5m or 1h30m)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new ParameterException(spec.commandLine(), "--wait: must be longer than 0s, not " + wait.strip());
        }
        return d;
    }

    private static void print(PrintWriter out, String runId, String status, JsonNode executions) {
        out.println("Run " + runId + ": " + status.replace('_', ' ') + " (" + executions.size() + " execution"
                + (executions.size() == 1 ? "" : "s") + ")");
        for (JsonNode e : executions) {
            String exit = e.path("exit_code").isNumber() ? ", exit " + e.path("exit_code").asInt() : "";
            out.println(e.path("node_name").asText() + "  attempt " + e.path("attempt").asInt() + "  "
                    + TextTable.text(e.path("status")) + exit);
            String text = e.path("output").asText("");
            if (!text.isEmpty()) {
                text.lines().forEach(line -> out.println("    " + line));
            }
        }
        out.flush();
    }

    private int fail(String message) {
        spec.commandLine().getErr().println(spec.commandLine().getColorScheme().errorText("Error: " + message));
        spec.commandLine().getErr().flush();
        return 1;
    }

    /** The nodes whose last attempt did not succeed, in name order. */
    private static List<String> failedNodes(JsonNode executions) {
        Map<String, JsonNode> last = lastAttempts(executions);
        List<String> failed = new ArrayList<>();
        last.forEach((node, e) -> {
            if (!e.path("success").asBoolean()) {
                failed.add(node + (e.path("exit_code").isNumber() ? " (exit " + e.path("exit_code").asInt() + ")" : ""));
            }
        });
        return failed;
    }

    /** The run's status from its executions, for an agent that sends no {@value #RUN_STATUS}. */
    private static String statusOf(JsonNode executions) {
        Map<String, JsonNode> last = lastAttempts(executions);
        if (last.isEmpty() || last.values().stream().anyMatch(e -> "running".equals(e.path("status").asText()))) {
            return "running";
        }
        long ok = last.values().stream().filter(e -> e.path("success").asBoolean()).count();
        return ok == last.size() ? "success" : ok == 0 ? "failed" : "partially_failed";
    }

    private static Map<String, JsonNode> lastAttempts(JsonNode executions) {
        Map<String, JsonNode> last = new TreeMap<>();
        for (JsonNode e : executions) {
            last.merge(e.path("node_name").asText(), e,
                    (a, b) -> b.path("attempt").asInt() > a.path("attempt").asInt() ? b : a);
        }
        return last;
    }
}
