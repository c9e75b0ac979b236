package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job that prints 1 GiB: the run keeps the last 256,000 bytes, and the agent's heap does not grow with it. */
class ShellExecutorFloodTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    private ProcessGroups groups;

    @BeforeEach
    void setUp() {
        groups = new ProcessGroups(tmp.resolve("pgroups"));
    }

    @AfterEach
    void tearDown() {
        groups.close();
    }

    @Test
    void oneGibibyteOfOutputKeepsTheTailAndTheHeapFlat() throws Exception {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        long before = usedAfterGc(heap);
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);

        long start = System.nanoTime();
        ExecutionResult r = new ShellExecutor().start(new ExecutionRequest("flood",
                Map.of("command", "head -c " + GIB + " /dev/zero | tr '\\0' x", "shell", "true"),
                1, 1, new OutputBuffer(), groups)).completion().get(300, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;

        // Each pool's peak, summed: at least the real peak of the heap as a whole.
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long after = usedAfterGc(heap);
        System.out.printf("1 GiB flood: %d ms (%.0f MiB/s); heap used before %.1f MiB, peak %.1f MiB, after %.1f MiB%n",
                millis, GIB / (double) MIB / (millis / 1000.0), before / (double) MIB, peak / (double) MIB,
                after / (double) MIB);

        assertThat(r.success()).isTrue();
        assertThat(r.outputTruncated()).isTrue();
        String marker = "[hibachi: output truncated, " + (GIB - OutputBuffer.DEFAULT_CAPACITY) + " earlier bytes dropped]\n";
        assertThat(r.output()).startsWith(marker);
        assertThat(r.output()).hasSize(marker.length() + OutputBuffer.DEFAULT_CAPACITY);
        assertThat(r.output().substring(marker.length())).matches("x{" + OutputBuffer.DEFAULT_CAPACITY + "}");
        assertThat(peak - before).isLessThan(64 * MIB);
        assertThat(after - before).isLessThan(8 * MIB);
    }

    private static long usedAfterGc(List<MemoryPoolMXBean> heap) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    }
}
