package dev.hibachi.store.raft;

import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots as RocksDB checkpoints: each is a directory {@code snapshot.<term>_<index>} of hard-linked
 * database files in Ratis's state-machine directory. Ratis ships those files to a follower that fell
 * behind, which is why the live database must live elsewhere: an install replaces this directory whole.
 */
final class CheckpointSnapshots implements StateMachineStorage {
    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

    private volatile File smDir;

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        smDir = raftStorage.getStorageDir().getStateMachineDir();
        Files.createDirectories(smDir.toPath());
    }

    Path dirFor(TermIndex ti) {
        return smDir.toPath().resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    }

    Path newTmpDir() {
        return smDir.toPath().resolve("tmp-checkpoint-" + System.nanoTime());
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        File dir = smDir;
        if (dir == null) {
            return null;
        }
        Snapshot latest = snapshots(dir).stream().max(Comparator.comparingLong(Snapshot::index)).orElse(null);
        if (latest == null) {
            return null;
        }
        List<FileInfo> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(latest.path())) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md5"))
                    .sorted().forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FileListSnapshotInfo(files, latest.term(), latest.index());
    }

    /** The directory holding the newest snapshot's files, if any. */
    Path latestDir() {
        SnapshotInfo info = getLatestSnapshot();
        return info == null ? null : dirFor(info.getTermIndex());
    }

    @Override
    public void format() {
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = policy == null ? -1 : policy.getNumSnapshotsRetained();
        if (keep <= 0) {
            return;
        }
        List<Snapshot> all = snapshots(smDir);
        all.sort(Comparator.comparingLong(Snapshot::index).reversed());
        for (Snapshot old : all.subList(Math.min(keep, all.size()), all.size())) {
            deleteTree(old.path());
        }
    }

    private static List<Snapshot> snapshots(File dir) {
        List<Snapshot> out = new ArrayList<>();
        File[] children = dir.listFiles();
        if (children == null) {
            return out;
        }
        for (File f : children) {
            Matcher m = NAME.matcher(f.getName());
            if (f.isDirectory() && m.matches()) {
                out.add(new Snapshot(f.toPath(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return out;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private record Snapshot(Path path, long term, long index) {
    }
}
