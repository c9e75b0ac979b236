package dev.hibachi.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/** The JSON of the shell jobs the tests post (Dkron's job fields). */
public final class JobJson {
    private JobJson() {
    }

    /** A shell job; {@code tags} empty means none (every alive member, as in Dkron). */
    public static String shell(String name, String schedule, String command, Map<String, String> tags) {
        ObjectNode job = HibachiApi.JSON.createObjectNode();
        job.put("name", name);
        job.put("schedule", schedule);
        job.put("executor", "shell");
        job.putObject("executor_config").put("command", command);
        if (!tags.isEmpty()) {
            ObjectNode t = job.putObject("tags");
            tags.forEach(t::put);
        }
        return job.toString();
    }
}
