package dev.hibachi.agent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hibachi jobs}: the cluster's jobs; its work is in the subcommands. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Acts on the cluster's jobs and their executions.")
final class JobsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
