package dev.hibachi.agent.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hibachi.agent.exec.ExecutionResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in processors and their chain, on real files and the real log. */
class ProcessorChainTest {
    private static final int MAX = 1000;

    @TempDir
    Path dataDir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private ProcessorChain chain;

    @BeforeEach
    void setUp() {
        chain = new ProcessorChain(ProcessorRegistry.builtIn(), "node-a", dataDir, MAX);
        logged.start();
        ((Logger) LoggerFactory.getLogger(LogProcessor.class)).addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(LogProcessor.class)).detachAppender(logged);
    }

    private static ExecutionResult ok(String output) {
        return new ExecutionResult(true, 0, output, false);
    }

    @Test
    void filesWritesTheOutputToLogDirAndStoresThePathUnlessForwarding() throws Exception {
        Path logDir = dataDir.resolve("out");
        ExecutionResult replaced = chain.apply("backup", Map.of("files", Map.of("log_dir", logDir.toString())),
                42, 1, ok("line 1\nline 2\n"));
        Path file = logDir.resolve("42-1-node-a.log");
        assertThat(replaced.output()).isEqualTo(file.toString());
        assertThat(replaced.success()).isTrue();
        assertThat(Files.readString(file)).isEqualTo("line 1\nline 2\n");
        try (var listing = Files.list(logDir)) {
            assertThat(listing).containsExactly(file); // no partial file left beside it
        }

        ExecutionResult kept = chain.apply("backup", Map.of("files", Map.of("log_dir", logDir.toString(),
                "forward", "true")), 42, 2, ok("again\n"));
        assertThat(kept.output()).isEqualTo("again\n");
        assertThat(Files.readString(logDir.resolve("42-2-node-a.log"))).isEqualTo("again\n");
    }

    @Test
    void filesWritesUnderTheDataDirByDefaultAndKeepsANodeNameInsideLogDir() throws Exception {
        ProcessorChain odd = new ProcessorChain(ProcessorRegistry.builtIn(), "../evil", dataDir, MAX);
        ExecutionResult r = odd.apply("j", Map.of("files", Map.of()), 7, 1, ok("x"));
        Path file = dataDir.resolve("job-logs").resolve("7-1-.._evil.log");
        assertThat(r.output()).isEqualTo(file.toString());
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void logPrintsTheOutputBetweenMarkersAtInfoOrWarnAndLeavesANoteUnlessForwarding() {
        ExecutionResult replaced = chain.apply("nightly", Map.of("log", Map.of()), 5, 1, ok("all good\n"));
        assertThat(replaced.output()).isEqualTo("Output in the hibachi log of node-a");
        ExecutionResult kept = chain.apply("nightly", Map.of("log", Map.of("forward", "true")), 5, 2,
                new ExecutionResult(false, 3, "it broke\n", false));
        assertThat(kept.output()).isEqualTo("it broke\n");
        assertThat(kept.success()).isFalse();
        assertThat(kept.exitCode()).isEqualTo(3);

        assertThat(logged.list).hasSize(2);
        assertThat(logged.list.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(logged.list.get(0).getFormattedMessage()).contains("nightly", "5-1-node-a",
                "----- BEGIN OUTPUT -----\nall good\n----- END OUTPUT -----");
        assertThat(logged.list.get(1).getLevel()).isEqualTo(Level.WARN);
        assertThat(logged.list.get(1).getFormattedMessage()).contains("5-2-node-a", "failed", "exit code 3",
                "----- BEGIN OUTPUT -----\nit broke\n----- END OUTPUT -----");
    }

    @Test
    void processorsRunInNameOrderWhateverTheOrderTheJobListsThem() throws Exception {
        Map<String, Map<String, String>> listed = new LinkedHashMap<>();
        listed.put("log", Map.of());
        listed.put("files", Map.of("forward", "true"));
        ExecutionResult r = chain.apply("j", listed, 9, 1, ok("the real output\n"));
        // files first: it wrote the executor's output, then log replaced what is stored
        assertThat(Files.readString(dataDir.resolve("job-logs/9-1-node-a.log"))).isEqualTo("the real output\n");
        assertThat(r.output()).isEqualTo("Output in the hibachi log of node-a");
    }

    @Test
    void aFailingProcessorKeepsTheOutputWithANoteAndTheRunsSuccess() throws Exception {
        Path notADir = Files.writeString(dataDir.resolve("plain-file"), "x");
        ExecutionResult r = chain.apply("j", Map.of("files", Map.of("log_dir", notADir.toString())), 3, 1,
                ok("precious\n"));
        assertThat(r.success()).isTrue();
        assertThat(r.output()).startsWith("precious\n[hibachi: processor files failed: ")
                .contains(notADir.toString()).endsWith("]\n");

        ExecutionResult missing = chain.apply("j", Map.of("gone", Map.of()), 3, 2,
                new ExecutionResult(false, 1, "no newline", false));
        assertThat(missing.output()).isEqualTo("no newline\n[hibachi: processor gone failed: no processor \"gone\""
                + " on node-a]\n");
        assertThat(missing.success()).isFalse();
    }

    @Test
    void whatAProcessorReturnsIsCutToTheCaptureSize() {
        Processor flood = new Processor() {
            public String name() {
                return "flood";
            }

            public void validate(Map<String, String> config) {
            }

            public String process(FinishedExecution e, Map<String, String> config) {
                return "y".repeat(MAX * 50);
            }
        };
        ProcessorChain c = new ProcessorChain(ProcessorRegistry.of(flood), "n", dataDir, MAX);
        ExecutionResult r = c.apply("j", Map.of("flood", Map.of()), 1, 1, ok("small"));
        assertThat(r.output().getBytes(StandardCharsets.UTF_8).length).isLessThan(MAX + 100);
        assertThat(r.output()).startsWith("[hibachi: output truncated, " + (MAX * 49) + " earlier bytes dropped]");
        assertThat(r.outputTruncated()).isTrue();
    }

    @Test
    void noProcessorsLeaveTheResultAlone() {
        ExecutionResult result = ok("as is");
        assertThat(chain.apply("j", null, 1, 1, result)).isSameAs(result);
        assertThat(chain.apply("j", Map.of(), 1, 1, result)).isSameAs(result);
    }

    @Test
    void validationNamesTheProcessorAndItsKey() {
        ProcessorRegistry registry = ProcessorRegistry.builtIn();
        assertThatThrownBy(() -> registry.validate(Map.of("fluent", Map.of())))
                .isInstanceOf(InvalidProcessorConfigException.class)
                .hasMessageStartingWith("processors.fluent: unknown processor \"fluent\" (known: [")
                .extracting(e -> ((InvalidProcessorConfigException) e).field()).isEqualTo("processors.fluent");
        assertThatThrownBy(() -> registry.validate(Map.of("log", Map.of("forward", "yes"))))
                .hasMessage("processors.log.forward: expected true or false, got \"yes\"");
        assertThatThrownBy(() -> registry.validate(Map.of("files", Map.of("log_dir", "a\0b"))))
                .hasMessageStartingWith("processors.files.log_dir: invalid path");
        java.util.HashMap<String, Map<String, String>> empty = new java.util.HashMap<>();
        empty.put("files", null);
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> registry.validate(empty));
    }
}
