package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessGroupsTest {

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Process p : started) {
            if (Procs.groupAlive(p.pid())) {
                Procs.signalGroup(p.pid(), "KILL");
            }
            p.destroyForcibly();
        }
    }

    /** Starts {@code sh -c script} leading its own process group; returns the pgid. */
    private long group(String script) throws Exception {
        Process p = new ProcessBuilder(Procs.setsid().orElseThrow(), "/bin/sh", "-c", script)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        started.add(p);
        await().atMost(Duration.ofSeconds(10)).until(() -> Procs.stat(p.pid()).map(s -> s.pgrp() == p.pid()).orElse(false));
        return p.pid();
    }

    @Test
    void registerLiveUnregister() throws Exception {
        ProcessGroups groups = new ProcessGroups(tmp.resolve("a/b"));
        assertThat(groups.dir()).isDirectory();
        long pg = group("sleep 1000");
        groups.register(pg);
        assertThat(groups.dir().resolve(Long.toString(pg))).exists();
        assertThat(Files.readString(groups.dir().resolve(Long.toString(pg)))).contains("boot=").contains("start=");
        assertThat(groups.live()).containsExactly(pg);
        assertThat(groups.signal(pg, "KILL")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.live().isEmpty());
        groups.unregister(pg);
        assertThat(groups.dir().resolve(Long.toString(pg))).doesNotExist();
        groups.close();
    }

    @Test
    void signalToAGroupThatIsGoneReturnsFalse() throws Exception {
        Process exited = new ProcessBuilder(Procs.setsid().orElseThrow(), "true").start();
        assertThat(exited.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        ProcessGroups groups = new ProcessGroups(tmp.resolve("g"));
        assertThat(groups.signal(exited.pid(), "TERM")).isFalse();
    }


    @Test
    void signalReachesTheWholeGroup() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        long pg = group("sleep 1000 & echo $! > '" + pidFile + "'; wait");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long child = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(Procs.stat(child).orElseThrow().pgrp()).isEqualTo(pg);
        ProcessGroups groups = new ProcessGroups(tmp.resolve("g"));
        assertThat(groups.signal(pg, "TERM")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.pidAlive(child) && !Procs.pidAlive(pg));
    }

    @Test
    void killLeftoversKillsGroupsOfAPreviousAgent() throws Exception {
        Path dir = tmp.resolve("pgroups");
        ProcessGroups previous = new ProcessGroups(dir);
        long plain = group("sleep 1000 & sleep 1000");
        Path trapped = tmp.resolve("trapped");
        long stubborn = group("trap '' TERM; : > '" + trapped + "'; sleep 1000 & sleep 1000");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(trapped));
        Process exited = new ProcessBuilder(Procs.setsid().orElseThrow(), "true").start();
        assertThat(exited.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long gone = exited.pid();
        previous.register(plain);
        previous.register(stubborn);
        Files.writeString(dir.resolve(Long.toString(gone)), "boot=\nstart=\n");
        long otherBoot = group("sleep 1000");
        Files.writeString(dir.resolve(Long.toString(otherBoot)), "boot=some-earlier-boot\nstart=1\n");
        long reused = group("sleep 1000");
        Files.writeString(dir.resolve(Long.toString(reused)), "boot=" + Procs.bootId() + "\nstart=1\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.groupAlive(gone));
        // The previous agent died without unregistering: a new one starts on the same directory.

        ProcessGroups next = new ProcessGroups(dir);
        long mine = group("sleep 1000");
        next.register(mine);
        long t0 = System.nanoTime();
        Set<Long> killed = next.killLeftovers(Duration.ofMillis(500));
        long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(killed).containsExactlyInAnyOrder(plain, stubborn);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(450L); // the stubborn one needed the KILL
        await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.groupAlive(plain) && !Procs.groupAlive(stubborn));
        assertThat(Procs.groupAlive(otherBoot)).isTrue();
        assertThat(Procs.groupAlive(reused)).isTrue();
        assertThat(Procs.groupAlive(mine)).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactly(Long.toString(mine));
        }
        assertThat(next.killLeftovers(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void closeStopsTheReaperWithoutKillingRegisteredGroups() throws Exception {
        ProcessGroups groups = new ProcessGroups(tmp.resolve("pgroups"));
        groups.startReaper();
        long reaper = groups.reaperPid().orElseThrow();
        assertThat(Procs.pidAlive(reaper)).isTrue();
        // Its own session (once setsid has run), not the JVM's process group.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Procs.stat(reaper).map(s -> s.pgrp() == reaper).orElse(false));
        long pg = group("sleep 1000");
        groups.register(pg);
        groups.close();
        // Reaped (waited for) by the JVM: no zombie left.
        assertThat(ProcessHandle.of(reaper)).isEmpty();
        assertThat(Procs.groupAlive(pg)).isTrue();
        assertThat(groups.dir().resolve(Long.toString(pg))).exists();
    }

    @Test
    void startReaperTwiceKeepsOneReaper() {
        ProcessGroups groups = new ProcessGroups(tmp.resolve("pgroups"));
        try {
            groups.startReaper();
            long first = groups.reaperPid().orElseThrow();
            groups.startReaper();
            assertThat(groups.reaperPid().orElseThrow()).isEqualTo(first);
        } finally {
            groups.close();
        }
        assertThat(groups.reaperPid()).isEmpty();
    }

    @Test
    void parsesProcStat() {
        Procs.Stat s = Procs.parseStat("1234 (we) ird (name)) S 1 5678 5679 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 0 0");
        assertThat(s.pid()).isEqualTo(1234);
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.pgrp()).isEqualTo(5678);
        assertThat(s.sid()).isEqualTo(5679);
        assertThat(s.startTime()).isEqualTo(987654);
    }
}
