package dev.hibachi.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code hibachi agent} returns when its agent stops by itself (it was asked to leave), not only on SIGTERM,
 * and lets main end the JVM.
 */
class AgentStopsByItselfTest {
    @TempDir
    Path dataDir;

    @Test
    void theCommandReturnsOnceTheAgentHasStoppedByItself() throws Exception {
        CompletableFuture<Runnable> onClosed = new CompletableFuture<>();
        CountDownLatch closedByCommand = new CountDownLatch(1);
        TestCli cli = new TestCli(Map.of(), (config, hook) -> {
            onClosed.complete(hook);
            return closedByCommand::countDown;
        });

        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> cli.execute("--dev", "--data-dir", dataDir.toString()));
        Runnable stoppedByItself = onClosed.get(10, TimeUnit.SECONDS);
        assertThat(exit).as("running while the agent runs").isNotDone();
        assertThat(AgentCommand.RUNNING.get()).isTrue();

        stoppedByItself.run();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(AgentCommand.RUNNING.get()).as("main may exit the JVM").isFalse();
        assertThat(closedByCommand.getCount()).as("the agent closed itself; the command need not").isEqualTo(1);
    }
}
