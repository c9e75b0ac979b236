package dev.hibachi.store.index;

import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.TagValue;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a listing filters and sorts one job on, and nothing more: the job itself stays in RocksDB and only the
 * jobs of a page are read from there. Times are nanoseconds since the epoch ({@link #NEVER} when unset), so a
 * row holds no {@link Instant} objects; schedules and metadata are interned strings, shared by every row that
 * has the same one. About 300 bytes a job with two metadata entries and a tag.
 *
 * <p>Changed in place by {@link JobIndex} under its write lock and read only under its read lock; its name
 * never changes, so the sorted sets that hold it stay sorted.
 */
final class JobRow {
    /** An unset time: before every other, as Dkron's zero time and JSON's null sort. */
    static final long NEVER = Long.MIN_VALUE;
    static final String[] NO_LABELS = new String[0];

    final String name;
    /** Where this row's text is in {@link SearchText}: a small number, reused after its job is deleted. */
    final int slot;
    String displayname;
    String schedule;
    /** The job's status, one of a few shared constants. */
    String status;
    boolean disabled;
    long successCount;
    long errorCount;
    long lastSuccess;
    long lastError;
    long next;
    /** The job's metadata, sorted by key, as {@code key0, value0, key1, value1, ...}, interned. */
    String[] labels = NO_LABELS;
    /** The job's tags the same way, each value without its {@code :N} count ({@link TagValue}). */
    String[] tags = NO_LABELS;

    JobRow(String name, int slot) {
        this.name = name;
        this.slot = slot;
    }

    /** Takes every listing field of {@code job}, keeping the strings it holds already when they are equal. */
    void set(Job job) {
        String d = displayname(job);
        displayname = d.equals(displayname) ? displayname : d;
        String s = schedule(job);
        schedule = s.equals(schedule) ? schedule : s.intern();
        status = status(job.status());
        disabled = job.disabled();
        successCount = job.successCount();
        errorCount = job.errorCount();
        lastSuccess = nanos(job.lastSuccess());
        lastError = nanos(job.lastError());
        next = nanos(job.next());
        String[] l = labels(job.metadata(), UnaryOperator.identity());
        labels = Arrays.equals(l, labels) ? labels : intern(l);
        String[] t = labels(job.tags(), v -> TagValue.parse(v).value());
        tags = Arrays.equals(t, tags) ? tags : intern(t);
    }

    static String displayname(Job job) {
        return job.displayname() == null ? "" : job.displayname();
    }

    static String schedule(Job job) {
        return job.schedule() == null ? "" : job.schedule();
    }

    /**
     * Whether {@code labels} (this row's {@link #labels} or {@link #tags}) has {@code key} with exactly {@code value}
     * (both interned: mostly one compare).
     */
    static boolean has(String[] labels, String key, String value) {
        for (int i = 0; i < labels.length; i += 2) {
            if (labels[i] == key || labels[i].equals(key)) {
                return labels[i + 1] == value || labels[i + 1].equals(value);
            }
        }
        return false;
    }

    /** Whether the name or the display name contains {@code folded} (lower case), asking each apart. */
    boolean mentions(String folded) {
        return name.toLowerCase(Locale.ROOT).contains(folded)
                || displayname.toLowerCase(Locale.ROOT).contains(folded);
    }

    /** {@code pairs} sorted by key as {@code key0, value0, ...}, each value as {@code value} reads it. */
    private static String[] labels(Map<String, String> pairs, UnaryOperator<String> value) {
        if (pairs == null || pairs.isEmpty()) {
            return NO_LABELS;
        }
        String[] keys = pairs.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        String[] out = new String[keys.length * 2];
        for (int i = 0; i < keys.length; i++) {
            String v = pairs.get(keys[i]);
            out[2 * i] = keys[i];
            out[2 * i + 1] = value.apply(v == null ? "" : v);
        }
        return out;
    }

    private static String[] intern(String[] labels) {
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labels[i].intern();
        }
        return labels;
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
