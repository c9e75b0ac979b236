package dev.hibachi.store.rocks;

import org.rocksdb.RocksIterator;

import java.util.function.BiPredicate;

/** Key-range walks over a RocksDB iterator, shared by the committed database and a transaction's view. */
final class Ranges {
    private Ranges() {
    }

    /** Visits {@code [from, to)} in key order (no end when {@code to} is null) until the visitor says stop. */
    static void forward(RocksIterator it, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
        for (it.seek(from); it.isValid(); it.next()) {
            byte[] key = it.key();
            if (to != null && JobDatabase.compare(key, to) >= 0) {
                return;
            }
            if (!visitor.test(key, it.value())) {
                return;
            }
        }
    }

    /** Visits {@code [floor, before)} newest first (from the last key when {@code before} is null). */
    static void backward(RocksIterator it, byte[] floor, byte[] before, BiPredicate<byte[], byte[]> visitor) {
        if (before == null) {
            it.seekToLast();
        } else {
            it.seekForPrev(before);
            if (it.isValid() && JobDatabase.compare(it.key(), before) >= 0) {
                it.prev();
            }
        }
        for (; it.isValid(); it.prev()) {
            byte[] key = it.key();
            if (JobDatabase.compare(key, floor) < 0) {
                return;
            }
            if (!visitor.test(key, it.value())) {
                return;
            }
        }
    }
}
