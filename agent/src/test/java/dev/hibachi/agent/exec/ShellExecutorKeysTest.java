package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys {@code payload}, {@code mem_limit} and {@code su}, through {@link PosixSpawn} (see
 * {@link ShellExecutorKeysSetsidTest} for the {@link ProcessBuilder} path). The {@code su} tests need
 * the agent to run as root and the {@code nobody} user, as on this machine.
 */
class ShellExecutorKeysTest {

    /** Holds that many MiB resident (the string is zero-filled: every page touched), then sleeps. */
    private static final String PERL_HOLD = "perl -e '$| = 1; vec($x, %d * 1024 * 1024 - 1, 8) = 1; print \"allocated\\n\"; sleep %d'";

    private final ShellExecutor shell = new ShellExecutor();
    private final List<Long> pidsToKill = new ArrayList<>();

    @TempDir
    Path tmp;

    private ProcessGroups groups;
    private Path shared;

    @BeforeEach
    void setUp() throws IOException {
        groups = new ProcessGroups(tmp.resolve("pgroups"));
        // A directory the job user can reach and write (the JUnit temp dir is root's alone).
        shared = Files.createTempDirectory("hibachi-keys-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (long pid : pidsToKill) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        groups.close();
        try (Stream<Path> s = Files.walk(shared)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private RunningExecution start(Map<String, String> config) {
        return shell.start(new ExecutionRequest("keys", config, 5, 1, new OutputBuffer(), groups));
    }

    private ExecutionResult run(Map<String, String> config) throws Exception {
        return start(config).completion().get(60, TimeUnit.SECONDS);
    }

    private static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    // ---- payload

    @Test
    void payloadReachesStdinByteForByte() throws Exception {
        byte[] payload = new byte[200_000];
        new Random(42).nextBytes(payload);
        ExecutionResult r = run(Map.of("command", "sha256sum", "payload", base64(payload)));
        assertThat(r.success()).isTrue();
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        assertThat(r.output()).isEqualTo(expected + "  -\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> PayloadWriter.active() == 0);
    }

    @Test
    void payloadThenEndOfInput() throws Exception {
        ExecutionResult r = run(Map.of("command", "cat; echo '|end'", "shell", "true",
                "payload", base64("hello\nworld".getBytes(StandardCharsets.UTF_8))));
        assertThat(r.output()).isEqualTo("hello\nworld|end\n");
    }

    @Test
    void payloadWithLineBreaksInItsBase64IsAccepted() throws Exception {
        String encoded = Base64.getMimeEncoder().encodeToString(new byte[300]).replace("\r", "");
        assertThat(encoded).contains("\n");
        assertThat(run(Map.of("command", "wc -c", "payload", encoded)).output().trim()).isEqualTo("300");
    }

    @Test
    void payloadLargerThanAPipeToAJobThatNeverReadsItDoesNotHang() throws Exception {
        long start = System.nanoTime();
        ExecutionResult r = run(Map.of("command", "sleep 0.2", "payload", base64(new byte[PayloadWriter.MAX_BYTES])));
        assertThat(r.success()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000L);
        await().atMost(Duration.ofSeconds(5)).until(() -> PayloadWriter.active() == 0);
    }

    @Test
    void daemonHoldingStdinDoesNotHoldTheWriter() throws Exception {
        // The daemon escapes the group with the job's stdin and never reads it; the run still ends
        // (the daemon does not hold the output), and so must the blocked write.
        ExecutionResult r = run(Map.of("command", "setsid sleep 1000 <&0 >/dev/null 2>&1 & echo $!", "shell", "true",
                "payload", base64(new byte[PayloadWriter.MAX_BYTES])));
        long daemon = Long.parseLong(r.output().trim());
        pidsToKill.add(daemon);
        assertThat(r.success()).isTrue();
        assertThat(Procs.pidAlive(daemon)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> PayloadWriter.active() == 0);
    }

    @Test
    void payloadValidation() throws Exception {
        shell.validate(Map.of("command", "cat", "payload", ""));
        shell.validate(Map.of("command", "cat", "payload", "aGk="));
        shell.validate(Map.of("command", "cat", "payload", "aGk"));
        assertThatThrownBy(() -> shell.validate(Map.of("command", "cat", "payload", "not base64!")))
                .isInstanceOf(InvalidExecutorConfigException.class)
                .hasMessageContaining("executor_config.payload").hasMessageContaining("base64")
                .extracting(e -> ((InvalidExecutorConfigException) e).key()).isEqualTo("payload");
        assertThatThrownBy(() -> shell.validate(Map.of("command", "cat", "payload",
                base64(new byte[PayloadWriter.MAX_BYTES + 1]))))
                .isInstanceOf(InvalidExecutorConfigException.class)
                .hasMessageContaining("executor_config.payload").hasMessageContaining("1 MiB");
        shell.validate(Map.of("command", "cat", "payload", base64(new byte[PayloadWriter.MAX_BYTES])));
    }

    // ---- mem_limit

    @Test
    void memLimitKillsAJobThatGrowsPastIt() throws Exception {
        long start = System.nanoTime();
        RunningExecution r = start(Map.of("command", String.format(PERL_HOLD, 200, 60), "shell", "true",
                "mem_limit", "100MB"));
        ExecutionResult result = r.completion().get(60, TimeUnit.SECONDS);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(result.success()).isFalse();
        // The poll may catch it before or after it has printed.
        assertThat(result.output()).matches("(allocated\n)?\\[hibachi: job used [0-9.]+ MB \\([0-9,]+ bytes\\) of resident "
                + "memory, over its mem_limit of 100MB \\(100,000,000 bytes\\); its process group was killed]\n");
        assertThat(elapsedMillis).isLessThan(20_000L);
        assertThat(Procs.groupAlive(r.processGroup().getAsLong())).isFalse();
        assertThat(MemoryWatch.watchedCount()).isZero();
    }

    @Test
    void memLimitCountsEveryProcessOfTheGroup() throws Exception {
        // Three children of 60 MiB each: none is past 150 MB alone, together they are.
        RunningExecution r = start(Map.of("command",
                "for i in 1 2 3; do " + String.format(PERL_HOLD, 60, 60) + " & done; wait", "shell", "true",
                "mem_limit", "150MB"));
        ExecutionResult result = r.completion().get(60, TimeUnit.SECONDS);
        assertThat(result.success()).isFalse();
        assertThat(result.output()).contains("over its mem_limit of 150MB");
        // At least two had allocated: one alone (about 65 MB resident) is far from the limit.
        assertThat(result.output().lines().filter("allocated"::equals).count()).isGreaterThanOrEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.groupAlive(r.processGroup().getAsLong()));
    }

    @Test
    void memLimitLeavesAJobBelowItAlone() throws Exception {
        // Alive through at least two polls.
        ExecutionResult r = run(Map.of("command", String.format(PERL_HOLD, 20, 3), "shell", "true",
                "mem_limit", "200MiB"));
        assertThat(r.success()).isTrue();
        assertThat(r.output()).isEqualTo("allocated\n");
        assertThat(MemoryWatch.watchedCount()).isZero();
    }

    @Test
    void memLimitValidation() throws Exception {
        for (String ok : List.of("1024", "512MB", "1GB", "1.5GB", "100 kB", "512MiB", "2gib", "1,000,000", "0")) {
            shell.validate(Map.of("command", "true", "mem_limit", ok));
        }
        for (String bad : List.of("lots", "12 parsecs", "-5MB", "MB", "1.2.3GB", "99999999EB")) {
            assertThatThrownBy(() -> shell.validate(Map.of("command", "true", "mem_limit", bad)))
                    .as(bad)
                    .isInstanceOf(InvalidExecutorConfigException.class)
                    .hasMessageContaining("executor_config.mem_limit")
                    .extracting(e -> ((InvalidExecutorConfigException) e).key()).isEqualTo("mem_limit");
        }
    }

    // ---- su

    @Test
    void suRunsAsTheUserWithItsEnvironmentAndCwd() throws Exception {
        Path file = shared.resolve("written");
        ExecutionResult r = run(Map.of("command", "id -u; id -g; echo \"$HOME $USER $LOGNAME\"; pwd; touch " + file,
                "shell", "true", "su", "nobody", "cwd", shared.toString()));
        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("65534\n65534\n/nonexistent nobody nobody\n" + shared.toRealPath() + "\n");
        assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(65534);
        assertThat(Files.getAttribute(file, "unix:gid")).isEqualTo(65534);
    }

    @Test
    void suWritesItsArtifactsFolder() throws Exception {
        Path folder = Files.createDirectory(shared.resolve("artifacts"));
        ExecutionResult r = shell.start(new ExecutionRequest("keys", Map.of("command",
                "echo report > \"$HIBACHI_ARTIFACTS/report.txt\"", "shell", "true", "su", "nobody"), 5, 1,
                new OutputBuffer(), groups, folder)).completion().get(60, TimeUnit.SECONDS);
        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(Files.readString(folder.resolve("report.txt"))).isEqualTo("report\n");
        assertThat(Files.getAttribute(folder.resolve("report.txt"), "unix:uid")).isEqualTo(65534);
    }

    @Test
    void suWithAGroupByNameOrId() throws Exception {
        assertThat(run(Map.of("command", "id -g", "shell", "true", "su", "nobody:nogroup")).output())
                .isEqualTo("65534\n");
        ExecutionResult r = run(Map.of("command", "id -u; id -g; id -G", "shell", "true", "su", "65534:0"));
        assertThat(r.output()).startsWith("65534\n0\n");
        // supplementary groups come from the account databases: nobody's own group, not root's
        assertThat(r.output().lines().skip(2).findFirst().orElseThrow().split(" ")).contains("0", "65534");
    }

    @Test
    void suJobCanReopenItsOutputAndInputByName() throws Exception {
        ExecutionResult r = run(Map.of("command", "echo to-stderr > /dev/stderr; cat /dev/stdin", "shell", "true",
                "su", "nobody", "payload", base64("from-payload\n".getBytes(StandardCharsets.UTF_8))));
        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("to-stderr\nfrom-payload\n");
        // The output FIFO lent to nobody is not reused for other runs.
        Path pool = Path.of(System.getProperty("java.io.tmpdir"), "hibachi-fifos-" + ProcessHandle.current().pid());
        try (Stream<Path> s = Files.list(pool)) {
            assertThat(s.filter(p -> uid(p) != 0)).isEmpty();
        }
    }

    private static int uid(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid");
        } catch (IOException e) {
            return 0; // deleted meanwhile
        }
    }

    @Test
    void suKeepsTheRunsOwnSessionSoTimeoutsReachIt() throws Exception {
        RunningExecution r = start(Map.of("command", "echo $$ $(ps -o sid= -p $$); sleep 1000", "shell", "true",
                "su", "nobody", "timeout", "500ms"));
        ExecutionResult result = r.completion().get(60, TimeUnit.SECONDS);
        String[] ids = result.output().lines().findFirst().orElseThrow().trim().split("\\s+");
        assertThat(ids[1]).isEqualTo(ids[0]);
        assertThat(Long.parseLong(ids[0])).isEqualTo(r.processGroup().getAsLong());
        assertThat(result.output()).contains("timed out after 500ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> !Procs.groupAlive(r.processGroup().getAsLong()));
    }

    @Test
    void suUnknownUserOrGroupFailsTheRunNamingIt() throws Exception {
        ExecutionResult r = run(Map.of("command", "true", "su", "nosuchuser-xyz"));
        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).isEqualTo("[hibachi: cannot run job: su: unknown user \"nosuchuser-xyz\"]\n");
        r = run(Map.of("command", "true", "su", "nobody:nosuchgroup-xyz"));
        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("unknown group \"nosuchgroup-xyz\"");
    }

    @Test
    void suValidationChecksTheFormOnly() throws Exception {
        shell.validate(Map.of("command", "true", "su", "someone-only-on-the-nodes"));
        shell.validate(Map.of("command", "true", "su", "1000:1000"));
        for (String bad : List.of(":wheel", "user:", "a:b:c", "two words")) {
            assertThatThrownBy(() -> shell.validate(Map.of("command", "true", "su", bad)))
                    .as(bad)
                    .isInstanceOf(InvalidExecutorConfigException.class)
                    .hasMessageContaining("executor_config.su")
                    .extracting(e -> ((InvalidExecutorConfigException) e).key()).isEqualTo("su");
        }
    }
}
