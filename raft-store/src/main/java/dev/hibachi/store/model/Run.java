package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run that is not over: one scheduled (or manual) instant of a job, with one slot per target member.
 * It exists only between the plan that created it and the result that closes its last slot; the leader
 * resumes exactly these after a failover.
 */
public record Run(
        String job,
        @JsonProperty("run_id") long runId,
        @JsonProperty("scheduled_at") Instant scheduledAt,
        Trigger trigger,
        List<Slot> slots) {

    public enum Trigger { SCHEDULE, MANUAL }

    /** One target's progress: which attempt it is on, and where that attempt stands. */
    public record Slot(Target target, int attempt, SlotState state, @JsonProperty("not_before") Instant notBefore,
                       Boolean success) {
        public boolean open() {
            return state == SlotState.PLANNED || state == SlotState.RUNNING;
        }
    }

    public enum SlotState { PLANNED, RUNNING, RETRY_WAIT, DONE }

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
        return new Run(job, runId, scheduledAt, trigger, List.copyOf(copy));
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
