package dev.hibachi.store.rocks;

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
import org.rocksdb.WriteOptions;

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
 */
public final class JobDatabase implements KeyValueReader, AutoCloseable {
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

    @Override
    public byte[] get(Family family, byte[] key) {
        try {
            return db.get(handles.get(family), key);
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

    WriteOptions writeOptions() {
        return writeOptions;
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
        dbOptions.close();
        cfOptions.close();
        cache.close();
    }
}
