package dev.hibachi.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.rocks.Family;
import dev.hibachi.store.rocks.KeyValueReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test shorthand shared by the store's tests: jobs with extra fields, raw dumps of the store, free ports, deleting
 * temporary folders. */
public final class StoreTestSupport {
    private StoreTestSupport() {
    }

    /** A minimal valid job ({@code shell}, {@code command: true}). */
    public static Job job(String name, String schedule) {
        return Job.of(name, schedule, "shell", Map.of("command", "true"));
    }

    /**
     * {@code job} with some JSON fields replaced (by their JSON names, e.g. {@code "retries"},
     * {@code "parent_job"}), so tests need not call the 26-argument constructor.
     */
    public static Job with(Job job, Map<String, ?> fields) {
        ObjectNode node = Json.mapper().valueToTree(job);
        fields.forEach((k, v) -> node.set(k, Json.mapper().valueToTree(v)));
        try {
            return Json.mapper().treeToValue(node, Job.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Job with(Job job, String field, Object value) {
        return with(job, Map.of(field, value));
    }

    /**
     * Every key and value of every column family, in key order, as printable strings (keys and values
     * base64-encoded, so the comparison is byte-for-byte).
     */
    public static Map<Family, List<String>> dump(KeyValueReader reader) {
        Map<Family, List<String>> out = new EnumMap<>(Family.class);
        Base64.Encoder b64 = Base64.getEncoder();
        for (Family f : Family.values()) {
            List<String> entries = new ArrayList<>();
            reader.scan(f, new byte[0], null, (k, v) -> {
                entries.add(b64.encodeToString(k) + "=" + b64.encodeToString(v));
                return true;
            });
            out.put(f, entries);
        }
        return out;
    }

    /** Deletes {@code dir} and everything under it, children before their folder (nothing when null or gone). */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }

    /** A TCP port that was free a moment ago on the loopback interface. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A port for an agent's gossip: free a moment ago on loopback, and so was the port 100 above it, where the
     * agent's failure detector listens.
     */
    public static int freeGossipPort() {
        for (int tries = 0; tries < 100; tries++) {
            int port = freePort();
            if (port + 100 > 65535) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port + 100)) {
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free pair of ports (p, p + 100) found");
    }
}
