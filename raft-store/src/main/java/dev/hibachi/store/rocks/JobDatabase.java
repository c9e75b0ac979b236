package dev.hibachi.store.rocks;

import dev.hibachi.store.index.JobIndex;
import dev.hibachi.store.model.Job;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The job store's RocksDB: one column family per kind of record ({@link Family}). Data lives on disk and
 * in a bounded native block cache, not in the heap, so 100,000 jobs with their history need no large heap.
 * Writes go through {@link Txn}, one atomic batch per applied log entry.
 *
 * <p>It also keeps the {@link JobIndex} of its jobs column family: built from the family when the database opens
 * (so after a restart and after a snapshot is installed), then changed by each commit that writes jobs.
 */
public final class JobDatabase implements KeyValueReader, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobDatabase.class);

    static {
        RocksDB.loadLibrary();
    }

    private static final long BLOCK_CACHE_BYTES = 64L << 20;

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache cache;
    private final RocksDB db;
    private final Map<Family, ColumnFamilyHandle> handles = new EnumMap<>(Family.class);
    private final List<ColumnFamilyHandle> allHandles = new ArrayList<>();
    private final WriteOptions writeOptions = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    private final JobIndex jobIndex = new JobIndex();

    private JobDatabase(Path dir) throws RocksDBException {
        this.dir = dir;
        this.cache = new LRUCache(BLOCK_CACHE_BYTES);
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(5);
        this.cfOptions = new ColumnFamilyOptions()
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (Family f : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(f.cfName(), cfOptions));
        }
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, allHandles);
        for (Family f : Family.values()) {
            handles.put(f, allHandles.get(f.ordinal() + 1));
        }
        long start = System.nanoTime();
        StoreView view = new StoreView(this);
        jobIndex.rebuild(view::eachJob);
        LOG.debug("Job index of {} built with {} jobs in {} ms", dir, jobIndex.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    public static JobDatabase open(Path dir) {
        try {
            Files.createDirectories(dir);
            return new JobDatabase(dir);
        } catch (Exception e) {
            throw new StoreIOException("cannot open the job store at " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Txn begin() {
        return new Txn(this);
    }

    /** The listing index of this database's jobs, always at its last commit. */
    public JobIndex jobIndex() {
        return jobIndex;
    }

    /**
     * Writes an entry's batch; when it wrote jobs, under the job index's write lock and followed by the index's
     * change, so that no reader sees one without the other.
     */
    void write(WriteBatchWithIndex batch, Map<String, Job> jobChanges) {
        if (jobChanges.isEmpty()) {
            writeNow(batch);
        } else {
            jobIndex.change(jobChanges, () -> writeNow(batch));
        }
    }

    private void writeNow(WriteBatchWithIndex batch) {
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreIOException("commit failed", e);
        }
    }

    /**
     * The whole database as it is now, unchanged by later commits, until closed. Taken inside
     * {@link JobIndex#select}, it holds exactly the jobs that the index's rows describe.
     */
    public Snapshot snapshot() {
        return new Snapshot();
    }

    /** Reads pinned at one instant of the database (a RocksDB snapshot); close it to let compaction drop old data. */
    public final class Snapshot implements KeyValueReader, AutoCloseable {
        private final org.rocksdb.Snapshot pinned = db.getSnapshot();
        private final ReadOptions options = new ReadOptions().setSnapshot(pinned);

        private Snapshot() {
        }

        @Override
        public byte[] get(Family family, byte[] key) {
            return JobDatabase.this.get(family, key, options);
        }

        @Override
        public void scan(Family family, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
            try (RocksIterator it = db.newIterator(handles.get(family), options)) {
                Ranges.forward(it, from, to, visitor);
            }
        }

        @Override
        public void scanBackward(Family family, byte[] floor, byte[] before, BiPredicate<byte[], byte[]> visitor) {
            try (RocksIterator it = db.newIterator(handles.get(family), options)) {
                Ranges.backward(it, floor, before, visitor);
            }
        }

        @Override
        public void close() {
            options.close();
            db.releaseSnapshot(pinned);
        }
    }

    @Override
    public byte[] get(Family family, byte[] key) {
        return get(family, key, readOptions);
    }

    private byte[] get(Family family, byte[] key, ReadOptions options) {
        try {
            return db.get(handles.get(family), options, key);
        } catch (RocksDBException e) {
            throw new StoreIOException("read failed", e);
        }
    }

    /**
     * Visits keys from {@code from} (inclusive) up to {@code to} (exclusive; null = no end) in key order,
     * until the visitor returns false.
     */
    @Override
    public void scan(Family family, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(handles.get(family), ro)) {
            Ranges.forward(it, from, to, visitor);
        }
    }

    /** Visits keys from just below {@code before} (exclusive) down to {@code floor} (inclusive), newest first. */
    @Override
    public void scanBackward(Family family, byte[] floor, byte[] before, BiPredicate<byte[], byte[]> visitor) {
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(handles.get(family), ro)) {
            Ranges.backward(it, floor, before, visitor);
        }
    }

    /** A consistent copy of the whole database (hard links), used as the Raft snapshot. */
    public void checkpoint(Path target) {
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StoreIOException("checkpoint to " + target + " failed", e);
        }
    }

    ColumnFamilyHandle handle(Family family) {
        return handles.get(family);
    }

    RocksDB db() {
        return db;
    }

    static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : allHandles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        readOptions.close();
        dbOptions.close();
        cfOptions.close();
        cache.close();
    }
}
