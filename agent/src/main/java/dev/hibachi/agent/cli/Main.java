package dev.hibachi.agent.cli;

/** The {@code hibachi} binary. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = HibachiCommand.commandLine(System.getenv()).execute(DkronSpelling.normalize(args));
        if (code != 0 || !AgentCommand.RUNNING.get()) {
            System.exit(code);
        }
    }
}
