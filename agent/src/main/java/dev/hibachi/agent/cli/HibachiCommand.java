package dev.hibachi.agent.cli;

import picocli.CommandLine.Command;

@Command(name = "hibachi", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Hibachi, a distributed cron: every machine runs one agent; servers replicate the jobs.",
        subcommands = {AgentCommand.class, VersionCommand.class})
public final class HibachiCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
