package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code hibachi jobs logs [-f] NAME}: an execution's output, by default the job's newest; with {@code -f} it
 * follows the output as it is written ({@code GET .../output?follow=true}, server-sent events) until the
 * execution ends, and exits with 0 if it succeeded, 1 if not.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Prints the output of a job's newest execution (or of --execution ID). With -f, follows it"
                + " while it runs, from whichever member runs it, until it ends; the exit code is then 0 if the"
                + " execution succeeded and 1 if it did not. How it ended goes to standard error."})
final class JobsLogsCommand implements Callable<Integer> {
    @Mixin
    AgentAddress agent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The job.")
    String job;

    @Option(names = {"-f", "--follow"}, description = "Follow the output until the execution ends.")
    boolean follow;

    @Option(names = "--execution", paramLabel = "ID", description = "The execution (an id from `hibachi jobs"
            + " executions`). Default: the job's newest.")
    String execution;

    JobsLogsCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        ApiClient api = new ApiClient(agent.uri());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String id = execution != null ? execution : newest(api, err);
        String path = "/v1/jobs/" + ApiClient.segment(job) + "/executions/" + ApiClient.segment(id) + "/output";
        if (!follow) {
            out.print(api.text(path));
            out.flush();
            return 0;
        }
        try (Stream<String> lines = api.lines(path + "?follow=true", "text/event-stream")) {
            return print(lines.iterator(), out, err);
        }
    }

    /** The newest execution's id; says on {@code err} when its run has executions on other members too. */
    private String newest(ApiClient api, PrintWriter err) throws ApiCallFailed {
        JsonNode list = api.get("/v1/jobs/" + ApiClient.segment(job) + "/executions" + ApiClient.query(
                Map.of("_sort", "started_at", "_order", "DESC", "_start", "0", "_end", "20",
                        "output_size_limit", "0")));
        if (list.isEmpty()) {
            throw new ApiCallFailed("job " + job + " has no executions yet");
        }
        JsonNode newest = list.get(0);
        List<String> others = new ArrayList<>();
        for (JsonNode e : list) {
            if (e != newest && e.path("group").asLong() == newest.path("group").asLong()) {
                others.add(e.path("id").asText());
            }
        }
        if (!others.isEmpty()) {
            err.println("hibachi: run " + newest.path("group").asText() + " also has executions " + others
                    + "; choose one with --execution ID");
            err.flush();
        }
        return newest.path("id").asText();
    }

    /** Prints the events' output as it comes; the exit code from the final status. */
    private static int print(Iterator<String> lines, PrintWriter out, PrintWriter err) throws ApiCallFailed {
        String event = "message";
        StringBuilder data = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (data != null) {
                    Integer exit = handle(event, data.toString(), out, err);
                    if (exit != null) {
                        return exit;
                    }
                }
                event = "message";
                data = null;
            } else if (line.startsWith("event:")) {
                event = field(line, 6);
            } else if (line.startsWith("data:")) {
                data = data == null ? new StringBuilder(field(line, 5)) : data.append('\n').append(field(line, 5));
            }
        }
        throw new ApiCallFailed("the output stream ended before the execution did; run the command again");
    }

    private static String field(String line, int from) {
        return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
    }

    /** Acts on one event; the exit code when it is the last. */
    private static Integer handle(String event, String data, PrintWriter out, PrintWriter err) {
        switch (event) {
            case "output" -> {
                out.print(data);
                out.flush();
            }
            case "truncated" -> {
                err.println("hibachi: " + Json.read(data.getBytes(StandardCharsets.UTF_8), JsonNode.class)
                        .path("skipped").asLong() + " bytes of output were dropped before they could be shown");
                err.flush();
            }
            case "reset" -> {
                err.println("hibachi: the live output was lost; the stored output follows");
                err.flush();
            }
            case "end" -> {
                JsonNode end = Json.read(data.getBytes(StandardCharsets.UTF_8), JsonNode.class);
                out.flush();
                String exit = end.has("exit_code") ? ", exit code " + end.path("exit_code").asInt() : "";
                String by = end.has("killed_by") ? ", killed by " + end.path("killed_by").asText() : "";
                String why = end.has("error") ? ": " + end.path("error").asText() : "";
                err.println("hibachi: execution " + end.path("id").asText() + " " + end.path("status").asText()
                        + exit + by + why);
                err.flush();
                return end.path("success").asBoolean() ? 0 : 1;
            }
            default -> {
                // an event this version does not know: skipped
            }
        }
        return null;
    }
}
