package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback when named pipes cannot be made: the JDK's own pipe. */
class ShellExecutorJdkPipeTest {

    @TempDir
    Path tmp;

    private ProcessGroups groups;
    private final List<Long> pidsToKill = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Fifos.disabled = true;
        groups = new ProcessGroups(tmp.resolve("pgroups"));
    }

    @AfterEach
    void tearDown() {
        Fifos.disabled = false;
        for (long pid : pidsToKill) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        groups.close();
    }

    private ExecutionResult run(Map<String, String> config) throws Exception {
        RunningExecution r = new ShellExecutor().start(new ExecutionRequest("jdk", config, 1, 1, new OutputBuffer(), groups));
        return r.completion().get(30, TimeUnit.SECONDS);
    }

    @Test
    void outputAndExitCode() throws Exception {
        ExecutionResult r = run(Map.of("command", "echo out; echo err >&2; exit 4", "shell", "true"));
        assertThat(r.output()).isEqualTo("out\nerr\n");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.success()).isFalse();
    }

    @Test
    void silentBackgroundChildDoesNotKeepTheRunOpen() throws Exception {
        long start = System.nanoTime();
        ExecutionResult r = run(Map.of("command", "sleep 1000 & echo $!", "shell", "true"));
        pidsToKill.add(Long.parseLong(r.output().trim()));
        assertThat(r.success()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000L);
    }

    @Test
    void timeoutKillsTheGroup() throws Exception {
        ExecutionResult r = run(Map.of("command", "echo $$; sleep 1000 & echo $!; sleep 1000", "shell", "true",
                "timeout", "300ms"));
        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("timed out after 300ms");
        for (String line : r.output().split("\n")) {
            if (line.matches("\\d+")) {
                long pid = Long.parseLong(line);
                pidsToKill.add(pid);
                await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.pidAlive(pid));
            }
        }
    }
}
