package dev.hibachi.store.index;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every row's name and display name, in lower case and UTF-8, in one array, so that {@code q} is one scan of a
 * few megabytes: about 1.5 ms at 100,000 jobs, where {@link String#contains} on each row's two strings takes ten
 * times that, most of it in cache misses. Built by the first {@code q} after a job was added, removed or
 * renamed (about 10 ms at 100,000 jobs), then shared until the next such change; no memory is spent on it while
 * nobody searches.
 *
 * <p>Rows are laid out by slot ({@link JobRow#slot}): name, a zero byte, display name, a zero byte. UTF-8 finds a
 * text's bytes only where the text itself is, and a text without a zero byte is never found across two strings.
 */
final class SearchText {
    private final byte[] bytes;
    /** Where slot i's text starts; {@code starts[slots]} is the end. */
    private final int[] starts;

    private SearchText(byte[] bytes, int[] starts) {
        this.bytes = bytes;
        this.starts = starts;
    }

    /** Lays out the texts of {@code bySlot} (a free slot, null, has an empty text). */
    static SearchText of(List<JobRow> bySlot) {
        byte[][] texts = new byte[bySlot.size() * 2][];
        int length = 0;
        for (int slot = 0; slot < bySlot.size(); slot++) {
            JobRow r = bySlot.get(slot);
            texts[2 * slot] = r == null ? new byte[0] : fold(r.name);
            texts[2 * slot + 1] = r == null ? new byte[0] : fold(r.displayname);
            length += texts[2 * slot].length + texts[2 * slot + 1].length + 2;
        }
        byte[] bytes = new byte[length];
        int[] starts = new int[bySlot.size() + 1];
        int at = 0;
        for (int slot = 0; slot < bySlot.size(); slot++) {
            starts[slot] = at;
            for (int part = 0; part < 2; part++) {
                byte[] t = texts[2 * slot + part];
                System.arraycopy(t, 0, bytes, at, t.length);
                at += t.length + 1; // and the zero byte after it
            }
        }
        starts[bySlot.size()] = at;
        return new SearchText(bytes, starts);
    }

    static byte[] fold(String text) {
        return text.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Which slots' name or display name contains {@code folded} (lower case), or null when it holds a zero char
     * (then each row must be asked, see {@link JobRow#mentions}).
     */
    boolean[] find(String folded) {
        if (folded.indexOf('\u0000') >= 0) {
            return null;
        }
        byte[] needle = folded.getBytes(StandardCharsets.UTF_8);
        boolean[] hits = new boolean[starts.length - 1];
        if (needle.length == 0) {
            Arrays.fill(hits, true);
            return hits;
        }
        byte first = needle[0];
        int slot = 0;
        outer:
        for (int i = 0, last = bytes.length - needle.length; i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            while (starts[slot + 1] <= i) {
                slot++;
            }
            hits[slot] = true;
            i = starts[slot + 1] - 1; // on to the next row
        }
        return hits;
    }
}
