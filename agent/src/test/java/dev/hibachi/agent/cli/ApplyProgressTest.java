package dev.hibachi.agent.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress of a long apply: at most a line a second, none for a short apply, none at the end. */
class ApplyProgressTest {
    private static final long MS = 1_000_000L;

    @Test
    void aLineAtMostEverySecondOnceASecondHasPassed() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ApplyProgress progress = new ApplyProgress(new PrintWriter(err), 1_000, now::get);
        for (int done = 1; done <= 1_000; done++) {
            now.addAndGet(5 * MS); // 5 ms a step: 5 s in all
            progress.done(done);
        }
        assertThat(err.toString()).isEqualTo("applied 200/1000\napplied 400/1000\napplied 600/1000\napplied 800/1000\n");
    }

    @Test
    void aShortApplyPrintsNothing() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ApplyProgress progress = new ApplyProgress(new PrintWriter(err), 10, now::get);
        for (int done = 1; done <= 10; done++) {
            now.addAndGet(50 * MS);
            progress.done(done);
        }
        assertThat(err.toString()).isEmpty();
    }
}
