package dev.hibachi.store.index;

import dev.hibachi.store.model.Job;

import java.time.Instant;
import java.util.Locale;

/**
 * What a listing filters and sorts one job on, and nothing more: the job itself stays in RocksDB and only the
 * jobs of a page are read from there. Times are nanoseconds since the epoch ({@link #NEVER} when unset), so a
 * row holds no {@link Instant} objects.
 *
 * <p>Changed in place by {@link JobIndex} under its write lock and read only under its read lock; its name
 * never changes, so the sorted sets that hold it stay sorted.
 */
final class JobRow {
    /** An unset time: before every other, as Dkron's zero time and JSON's null sort. */
    static final long NEVER = Long.MIN_VALUE;
    static final Label[] NO_LABELS = new Label[0];

    final String name;
    /** The name in lower case (the same object when it already is, as valid names are). */
    final String foldedName;
    String displayname;
    /** The display name in lower case (the same object when it already is): what {@code q} and its order use. */
    String foldedDisplayname;
    String schedule;
    /** The job's status, one of a few shared constants. */
    String status;
    boolean disabled;
    long successCount;
    long errorCount;
    long lastSuccess;
    long lastError;
    long next;
    /** The job's metadata, as the index's shared labels, sorted by key. */
    Label[] labels;

    JobRow(String name) {
        this.name = name;
        this.foldedName = name.toLowerCase(Locale.ROOT);
        this.labels = NO_LABELS;
    }

    /** Takes every listing field of {@code job} except its labels (the index keeps those with its label sets). */
    void set(Job job) {
        displayname = job.displayname() == null ? "" : job.displayname();
        foldedDisplayname = displayname.toLowerCase(Locale.ROOT);
        schedule = job.schedule() == null ? "" : job.schedule();
        status = status(job.status());
        disabled = job.disabled();
        successCount = job.successCount();
        errorCount = job.errorCount();
        lastSuccess = nanos(job.lastSuccess());
        lastError = nanos(job.lastError());
        next = nanos(job.next());
    }

    boolean has(Label label) {
        for (Label l : labels) {
            if (l == label || l.equals(label)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the name or the display name contains {@code folded} (a lower-case text). */
    boolean mentions(String folded) {
        return foldedName.contains(folded) || foldedDisplayname.contains(folded);
    }

    /** The statuses the store writes, as shared constants; anything else is kept as it is. */
    private static String status(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        switch (value) {
            case "success":
                return "success";
            case "failed":
                return "failed";
            case "partially_failed":
                return "partially_failed";
            default:
                return value;
        }
    }

    /** An instant as nanoseconds since the epoch, saturated outside the years 1678..2262 (order is kept). */
    static long nanos(Instant t) {
        if (t == null) {
            return NEVER;
        }
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            return t.getEpochSecond() < 0 ? NEVER + 1 : Long.MAX_VALUE;
        }
    }
}
