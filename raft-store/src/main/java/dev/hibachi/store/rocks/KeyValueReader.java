package dev.hibachi.store.rocks;

import java.util.function.BiPredicate;

/** Reads over the store: the committed database, or an entry's transaction that sees its own writes. */
public interface KeyValueReader {
    byte[] get(Family family, byte[] key);

    void scan(Family family, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor);

    void scanBackward(Family family, byte[] floor, byte[] before, BiPredicate<byte[], byte[]> visitor);
}
