package dev.hibachi.agent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hibachi raft}: the store's Raft group; its work is in the subcommands. */
@Command(name = "raft", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Shows or changes the store's Raft group (the servers that replicate the jobs).")
final class RaftCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
