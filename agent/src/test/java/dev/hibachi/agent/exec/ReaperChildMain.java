package dev.hibachi.agent.exec;

import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in agent for {@link ReaperTest}: starts the reaper and two jobs (one that ignores TERM),
 * prints their process groups and the reaper's pid, then blocks until it is killed.
 */
public final class ReaperChildMain {

    private ReaperChildMain() {}

    public static void main(String[] args) throws Exception {
        ProcessGroups groups = new ProcessGroups(Path.of(args[0]));
        groups.startReaper();
        ShellExecutor shell = new ShellExecutor();
        RunningExecution plain = shell.start(new ExecutionRequest("plain",
                Map.of("command", "sleep 1000"), 1, 1, new OutputBuffer(), groups));
        OutputBuffer stubbornOut = new OutputBuffer();
        RunningExecution stubborn = shell.start(new ExecutionRequest("stubborn",
                Map.of("command", "trap '' TERM; echo trapped; sleep 1000 & sleep 1000", "shell", "true"), 2, 1,
                stubbornOut, groups));
        // Only once TERM is ignored does the test show that the reaper's KILL is needed.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!stubbornOut.text().contains("trapped") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.println("PGID " + plain.processGroup().getAsLong());
        System.out.println("PGID " + stubborn.processGroup().getAsLong());
        System.out.println("REAPER " + groups.reaperPid().getAsLong());
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
