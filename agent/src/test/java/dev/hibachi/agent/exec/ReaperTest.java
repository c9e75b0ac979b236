package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Children die with the agent: kill -9 of the JVM, and the reaper kills the job groups. */
class ReaperTest {

    @TempDir
    Path tmp;

    private Process agent;
    private final List<Long> pgids = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (agent != null) {
            agent.destroyForcibly();
        }
        for (long pg : pgids) {
            if (Procs.groupAlive(pg)) {
                Procs.signalGroup(pg, "KILL");
            }
        }
    }

    @Test
    void killMinus9OfTheAgentKillsItsProcessGroups() throws Exception {
        Path dir = tmp.resolve("pgroups");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        agent = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ReaperChildMain.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        StringBuilder transcript = new StringBuilder();
        long[] reaper = new long[1];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.equals("READY")) {
                transcript.append(line).append('\n');
                if (line.startsWith("PGID ")) {
                    pgids.add(Long.parseLong(line.substring(5).trim()));
                } else if (line.startsWith("REAPER ")) {
                    reaper[0] = Long.parseLong(line.substring(7).trim());
                }
            }
            assertThat(line).as("agent output:\n%s", transcript).isEqualTo("READY");
        });
        assertThat(pgids).hasSize(2);
        for (long pg : pgids) {
            assertThat(Procs.groupAlive(pg)).isTrue();
            assertThat(dir.resolve(Long.toString(pg))).exists();
        }
        assertThat(Procs.pidAlive(reaper[0])).isTrue();

        agent.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(50))
                .until(() -> pgids.stream().noneMatch(Procs::groupAlive));
        await().atMost(Duration.ofSeconds(6)).until(() -> !Procs.pidAlive(reaper[0]));
        String log = Files.readString(dir.resolve(".reaper.log"));
        assertThat(log).contains("agent gone").contains("sent TERM").contains("sent KILL");
        // The files stay for the next agent, whose killLeftovers() finds nothing alive.
        ProcessGroups next = new ProcessGroups(dir);
        assertThat(next.killLeftovers(Duration.ofMillis(100))).isEmpty();
        for (long pg : pgids) {
            assertThat(dir.resolve(Long.toString(pg))).doesNotExist();
        }
    }
}
