package dev.hibachi.store.index;

import java.util.Collection;

/**
 * An array copy of rows kept in one order (a sorted map's values or a sorted set), for readers to walk: walking a
 * red-black tree of 100,000 rows costs about 3 ms of pointer chasing, the array about 0.2 ms. A change of the
 * order drops the copy and the next reader rebuilds it, so writers, who add jobs one at a time, never pay for it.
 *
 * <p>Used under {@link JobIndex}'s lock: {@link #changed} under the write lock, {@link #rows} under the read lock
 * (two readers may both rebuild it; they build the same array).
 */
final class RowArray {
    private static final JobRow[] NONE = new JobRow[0];

    private final Collection<JobRow> inOrder;
    private volatile JobRow[] copy;

    RowArray(Collection<JobRow> inOrder) {
        this.inOrder = inOrder;
    }

    void changed() {
        copy = null;
    }

    JobRow[] rows() {
        JobRow[] c = copy;
        if (c == null) {
            c = inOrder.toArray(NONE);
            copy = c;
        }
        return c;
    }
}
