package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor as it runs jobs here: through {@link PosixSpawn} (see {@link ShellExecutorSetsidTest}). */
class ShellExecutorTest {

    private final ShellExecutor shell = new ShellExecutor();
    private final List<Long> pidsToKill = new ArrayList<>();

    @TempDir
    Path tmp;

    private ProcessGroups groups;

    @BeforeEach
    void setUp() {
        groups = new ProcessGroups(tmp.resolve("pgroups"));
    }

    @AfterEach
    void cleanUp() {
        for (long pid : pidsToKill) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        groups.close();
    }

    private RunningExecution run(Map<String, String> config) {
        return shell.start(new ExecutionRequest("job-1", config, 77, 2, new OutputBuffer(), groups));
    }

    private static ExecutionResult result(RunningExecution r) throws Exception {
        return r.completion().get(30, TimeUnit.SECONDS);
    }

    private static Map<String, String> sh(String command) {
        return Map.of("command", command, "shell", "true");
    }

    @Test
    void name() {
        assertThat(shell.name()).isEqualTo("shell");
    }

    @Test
    void echoIsCaptured() throws Exception {
        ExecutionResult r = result(run(sh("echo hello; echo to-stderr >&2")));
        assertThat(r.success()).isTrue();
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).isEqualTo("hello\nto-stderr\n");
        assertThat(r.outputTruncated()).isFalse();
    }

    @Test
    void leadsItsOwnSessionAndInheritsNoDescriptors() throws Exception {
        // $$ is the shell; its session id and process group are its own pid. Only 0, 1 and 2 are open.
        ExecutionResult r = result(run(sh("echo $$ $(ps -o sid= -p $$) $(ps -o pgid= -p $$); ls /proc/$$/fd")));
        String[] lines = r.output().split("\n");
        String[] ids = lines[0].trim().split("\\s+");
        assertThat(ids).hasSize(3);
        assertThat(ids[1]).isEqualTo(ids[0]);
        assertThat(ids[2]).isEqualTo(ids[0]);
        assertThat(lines).hasSize(4).endsWith("0", "1", "2");
    }

    @Test
    void signalsAreAtTheirDefaults() throws Exception {
        // SIGPIPE at its default ends `yes` quietly; ignored, `yes` would complain of a broken pipe.
        ExecutionResult r = result(run(sh("yes | head -1")));
        assertThat(r.output()).isEqualTo("y\n");
        assertThat(r.success()).isTrue();
    }

    @Test
    void aSignalEndingTheJobGivesExitCode128PlusIt() throws Exception {
        ExecutionResult r = result(run(sh("kill -9 $$")));
        assertThat(r.exitCode()).isEqualTo(128 + 9);
        assertThat(r.success()).isFalse();
    }

    @Test
    void exitCodeThreeFails() throws Exception {
        ExecutionResult r = result(run(sh("echo failing; exit 3")));
        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.output()).isEqualTo("failing\n");
    }

    @Test
    void envAndCwdAreHonoured() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("work dir"));
        Map<String, String> config = new HashMap<>(sh("echo \"$FOO|$BAR|$ENV_JOB_NAME|$HIBACHI_RUN_ID|$HIBACHI_ATTEMPT\"; pwd"));
        config.put("env", "FOO=one, BAR=two=2");
        config.put("cwd", dir.toString());
        ExecutionResult r = result(run(config));
        assertThat(r.success()).isTrue();
        assertThat(r.output()).isEqualTo("one|two=2|job-1|77|2\n" + dir.toRealPath() + "\n");
    }

    @Test
    void agentEnvironmentIsInherited() throws Exception {
        ExecutionResult r = result(run(sh("echo \"$PATH\"")));
        assertThat(r.output().trim()).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void jobNameCannotBeOverriddenByEnv() throws Exception {
        Map<String, String> config = new HashMap<>(sh("echo $ENV_JOB_NAME"));
        config.put("env", "ENV_JOB_NAME=other");
        assertThat(result(run(config)).output()).isEqualTo("job-1\n");
    }

    @Test
    void withoutShellTheCommandIsTokenized() throws Exception {
        ExecutionResult r = result(run(Map.of("command", "printf '%s|' 'a  b' \"c \\\"d\\\"\" e\\ f $HOME", "shell", "false")));
        assertThat(r.success()).isTrue();
        assertThat(r.output()).isEqualTo("a  b|c \"d\"|e f|$HOME|");
    }

    @Test
    void shellDefaultsToFalse() throws Exception {
        ExecutionResult r = result(run(Map.of("command", "echo a;b")));
        assertThat(r.output()).isEqualTo("a;b\n");
    }

    @Test
    void missingProgramFailsWithoutThrowing() throws Exception {
        RunningExecution[] started = new RunningExecution[1];
        assertThatCode(() -> started[0] = run(Map.of("command", "nosuch-program-xyz --flag"))).doesNotThrowAnyException();
        ExecutionResult r = result(started[0]);
        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.output()).contains("cannot run program \"nosuch-program-xyz\": No such file or directory");
        assertThat(started[0].processGroup()).isEmpty();
    }

    @Test
    void nonExecutableFileFails() throws Exception {
        Path f = Files.writeString(tmp.resolve("not-exec.sh"), "echo hi\n");
        ExecutionResult r = result(run(Map.of("command", f.toString())));
        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("Permission denied");
    }

    @Test
    void missingCommandInShellFailsWithShellExitCode() throws Exception {
        ExecutionResult r = result(run(sh("nosuch-program-xyz")));
        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.output()).contains("nosuch-program-xyz").contains("not found");
    }

    @Test
    void badCwdFailsWithoutThrowing() throws Exception {
        ExecutionResult r = result(run(Map.of("command", "echo hi", "cwd", tmp.resolve("missing").toString())));
        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.output()).contains("is not a directory");
    }

    @Test
    void invalidConfigAtStartFailsWithoutThrowing() throws Exception {
        ExecutionResult r = result(run(Map.of("command", "sleep 1", "timeout", "soon")));
        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("executor_config.timeout");
    }

    @Test
    void validation() throws Exception {
        shell.validate(Map.of("command", "echo hi"));
        shell.validate(Map.of("command", "echo hi", "shell", "true", "env", "A=1,B=2", "cwd", "/nonexistent-ok",
                "timeout", "1m30s", "unknown_key", "ignored"));
        shell.validate(Map.of("command", "echo hi", "shell", ""));
        assertThatThrownBy(() -> shell.validate(Map.of()))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("command")
                .extracting(e -> ((InvalidExecutorConfigException) e).key()).isEqualTo("command");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "   ")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "echo 'oops")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("command")
                .hasMessageContaining("unterminated");
        shell.validate(Map.of("command", "echo 'not tokenized with shell=true", "shell", "true"));
        assertThatThrownBy(() -> shell.validate(Map.of("command", "sleep 1", "timeout", "30")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "sleep 1", "timeout", "abc")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "sleep 1", "timeout", "-1s")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "sleep 1", "env", "NOEQUALS")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("env");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "sleep 1", "shell", "yes")))
                .isInstanceOf(InvalidExecutorConfigException.class).hasMessageContaining("shell");
    }

    @Test
    void runsInItsOwnProcessGroupRegisteredWhileItRuns() throws Exception {
        OutputBuffer out = new OutputBuffer();
        RunningExecution r = shell.start(new ExecutionRequest("job-1", sh("echo started; sleep 1000"), 1, 1, out, groups));
        assertThat(r.processGroup()).isPresent();
        long pgid = r.processGroup().getAsLong();
        pidsToKill.add(pgid);
        assertThat(pgid).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(groups.dir().resolve(Long.toString(pgid))).exists();
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().contains("started"));
        // Once the command printed, setsid() is behind it (on the fallback path the child calls it
        // after start() returns), so the group is live under its own id.
        assertThat(groups.live()).contains(pgid);
        r.kill("test over", Duration.ofSeconds(5));
        ExecutionResult result = result(r);
        assertThat(result.success()).isFalse();
        assertThat(result.exitCode()).isEqualTo(128 + 15);
        assertThat(result.output()).isEqualTo("started\n[hibachi: job killed: test over]\n");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> groups.live().isEmpty() && !Files.exists(groups.dir().resolve(Long.toString(pgid))));
    }

    @Test
    void timeoutKillsTheWholeGroup() throws Exception {
        Map<String, String> config = new HashMap<>(sh("echo $$; sleep 1000 & echo $!; sleep 1000"));
        config.put("timeout", "1s");
        RunningExecution r = run(config);
        long start = System.nanoTime();
        ExecutionResult result = result(r);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        List<Long> pids = pids(result.output());
        assertThat(pids).hasSize(2);
        pidsToKill.addAll(pids);
        assertThat(result.success()).isFalse();
        assertThat(result.output()).contains("[hibachi: job timed out after 1s");
        assertThat(elapsedMillis).isBetween(900L, 10_000L);
        for (long pid : pids) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.pidAlive(pid));
        }
        assertThat(Procs.groupAlive(r.processGroup().getAsLong())).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.live().isEmpty());
    }

    @Test
    void daemonHoldingTheOutputDoesNotKeepATimedOutRunOpen() throws Exception {
        // The background child leaves the group (setsid) but keeps stdout: a kill cannot reach it.
        Map<String, String> config = new HashMap<>(sh("setsid sleep 1000 & echo $!; sleep 1000"));
        config.put("timeout", "500ms");
        RunningExecution r = run(config);
        ExecutionResult result = result(r);
        List<Long> pids = pids(result.output());
        pidsToKill.addAll(pids);
        assertThat(result.success()).isFalse();
        assertThat(result.output()).contains("timed out after 500ms");
        assertThat(pids).hasSize(1);
        assertThat(Procs.pidAlive(pids.get(0))).isTrue(); // escaped, as expected
    }

    @Test
    void killSendsTermThenKillAfterTheGrace() throws Exception {
        OutputBuffer out = new OutputBuffer();
        RunningExecution r = shell.start(new ExecutionRequest("stubborn", sh("trap '' TERM; echo ready; sleep 1000"),
                1, 1, out, groups));
        pidsToKill.add(r.processGroup().getAsLong());
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().contains("ready"));
        long start = System.nanoTime();
        r.kill("operator said so", Duration.ofSeconds(1));
        ExecutionResult result = result(r);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(result.success()).isFalse();
        assertThat(result.exitCode()).isEqualTo(128 + 9);
        assertThat(result.output()).isEqualTo("ready\n[hibachi: job killed: operator said so]\n");
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(950L);
        assertThat(Procs.groupAlive(r.processGroup().getAsLong())).isFalse();
    }

    @Test
    void killRightAfterStartWorks() throws Exception {
        for (int i = 0; i < 10; i++) {
            RunningExecution r = run(sh("sleep 1000"));
            pidsToKill.add(r.processGroup().getAsLong());
            r.kill("at once", Duration.ofSeconds(2));
            ExecutionResult result = result(r);
            assertThat(result.success()).isFalse();
            assertThat(result.output()).isEqualTo("[hibachi: job killed: at once]\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.groupAlive(r.processGroup().getAsLong()));
        }
    }

    @Test
    void killAfterCompletionIsANoOp() throws Exception {
        RunningExecution r = run(sh("echo done"));
        ExecutionResult result = result(r);
        r.kill("too late", Duration.ofSeconds(1));
        assertThat(result.success()).isTrue();
        assertThat(r.completion().get().output()).isEqualTo("done\n");
    }

    @Test
    void backgroundChildStillWritingKeepsTheRunOpenUntilItEnds() throws Exception {
        Path flag = tmp.resolve("flag");
        OutputBuffer out = new OutputBuffer();
        RunningExecution r = shell.start(new ExecutionRequest("bg", sh(
                "(while [ ! -e '" + flag + "' ]; do sleep 0.05; done; echo child-done) & echo parent-done"),
                1, 1, out, groups));
        long leader = r.processGroup().getAsLong();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> out.text().contains("parent-done") && !Procs.pidAlive(leader));
            assertThat(r.completion().isDone()).isFalse();
            assertThat(groups.live()).contains(leader);
        } finally {
            Files.writeString(flag, ""); // releases the background child even when an assertion failed
        }
        ExecutionResult result = result(r);
        assertThat(result.success()).isTrue();
        assertThat(result.output()).isEqualTo("parent-done\nchild-done\n");
    }

    @Test
    void largeOutputIsTruncatedToTheBuffer() throws Exception {
        OutputBuffer out = new OutputBuffer(1000);
        RunningExecution r = shell.start(new ExecutionRequest("big",
                sh("head -c 3000000 /dev/zero | tr '\\0' 'a'; echo; echo end"), 1, 1, out, groups));
        ExecutionResult result = result(r);
        assertThat(result.success()).isTrue();
        assertThat(result.outputTruncated()).isTrue();
        assertThat(out.totalBytes()).isEqualTo(3_000_005L);
        assertThat(result.output()).startsWith("[hibachi: output truncated, 2999005 earlier bytes dropped]\n")
                .endsWith("aaa\nend\n");
    }

    @Test
    void manyConcurrentRuns() throws Exception {
        List<RunningExecution> runs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            runs.add(run(sh("echo run-" + i)));
        }
        for (int i = 0; i < runs.size(); i++) {
            ExecutionResult r = result(runs.get(i));
            assertThat(r.success()).isTrue();
            assertThat(r.output()).isEqualTo("run-" + i + "\n");
        }
        assertThat(groups.live()).isEmpty();
    }

    @Test
    void reusedPipesNeverMixOutputs() throws Exception {
        for (int i = 0; i < 3 * Fifos.BATCH; i++) {
            ExecutionResult r = result(run(sh("echo seq-" + i)));
            assertThat(r.output()).isEqualTo("seq-" + i + "\n");
        }
    }

    @Test
    void worksWithoutGroupsOrBuffer() throws Exception {
        ExecutionResult r = shell.start(new ExecutionRequest("bare", sh("echo bare"), 1, 1, null, null))
                .completion().get(30, TimeUnit.SECONDS);
        assertThat(r.output()).isEqualTo("bare\n");
    }

    private static List<Long> pids(String output) {
        List<Long> pids = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.matches("\\d+")) {
                pids.add(Long.parseLong(line));
            }
        }
        return pids;
    }
}
