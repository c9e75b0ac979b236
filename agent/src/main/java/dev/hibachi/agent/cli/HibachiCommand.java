package dev.hibachi.agent.cli;

import dev.hibachi.agent.Agent;
import dev.hibachi.agent.AgentConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.security.SecureRandom;
import java.util.Map;

@Command(name = "hibachi", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Hibachi, a distributed cron: every machine runs one agent; servers replicate the jobs.")
public final class HibachiCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** The whole command line; {@code env} is where {@code HIBACHI_*} variables are read (the process's in main). */
    public static CommandLine commandLine(Map<String, String> env) {
        return commandLine(new AgentCommand(env, LocalHost.system(), HibachiCommand::startAgent), env);
    }

    static CommandLine commandLine(AgentCommand agent, Map<String, String> env) {
        CommandLine root = new CommandLine(new HibachiCommand());
        root.addSubcommand(agent.commandLine());
        root.addSubcommand(new MembersCommand(env));
        root.addSubcommand(new LeaderCommand(env));
        root.addSubcommand(new LeaveCommand(env));
        root.addSubcommand(new CommandLine(new RaftCommand())
                .addSubcommand(new RaftListPeersCommand(env))
                .addSubcommand(new RaftRemovePeerCommand(env)));
        root.addSubcommand(new CommandLine(new JobsCommand())
                .addSubcommand(new JobsListCommand(env))
                .addSubcommand(new JobsGetCommand(env))
                .addSubcommand(new JobsRunCommand(env))
                .addSubcommand(new JobsToggleCommand(env))
                .addSubcommand(new JobsDeleteCommand(env))
                .addSubcommand(new JobsExecutionsCommand(env))
                .addSubcommand(new JobsLogsCommand(env))
                .addSubcommand(new JobsMissesCommand(env))
                .addSubcommand(new JobsKillCommand(env, agent.host()))
                .addSubcommand(new JobsApplyCommand(env))
                .addSubcommand(new JobsExportCommand(env)));
        root.addSubcommand(new KeygenCommand(new SecureRandom()));
        root.addSubcommand(new VersionCommand());
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setParameterExceptionHandler(new UsageErrors());
        root.setExecutionExceptionHandler(new ApiCallErrors());
        return root;
    }

    private static AutoCloseable startAgent(AgentConfig config, Runnable onClosed) throws Exception {
        Agent agent = Agent.start(config);
        agent.onClosed(onClosed);
        return agent;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
