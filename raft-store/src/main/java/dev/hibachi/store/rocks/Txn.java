package dev.hibachi.store.rocks;

import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The writes of one applied log entry: reads see the entry's own earlier writes, and {@link #commit()}
 * writes everything, with the applied index, in one atomic batch. A crash therefore leaves the store at an
 * entry boundary, and Ratis replays from the index the store itself recorded.
 *
 * <p>Jobs are written only with {@link #putJob} and {@link #deleteJob}, which remember what changed: the commit
 * hands that to the database's {@link dev.hibachi.store.index.JobIndex}, so the listing index can never miss a
 * write of the jobs column family nor show one that did not commit.
 */
public final class Txn implements KeyValueReader, AutoCloseable {
    private final JobDatabase database;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();
    /** Each job this entry wrote, by name, as written last; null once deleted. */
    private final Map<String, Job> jobChanges = new LinkedHashMap<>();

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

    /** Writes {@code job} under its name. */
    public void putJob(Job job) {
        write(Family.JOBS, Keys.job(job.name()), Json.write(job));
        jobChanges.put(job.name(), job);
    }

    public void deleteJob(String name) {
        try {
            batch.delete(database.handle(Family.JOBS), Keys.job(name));
        } catch (RocksDBException e) {
            throw new StoreIOException("delete failed", e);
        }
        jobChanges.put(name, null);
    }

    /** Writes any record but a job (see {@link #putJob}). */
    public void put(Family family, byte[] key, byte[] value) {
        notJobs(family);
        write(family, key, value);
    }

    private void write(Family family, byte[] key, byte[] value) {
        try {
            batch.put(database.handle(family), key, value);
        } catch (RocksDBException e) {
            throw new StoreIOException("write failed", e);
        }
    }

    /** Deletes any record but a job (see {@link #deleteJob}). */
    public void delete(Family family, byte[] key) {
        notJobs(family);
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
        database.write(batch, jobChanges);
    }

    private static void notJobs(Family family) {
        if (family == Family.JOBS) {
            throw new IllegalArgumentException("jobs are written with putJob/deleteJob, so the job index follows");
        }
    }

    @Override
    public void close() {
        readOptions.close();
        batch.close();
    }
}
