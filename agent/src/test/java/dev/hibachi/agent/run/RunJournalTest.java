package dev.hibachi.agent.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The member's journal: what was started, finished and reported survives a restart of the agent. */
class RunJournalTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration REMEMBER = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private static String key(int run) {
        return "job/" + run + "/1";
    }

    private static RunJournal.Record started(int run) {
        return new RunJournal.Record("started", key(run), "job", (long) run, 1, "inc-1", T0, T0, null, null, null,
                null, T0);
    }

    private static RunJournal.Record finished(int run, boolean success, String output) {
        return new RunJournal.Record("finished", key(run), null, null, null, null, null, T0, T0.plusSeconds(1),
                success, success ? 0 : 3, output, T0.plusSeconds(1));
    }

    private Path file() {
        return dir.resolve("journal.jsonl");
    }

    private static List<String> keys(List<RunJournal.Attempt> attempts) {
        return attempts.stream().map(a -> a.started().key()).toList();
    }

    @Test
    void startedFinishedAndReportedSurviveReopen() {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2), started(3)));
            j.finished(finished(2, false, "boom"));
            j.finished(finished(3, true, "ok"));
            j.reported(key(3), T0.plusSeconds(2));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            RunJournal.Attempt a1 = j.get(key(1)).orElseThrow();
            assertThat(a1.state()).isEqualTo(RunJournal.State.STARTED);
            assertThat(a1.started()).isEqualTo(started(1));
            assertThat(a1.finished()).isNull();

            RunJournal.Attempt a2 = j.get(key(2)).orElseThrow();
            assertThat(a2.state()).isEqualTo(RunJournal.State.FINISHED);
            assertThat(a2.finished().success()).isFalse();
            assertThat(a2.finished().exitCode()).isEqualTo(3);
            assertThat(a2.finished().output()).isEqualTo("boom");
            assertThat(a2.started().incarnation()).isEqualTo("inc-1");
            assertThat(a2.started().runId()).isEqualTo(2L);

            RunJournal.Attempt a3 = j.get(key(3)).orElseThrow();
            assertThat(a3.state()).isEqualTo(RunJournal.State.REPORTED);
            assertThat(a3.reportedAt()).isEqualTo(T0.plusSeconds(2));

            assertThat(j.get(key(4))).isEmpty();
        }
    }

    @Test
    void aReportedAttemptKeepsItsResultButNotItsOutput() {
        String big = "x".repeat(100_000);
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2)));
            j.finished(finished(1, true, big));
            j.finished(finished(2, true, big));
            j.reported(key(1), T0.plusSeconds(2));

            RunJournal.Attempt reported = j.get(key(1)).orElseThrow();
            assertThat(reported.state()).isEqualTo(RunJournal.State.REPORTED);
            assertThat(reported.finished().success()).isTrue();
            assertThat(reported.finished().exitCode()).isZero();
            assertThat(reported.finished().output()).as("in the store now; not kept in memory").isNull();
            assertThat(j.get(key(2)).orElseThrow().finished().output()).as("not reported yet").isEqualTo(big);
        }
    }

    @Test
    void unreportedListsStartedAndFinishedButNotReported() {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2), started(3)));
            j.finished(finished(2, true, ""));
            j.finished(finished(3, true, ""));
            j.reported(key(3), T0.plusSeconds(2));
            assertThat(keys(j.unreported())).containsExactlyInAnyOrder(key(1), key(2));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(keys(j.unreported())).containsExactlyInAnyOrder(key(1), key(2));
            j.reported(key(1), T0.plusSeconds(3));
            assertThat(keys(j.unreported())).containsExactly(key(2));
        }
    }

    @Test
    void finishedOrReportedForAnUnknownAttemptIsIgnored() {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.finished(finished(9, true, ""));
            j.reported(key(8), T0);
            assertThat(j.get(key(9))).isEmpty();
            assertThat(j.get(key(8))).isEmpty();
            assertThat(j.unreported()).isEmpty();
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(j.get(key(9))).isEmpty();
            assertThat(j.unreported()).isEmpty();
        }
    }

    @Test
    void startedIsOnDiskWhenTheCallReturns() throws IOException {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2)));
            // Not closed: another reader (a restarted agent) already sees both lines.
            List<String> lines = Files.readAllLines(file());
            assertThat(lines).hasSize(2);
            assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"op\":\"started\""));
        }
    }

    @Test
    void aTornLastLineIsSkipped() throws IOException {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2)));
            j.finished(finished(1, true, "done"));
        }
        // The agent died in the middle of writing a line.
        Files.writeString(file(), "{\"op\":\"finished\",\"key\":\"job/2/1\",\"succ", StandardOpenOption.APPEND);

        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(j.get(key(1)).orElseThrow().state()).isEqualTo(RunJournal.State.FINISHED);
            assertThat(j.get(key(2)).orElseThrow().state()).isEqualTo(RunJournal.State.STARTED);
            assertThat(keys(j.unreported())).containsExactlyInAnyOrder(key(1), key(2));
        }
    }

    @Test
    void aRecordWrittenAfterATornLineSurvivesTheNextRestart() throws IOException {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1)));
        }
        Files.writeString(file(), "{\"op\":\"started\",\"key\":\"job/2/1\",\"jo", StandardOpenOption.APPEND);
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(3)));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(j.get(key(1))).isPresent();
            assertThat(j.get(key(3))).as("journaled after the torn line").isPresent();
        }
    }

    @Test
    void aTornLineEndingInsideAMultiByteCharacterIsSkipped() throws IOException {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1)));
        }
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        byte[] head = "{\"op\":\"finished\",\"key\":\"job/1/1\",\"output\":\"caf".getBytes(StandardCharsets.UTF_8);
        byte[] torn = new byte[head.length + 1];
        System.arraycopy(head, 0, torn, 0, head.length);
        torn[head.length] = e[0];
        Files.write(file(), torn, StandardOpenOption.APPEND);

        assertThatCode(() -> new RunJournal(dir, REMEMBER).close()).doesNotThrowAnyException();
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(j.get(key(1)).orElseThrow().state()).isEqualTo(RunJournal.State.STARTED);
        }
    }

    @Test
    void nonAsciiOutputRoundTrips() {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1)));
            j.finished(finished(1, true, "café ✓ \"quoted\"\nsecond line"));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            assertThat(j.get(key(1)).orElseThrow().finished().output()).isEqualTo("café ✓ \"quoted\"\nsecond line");
        }
    }

    @Test
    void pruneForgetsOnlyReportedAttemptsOlderThanRememberDone() {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1), started(2), started(3), started(4)));
            j.finished(finished(1, true, ""));
            j.finished(finished(2, true, ""));
            j.finished(finished(3, true, ""));
            j.reported(key(1), T0);                      // reported long ago
            j.reported(key(2), T0.plus(REMEMBER));       // reported just now
            // 3: finished, not reported; 4: still running.

            j.prune(T0.plus(REMEMBER).plusSeconds(1));
            assertThat(j.get(key(1))).isEmpty();
            assertThat(j.get(key(2))).isPresent();
            assertThat(j.get(key(3))).isPresent();
            assertThat(j.get(key(4))).isPresent();

            // Much later, an unreported attempt is still kept: a restart must settle it.
            j.prune(T0.plus(Duration.ofDays(30)));
            assertThat(j.get(key(2))).isEmpty();
            assertThat(keys(j.unreported())).containsExactlyInAnyOrder(key(3), key(4));
        }
    }

    @Test
    void compactionKeepsUnreportedAttemptsAndDropsPrunedOnes() throws IOException {
        String bigOutput = "y".repeat(2_000);
        int total = 2_500; // ~2,500 x 2.3 KB = 5.7 MB
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            List<RunJournal.Record> batch = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                batch.add(started(i));
            }
            j.started(batch);
            for (int i = 0; i < total; i++) {
                if (i % 10 == 9) {
                    continue; // still running
                }
                j.finished(finished(i, true, bigOutput));
                if (i % 10 != 8) {
                    j.reported(key(i), T0); // reported long ago: pruned
                }
            }
            assertThat(Files.size(file())).isGreaterThan(4L << 20);

            j.prune(T0.plus(REMEMBER).plusSeconds(1));
            assertThat(Files.size(file())).as("compacted").isLessThan(1L << 20);
            j.started(List.of(started(total)));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            for (int i = 0; i < total; i++) {
                var a = j.get(key(i));
                if (i % 10 == 9) {
                    assertThat(a).as(key(i)).isPresent();
                    assertThat(a.get().state()).isEqualTo(RunJournal.State.STARTED);
                    assertThat(a.get().started()).isEqualTo(started(i));
                } else if (i % 10 == 8) {
                    assertThat(a).as(key(i)).isPresent();
                    assertThat(a.get().state()).isEqualTo(RunJournal.State.FINISHED);
                    assertThat(a.get().finished()).isEqualTo(finished(i, true, bigOutput));
                } else {
                    assertThat(a).as(key(i)).isEmpty();
                }
            }
            assertThat(j.get(key(total)).orElseThrow().state()).isEqualTo(RunJournal.State.STARTED);
            assertThat(j.unreported()).hasSize(total / 10 * 2 + 1);
        }
        assertThat(Files.exists(dir.resolve("journal.jsonl.tmp"))).isFalse();
    }

    @Test
    void compactionKeepsWhatIsNeededAndDropsWhatWasPruned() throws IOException {
        String bigOutput = "x".repeat(2_000);
        int total = 2_500; // ~2,500 × 2.3 KB ≈ 5.7 MB
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            List<RunJournal.Record> batch = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                batch.add(started(i));
            }
            j.started(batch);
            for (int i = 0; i < total; i++) {
                if (i % 10 == 9) {
                    continue; // every tenth is still running
                }
                j.finished(finished(i, true, bigOutput));
                if (i % 10 == 8) {
                    continue; // finished, not reported
                }
                // Reported: half long ago (to prune), half recently (to remember).
                j.reported(key(i), i % 2 == 0 ? T0 : T0.plus(REMEMBER));
            }
            assertThat(Files.size(file())).isGreaterThan(4L << 20);

            j.prune(T0.plus(REMEMBER).plusSeconds(1));
            assertThat(Files.size(file())).as("compacted").isLessThan(4L << 20);

            // The journal still takes writes after compaction.
            j.started(List.of(started(total)));
        }
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            for (int i = 0; i < total; i++) {
                var a = j.get(key(i));
                if (i % 10 == 9) {
                    assertThat(a).as(key(i)).isPresent();
                    assertThat(a.get().state()).isEqualTo(RunJournal.State.STARTED);
                    assertThat(a.get().started()).isEqualTo(started(i));
                } else if (i % 10 == 8) {
                    assertThat(a).as(key(i)).isPresent();
                    assertThat(a.get().state()).isEqualTo(RunJournal.State.FINISHED);
                    assertThat(a.get().finished().output()).isEqualTo(bigOutput);
                } else if (i % 2 == 0) {
                    assertThat(a).as(key(i)).isEmpty();
                } else {
                    assertThat(a).as(key(i)).isPresent();
                    assertThat(a.get().state()).isEqualTo(RunJournal.State.REPORTED);
                    assertThat(a.get().reportedAt()).isEqualTo(T0.plus(REMEMBER));
                }
            }
            assertThat(j.get(key(total)).orElseThrow().state()).isEqualTo(RunJournal.State.STARTED);
            assertThat(j.unreported()).hasSize(total / 10 * 2 + 1);
        }
        assertThat(Files.exists(dir.resolve("journal.jsonl.tmp"))).isFalse();
    }

    @Test
    void smallJournalIsNotRewrittenByPrune() throws IOException {
        try (RunJournal j = new RunJournal(dir, REMEMBER)) {
            j.started(List.of(started(1)));
            j.finished(finished(1, true, ""));
            j.reported(key(1), T0);
            long before = Files.size(file());
            j.prune(T0.plus(Duration.ofDays(1)));
            assertThat(Files.size(file())).isEqualTo(before);
            assertThat(j.get(key(1))).isEmpty();
        }
    }
}
