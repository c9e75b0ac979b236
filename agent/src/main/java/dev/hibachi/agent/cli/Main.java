package dev.hibachi.agent.cli;

import picocli.CommandLine;

/** The {@code hibachi} binary. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = new CommandLine(new HibachiCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(DkronSpelling.normalize(args));
        if (code != 0 || !AgentCommand.RUNNING.get()) {
            System.exit(code);
        }
    }
}
