package dev.hibachi.agent.cli;

import dev.hibachi.agent.AgentConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code hibachi} command line over a given environment and a fixed host (name {@value #HOST_NAME},
 * private address {@value #PRIVATE_ADDRESS}). The launcher records each config; unless a test gives its own, it then
 * fails, so no agent starts.
 */
final class TestCli {
    static final String HOST_NAME = "host-a";
    static final String PRIVATE_ADDRESS = "10.1.2.3";

    final AgentCommand agent;
    final CommandLine root;
    final List<AgentConfig> started = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    TestCli(Map<String, String> env) {
        this(env, (config, onClosed) -> {
            throw new IllegalStateException("tests start no agent");
        });
    }

    /** The command line with {@code launcher} in place of starting a real agent. */
    TestCli(Map<String, String> env, AgentCommand.Launcher launcher) {
        LocalHost host = new LocalHost() {
            @Override
            public String name() {
                return HOST_NAME;
            }

            @Override
            public String privateAddress() {
                return PRIVATE_ADDRESS;
            }
        };
        agent = new AgentCommand(env, host, (config, onClosed) -> {
            started.add(config);
            return launcher.start(config, onClosed);
        });
        root = HibachiCommand.commandLine(agent, env);
        root.setOut(new PrintWriter(out, true));
        root.setErr(new PrintWriter(err, true));
    }

    TestCli() {
        this(Map.of());
    }

    /** Parses {@code hibachi agent <args>} as main does (Dkron's spellings included) and builds the config. */
    AgentConfig config(String... args) {
        root.parseArgs(DkronSpelling.normalize(agentArgs(args)));
        return agent.config();
    }

    /** Runs {@code hibachi <args>} as main does, and returns the exit code. */
    int run(String... args) {
        return root.execute(DkronSpelling.normalize(args));
    }

    /** Runs {@code hibachi agent <args>} as main does, and returns the exit code. */
    int execute(String... args) {
        return root.execute(DkronSpelling.normalize(agentArgs(args)));
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    private static String[] agentArgs(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "agent";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
