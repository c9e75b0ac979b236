package dev.hibachi.store.rocks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key layouts. Job names never contain a zero byte (they are validated), so {@code job ‖ 0} is a prefix that
 * no other job shares, and big-endian numbers after it sort a job's executions by run, oldest first.
 */
public final class Keys {
    private Keys() {
    }

    public static byte[] job(String name) {
        return utf8(name);
    }

    public static byte[] jobPrefix(String job) {
        byte[] name = utf8(job);
        return Arrays.copyOf(name, name.length + 1);
    }

    /** The first key after every key that starts with {@code prefix}. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    public static byte[] execution(String job, long runId, int attempt, String node) {
        byte[] prefix = jobPrefix(job);
        byte[] nodeBytes = utf8(node);
        return ByteBuffer.allocate(prefix.length + 12 + nodeBytes.length)
                .put(prefix).putLong(runId).putInt(attempt).put(nodeBytes).array();
    }

    /**
     * The prefix of an execution's artifacts: its key and a zero byte (node names have none, so no other execution's
     * key continues this one's).
     */
    public static byte[] artifactPrefix(byte[] executionKey) {
        return Arrays.copyOf(executionKey, executionKey.length + 1);
    }

    public static byte[] artifact(byte[] executionKey, String path) {
        byte[] p = utf8(path);
        return ByteBuffer.allocate(executionKey.length + 1 + p.length).put(executionKey).put((byte) 0).put(p).array();
    }

    public static byte[] miss(String job, long fromMillis, long seq) {
        byte[] prefix = jobPrefix(job);
        return ByteBuffer.allocate(prefix.length + 16).put(prefix).putLong(fromMillis).putLong(seq).array();
    }

    public static String run(String job, long runId) {
        return "run/" + job + "/" + String.format("%020d", runId);
    }

    public static String clock(String job) {
        return "clock/" + job;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
