package dev.hibachi.agent.exec;

import dev.hibachi.store.model.OutputTail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A bounded, thread-safe buffer of a run's output that keeps the <em>last</em> {@code capacity}
 * bytes and counts what it dropped.
 *
 * <p>Writing is O(bytes written); memory is O(capacity) whatever the output size. The backing array
 * grows on demand (from 4 KiB, doubling) up to {@code capacity}, so a run with little output costs
 * little memory; once full it is used as a ring.
 *
 * <p>{@link #text()} decodes UTF-8 with replacement. When bytes were dropped it starts at the next
 * character boundary (so the cut never produces an invalid character) and puts a marker in front,
 * e.g. {@code "[hibachi: output truncated, 1234567 earlier bytes dropped]\n"}.
 *
 * <p>While a run goes on, others may read along: {@link #since} hands out what was written after a byte
 * position (live output), {@link #onChange} tells a follower when there is more, and {@link #watch} sees every
 * byte as it is written (so a check such as {@code error_pattern} also sees what the ring later drops).
 */
public final class OutputBuffer {

    /** The default capacity: 256,000 bytes. */
    public static final int DEFAULT_CAPACITY = 256_000;

    private static final int INITIAL_SIZE = 4096;

    /** Sees each write, in order, under the buffer's lock: keep it short and never call back into the buffer. */
    public interface Watcher {
        void written(byte[] b, int off, int len);
    }

    /**
     * Bytes {@code [from, to)} of the output (positions count every byte ever written), and how many bytes a reader
     * asking from an older position missed because the ring had dropped them ({@code from - asked}).
     */
    public record Chunk(long from, long to, byte[] bytes, long skipped) {
        public boolean isEmpty() {
            return bytes.length == 0;
        }
    }

    private final int capacity;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private byte[] buf;
    /** Index of the oldest byte; non-zero only once {@code buf.length == capacity}. */
    private int start;
    /** Bytes held. */
    private int size;
    /** Bytes ever written. */
    private long total;
    private boolean ended;

    /** A buffer of {@link #DEFAULT_CAPACITY} bytes. */
    public OutputBuffer() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity the number of last bytes kept, at least 1 */
    public OutputBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.buf = new byte[Math.min(capacity, INITIAL_SIZE)];
    }

    /** The number of last bytes kept. */
    public int capacity() {
        return capacity;
    }

    public void write(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off > b.length - len) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " length=" + b.length);
        }
        if (len == 0) {
            return;
        }
        synchronized (this) {
            for (Watcher w : watchers) {
                w.written(b, off, len);
            }
            store(b, off, len);
        }
        // Outside the lock: a follower reads back at once, from its own thread or this one.
        notifyListeners();
    }

    private void store(byte[] b, int off, int len) {
        total += len;
        if (len >= capacity) {
            if (buf.length != capacity) {
                buf = new byte[capacity];
            }
            System.arraycopy(b, off + len - capacity, buf, 0, capacity);
            start = 0;
            size = capacity;
            return;
        }
        if (buf.length < capacity && size + len > buf.length) {
            // Growth mode: start == 0 and the data is contiguous.
            int newLength = (int) Math.min(capacity, Math.max(2L * buf.length, (long) size + len));
            byte[] grown = new byte[newLength];
            System.arraycopy(buf, 0, grown, 0, size);
            buf = grown;
        }
        int cap = buf.length;
        int pos = (int) (((long) start + size) % cap);
        int first = Math.min(len, cap - pos);
        System.arraycopy(b, off, buf, pos, first);
        if (first < len) {
            System.arraycopy(b, off + first, buf, 0, len - first);
        }
        long newSize = (long) size + len;
        if (newSize > cap) {
            int overflow = (int) (newSize - cap);
            start = (start + overflow) % cap;
            size = cap;
        } else {
            size = (int) newSize;
        }
    }

    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /**
     * Appends {@code line} (UTF-8) and a newline, first adding a newline if the output so far does
     * not end with one. Used for Hibachi's own notes ({@code [hibachi: ...]}).
     */
    public void appendLine(String line) {
        StringBuilder sb = new StringBuilder(line.length() + 2);
        synchronized (this) {
            if (size > 0 && lastByte() != '\n') {
                sb.append('\n');
            }
        }
        sb.append(line).append('\n');
        write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a watcher that sees every byte written from now on (see {@link Watcher}). */
    public void watch(Watcher watcher) {
        watchers.add(watcher);
    }

    /**
     * Calls {@code listener} after each write and when the output {@link #end ends}, from the writer's thread;
     * returns what stops the calls. A listener should only signal, or read with {@link #since}.
     */
    public AutoCloseable onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Says that nothing more will be written (the run is over), and tells the listeners. */
    public void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        notifyListeners();
    }

    /** Whether {@link #end} was called. */
    public synchronized boolean ended() {
        return ended;
    }

    /**
     * What was written from byte {@code position} on, as far as it is still kept (at most the capacity). A position
     * older than the kept tail starts at the tail and reports the bytes it skipped; a position beyond the end gets
     * an empty chunk at the end.
     */
    public synchronized Chunk since(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative: " + position);
        }
        long oldest = total - size;
        long from = Math.min(Math.max(position, oldest), total);
        return new Chunk(from, total, copyLast((int) (total - from)), Math.max(0, oldest - position));
    }

    private void notifyListeners() {
        for (Runnable l : listeners) {
            l.run();
        }
    }

    private byte lastByte() {
        return buf[(int) (((long) start + size - 1) % buf.length)];
    }

    /**
     * The kept output decoded as UTF-8 (malformed input replaced by U+FFFD), with the truncation marker in front
     * when bytes were dropped.
     */
    public String text() {
        return tailText(capacity);
    }

    /**
     * The last {@code maxBytes} of the output (fewer when less is kept) decoded as {@link #text} is, with the
     * truncation marker in front when anything earlier is left out (a live tail).
     */
    public String tailText(int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        byte[] data;
        long written;
        synchronized (this) {
            data = copyLast(Math.min(maxBytes, size));
            written = total;
        }
        int skip = written > data.length ? cutCharacterBytes(data) : 0;
        String body = new String(data, skip, data.length - skip, StandardCharsets.UTF_8);
        long dropped = written - (data.length - skip);
        if (dropped > 0) {
            return OutputTail.marker(dropped) + body;
        }
        return body;
    }

    /**
     * How many bytes at the start of {@code data} belong to a character whose first byte was cut off (UTF-8
     * continuation bytes, 10xxxxxx; at most 3): text that starts after a cut starts after them.
     */
    public static int cutCharacterBytes(byte[] data) {
        int skip = 0;
        while (skip < data.length && skip < 3 && (data[skip] & 0xC0) == 0x80) {
            skip++;
        }
        return skip;
    }

    /** Whether any bytes were dropped. */
    public synchronized boolean truncated() {
        return total > size;
    }

    /** The number of bytes ever written. */
    public synchronized long totalBytes() {
        return total;
    }

    /** The last {@code min(n, kept)} bytes, raw (may start or end inside a UTF-8 character). */
    public synchronized byte[] tail(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        return copyLast(Math.min(n, size));
    }

    private byte[] copyLast(int n) {
        byte[] out = new byte[n];
        if (n == 0) {
            return out;
        }
        int cap = buf.length;
        int from = (int) (((long) start + size - n) % cap);
        int first = Math.min(n, cap - from);
        System.arraycopy(buf, from, out, 0, first);
        if (first < n) {
            System.arraycopy(buf, 0, out, first, n - first);
        }
        return out;
    }
}
