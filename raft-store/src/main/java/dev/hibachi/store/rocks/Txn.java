package dev.hibachi.store.rocks;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

import java.util.function.BiPredicate;

/**
 * The writes of one applied log entry: reads see the entry's own earlier writes, and {@link #commit()}
 * writes everything, with the applied index, in one atomic batch. A crash therefore leaves the store at an
 * entry boundary, and Ratis replays from the index the store itself recorded.
 */
public final class Txn implements KeyValueReader, AutoCloseable {
    private final JobDatabase database;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();

    Txn(JobDatabase database) {
        this.database = database;
    }

    @Override
    public byte[] get(Family family, byte[] key) {
        try {
            return batch.getFromBatchAndDB(database.db(), database.handle(family), readOptions, key);
        } catch (RocksDBException e) {
            throw new StoreIOException("read failed", e);
        }
    }

    public void put(Family family, byte[] key, byte[] value) {
        try {
            batch.put(database.handle(family), key, value);
        } catch (RocksDBException e) {
            throw new StoreIOException("write failed", e);
        }
    }

    public void delete(Family family, byte[] key) {
        try {
            batch.delete(database.handle(family), key);
        } catch (RocksDBException e) {
            throw new StoreIOException("delete failed", e);
        }
    }

    /** As {@link JobDatabase#scan}, over the database with this entry's writes applied. */
    @Override
    public void scan(Family family, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
        try (RocksIterator base = database.db().newIterator(database.handle(family), readOptions);
             RocksIterator it = batch.newIteratorWithBase(database.handle(family), base)) {
            Ranges.forward(it, from, to, visitor);
        }
    }

    /** Newest-first scan of {@code [floor, before)} over the database with this entry's writes applied. */
    @Override
    public void scanBackward(Family family, byte[] floor, byte[] before, BiPredicate<byte[], byte[]> visitor) {
        try (RocksIterator base = database.db().newIterator(database.handle(family), readOptions);
             RocksIterator it = batch.newIteratorWithBase(database.handle(family), base)) {
            Ranges.backward(it, floor, before, visitor);
        }
    }

    public void commit() {
        try {
            database.db().write(database.writeOptions(), batch);
        } catch (RocksDBException e) {
            throw new StoreIOException("commit failed", e);
        }
    }

    @Override
    public void close() {
        readOptions.close();
        batch.close();
    }
}
