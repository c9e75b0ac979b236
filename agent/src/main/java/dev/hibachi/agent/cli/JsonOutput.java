package dev.hibachi.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.json.Json;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * {@code --json}, shared by the commands that ask an agent: print the agent's JSON answer, indented, instead of
 * the table or sentence meant for people, so that scripts read the fields themselves ({@code | jq ...}) and do not
 * depend on column layouts.
 */
final class JsonOutput {
    @Option(names = "--json", description = "Print the agent's answer as JSON (indented), for scripts, instead of"
            + " a table or a sentence.")
    boolean json;

    boolean on() {
        return json;
    }

    static void print(PrintWriter out, JsonNode value) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
