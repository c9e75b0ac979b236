package dev.hibachi.store.model;

/**
 * A job tag's value as Dkron writes it, {@code value} or {@code value:N} (run on N of the matching members). A
 * malformed N selects nobody, as in Dkron. Read the same way by the dispatcher and by the job list's tag filter.
 *
 * @param value the value a member's tag must equal
 * @param count how many matching members run the job; {@link Integer#MAX_VALUE} when the tag sets no count
 */
public record TagValue(String value, int count) {
    public static TagValue parse(String raw) {
        String s = raw == null ? "" : raw;
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new TagValue(s, Integer.MAX_VALUE);
        }
        try {
            return new TagValue(s.substring(0, colon), Math.max(0, Integer.parseInt(s.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return new TagValue(s.substring(0, colon), 0);
        }
    }
}
