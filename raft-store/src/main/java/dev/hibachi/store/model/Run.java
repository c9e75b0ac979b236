package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run that is not over: one scheduled (or manual, or child) instant of a job, with one slot per target
 * member. It exists only between the plan that created it and the result that closes its last slot; the
 * leader resumes exactly these after a failover.
 *
 * <p>A run of a {@code forbid} job planned while another run of the job is open is {@code queued}: it is
 * not dispatched until the run before it is over. A queued run that is due on time is skipped if it is
 * still queued at its instant; a {@code late} one (a catch-up of missed instants, or a child run) waits for
 * its turn instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Run(
        String job,
        @JsonProperty("run_id") long runId,
        @JsonProperty("scheduled_at") Instant scheduledAt,
        Trigger trigger,
        List<Slot> slots,
        @JsonProperty("parent_run_id") Long parentRunId,
        Boolean queued,
        Boolean late) {

    public enum Trigger { SCHEDULE, MANUAL, CHILD }

    public Run(String job, long runId, Instant scheduledAt, Trigger trigger, List<Slot> slots) {
        this(job, runId, scheduledAt, trigger, slots, null, null, null);
    }

    /** One target's progress: which attempt it is on, and where that attempt stands. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Slot(Target target, int attempt, SlotState state, @JsonProperty("not_before") Instant notBefore,
                       Boolean success, Kill kill) {
        public Slot(Target target, int attempt, SlotState state, Instant notBefore, Boolean success) {
            this(target, attempt, state, notBefore, success, null);
        }

        public boolean open() {
            return state == SlotState.PLANNED || state == SlotState.RUNNING;
        }

        public Slot withKill(Kill value) {
            return new Slot(target, attempt, state, notBefore, success, value);
        }
    }

    public enum SlotState { PLANNED, RUNNING, RETRY_WAIT, DONE }

    /** A committed request to kill an attempt: who asked, and when it was committed. */
    public record Kill(String by, Instant at) {
    }

    public int slotOf(String node, int attempt) {
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (s.target().node().equals(node) && s.attempt() == attempt) {
                return i;
            }
        }
        return -1;
    }

    public Run withSlot(int index, Slot slot) {
        List<Slot> copy = new ArrayList<>(slots);
        copy.set(index, slot);
        return new Run(job, runId, scheduledAt, trigger, List.copyOf(copy), parentRunId, queued, late);
    }

    /** This run, no longer waiting for the run before it. */
    public Run released() {
        return new Run(job, runId, scheduledAt, trigger, slots, parentRunId, null, late);
    }

    @JsonIgnore
    public boolean isQueued() {
        return Boolean.TRUE.equals(queued);
    }

    @JsonIgnore
    public boolean isLate() {
        return Boolean.TRUE.equals(late);
    }

    public boolean complete() {
        return slots.stream().allMatch(s -> s.state() == SlotState.DONE);
    }

    /** Dkron's status of a finished group: all succeeded, all failed, or some of each. */
    public String status() {
        long ok = slots.stream().filter(s -> Boolean.TRUE.equals(s.success())).count();
        if (ok == slots.size()) {
            return Execution.SUCCEEDED;
        }
        return ok == 0 ? Execution.FAILED : "partially_failed";
    }
}
