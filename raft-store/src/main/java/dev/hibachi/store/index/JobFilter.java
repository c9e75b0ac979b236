package dev.hibachi.store.index;

import java.util.Map;

/**
 * Which jobs a listing keeps: a job must meet every condition that is set (a null or empty one is not).
 *
 * @param metadata each of these keys with exactly this value in the job's metadata
 * @param text     a substring of the job's name or display name, in any case
 * @param status   the job's status exactly: {@code success}, {@code failed}, {@code partially_failed}, or
 *                 {@code ""} for a job that has not finished a run yet
 * @param disabled whether the job is disabled
 * @param tags     each of these keys among the job's tags, selecting members whose tag has exactly this value
 *                 (a job's {@code role: web:2} is kept by {@code role=web}: the count is not part of the value)
 */
public record JobFilter(Map<String, String> metadata, String text, String status, Boolean disabled,
                        Map<String, String> tags) {
    public static final JobFilter NONE = new JobFilter(null, null, null, null, null);

    public JobFilter {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        text = text == null || text.isEmpty() ? null : text;
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** A filter without a tag condition. */
    public JobFilter(Map<String, String> metadata, String text, String status, Boolean disabled) {
        this(metadata, text, status, disabled, null);
    }

    /** Whether no condition is set. */
    boolean keepsAll() {
        return metadata.isEmpty() && tags.isEmpty() && text == null && status == null && disabled == null;
    }
}
