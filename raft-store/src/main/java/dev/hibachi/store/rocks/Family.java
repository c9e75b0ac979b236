package dev.hibachi.store.rocks;

import java.nio.charset.StandardCharsets;

/** The column families of the job store (DESIGN.md, Storage). */
public enum Family {
    /** job name → Job JSON. */
    JOBS("jobs"),
    /** job ‖ 0 ‖ runId ‖ attempt ‖ node → Execution JSON (without output). */
    EXECUTIONS("executions"),
    /** same key as EXECUTIONS → output bytes, kept apart so listing does not read them. */
    OUTPUTS("outputs"),
    /** job ‖ 0 ‖ from ‖ seq → MissedSpan JSON. */
    MISSES("misses"),
    /** open runs and derived work: {@code run/...}, {@code retry/...}. */
    PENDING("pending"),
    /** applied index, cluster settings, job clocks, rejections. */
    META("meta"),
    /**
     * execution key ‖ 0 ‖ path → the file's bytes: what an attempt left in {@code $HIBACHI_ARTIFACTS}. Apart from
     * the outputs so that listing executions never reads them; created on open in a store that predates it.
     */
    ARTIFACTS("artifacts");

    private final String cfName;

    Family(String cfName) {
        this.cfName = cfName;
    }

    public byte[] cfName() {
        return cfName.getBytes(StandardCharsets.UTF_8);
    }
}
