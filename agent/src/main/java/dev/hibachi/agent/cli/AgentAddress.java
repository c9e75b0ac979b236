package dev.hibachi.agent.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * Which agent a command such as {@code hibachi members} asks: {@code --address}, else {@code HIBACHI_HTTP_ADDR},
 * else {@code HIBACHI_ADDR} (the name earlier docs gave), else the local agent's default address.
 * {@code HIBACHI_HTTP_ADDR} is also the variable of the agent's own {@code --http-addr}, so on a machine whose
 * agent is configured through it, the commands find that agent without being told. Dkron's {@code --rpc-addr}
 * is taken as a synonym of {@code --address}, so scripts keep working once pointed at the HTTP port: Hibachi's
 * commands speak to the HTTP API, not to the Raft port.
 */
final class AgentAddress {
    static final String VARIABLE = "HIBACHI_HTTP_ADDR";
    /** The variable's earlier name, still read when {@link #VARIABLE} is unset. */
    static final String OLD_VARIABLE = "HIBACHI_ADDR";
    static final String DEFAULT = "http://127.0.0.1:8080";

    @Option(names = {"--address", "--rpc-addr"}, paramLabel = "<url>", description = {
            "HTTP address of the agent to ask, http://host:port or host:port (--rpc-addr, Dkron's name, is the"
                    + " same: it names the HTTP API here, not the Raft port).",
            "Default: $" + VARIABLE + ", else " + DEFAULT + "."})
    String address;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final Map<String, String> env;

    AgentAddress(Map<String, String> env) {
        this.env = env;
    }

    /** The agent's base URI; a malformed address is a usage error naming where it came from. */
    URI uri() {
        String from;
        String text;
        if (address != null) {
            from = "--address";
            text = address.trim();
            if (text.isEmpty()) {
                throw new ParameterException(command.commandLine(), "--address: must not be empty");
            }
        } else if (!variable(VARIABLE).isEmpty()) {
            from = VARIABLE;
            text = variable(VARIABLE);
        } else if (!variable(OLD_VARIABLE).isEmpty()) {
            from = OLD_VARIABLE;
            text = variable(OLD_VARIABLE);
        } else {
            from = "the default";
            text = DEFAULT;
        }
        String url = text.contains("://") ? text : "http://" + (text.startsWith(":") ? "127.0.0.1" + text : text);
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(url, "expected http://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ParameterException(command.commandLine(),
                    from + ": '" + text + "' is not an HTTP address; write e.g. " + DEFAULT + " or 10.0.0.5:8080");
        }
    }

    /** An empty variable counts as unset, as for every other {@code HIBACHI_*} variable. */
    private String variable(String name) {
        return env.getOrDefault(name, "").trim();
    }
}
