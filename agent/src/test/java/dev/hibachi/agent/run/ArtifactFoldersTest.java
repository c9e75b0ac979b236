package dev.hibachi.agent.run;

import dev.hibachi.store.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Collecting a folder on a real file system: order, budget, file cap, links and special files. */
class ArtifactFoldersTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderIsFreshForEachAttemptAndItsPathFollowsFromTheAttempt() throws Exception {
        ArtifactFolders folders = new ArtifactFolders(tmp.resolve("artifacts"), 100);
        Path first = folders.create("job", 42, 1);
        Files.writeString(first.resolve("left-over"), "x");

        Path again = folders.create("job", 42, 1);
        Path second = folders.create("job", 42, 2);

        assertThat(again).isEqualTo(first).isEqualTo(folders.folder("job", 42, 1)).isEmptyDirectory();
        assertThat(second).isNotEqualTo(first).isEmptyDirectory();
        assertThat(first).isEqualTo(tmp.resolve("artifacts").resolve("job").resolve("42-1"));
    }

    @Test
    void filesAreTakenInPathOrderWhileTheyFitAndEachOneLeftOutIsNamed() throws Exception {
        ArtifactFolders folders = new ArtifactFolders(tmp.resolve("artifacts"), 100);
        Path dir = folders.create("job", 1, 1);
        Files.createDirectories(dir.resolve("b"));
        Files.write(dir.resolve("b/inner.bin"), new byte[60]);
        Files.write(dir.resolve("a.txt"), new byte[30]);
        Files.write(dir.resolve("c.big"), new byte[20]); // does not fit after 90 bytes
        Files.write(dir.resolve("d.small"), new byte[10]); // fits exactly
        Path outside = Files.writeString(tmp.resolve("secret"), "not for the store");
        Files.createSymbolicLink(dir.resolve("e-link"), outside);
        Files.createSymbolicLink(dir.resolve("f-dir-link"), tmp);

        ArtifactFolders.Collected c = folders.collect("job", 1, 1);

        assertThat(c.artifacts()).extracting(Command.Artifact::path).containsExactly("a.txt", "b/inner.bin",
                "d.small");
        assertThat(c.bytes()).isEqualTo(100);
        assertThat(c.notes()).containsExactly(
                "[hibachi: artifact c.big (20 bytes) not kept: over the execution's artifacts budget of 100 bytes"
                        + " (90 used)]",
                "[hibachi: artifact e-link (" + Files.readSymbolicLink(dir.resolve("e-link")).toString().length()
                        + " bytes) not kept: not a regular file]",
                "[hibachi: artifact f-dir-link (" + tmp.toString().length() + " bytes) not kept: not a regular file]");
    }

    @Test
    void pastTheFileCapTheRestIsSummedUpInOneLine() throws Exception {
        ArtifactFolders folders = new ArtifactFolders(tmp.resolve("artifacts"), ArtifactFolders.MAX_BUDGET);
        Path dir = folders.create("many", 1, 1);
        int extra = ArtifactFolders.NAMED_DROPS + 5;
        for (int i = 0; i < ArtifactFolders.MAX_FILES + extra; i++) {
            Files.writeString(dir.resolve(String.format("f%04d", i)), "x");
        }

        ArtifactFolders.Collected c = folders.collect("many", 1, 1);

        assertThat(c.artifacts()).hasSize(ArtifactFolders.MAX_FILES);
        assertThat(c.artifacts().get(0).path()).isEqualTo("f0000");
        assertThat(c.notes()).hasSize(ArtifactFolders.NAMED_DROPS + 1);
        assertThat(c.notes().get(0)).isEqualTo("[hibachi: artifact f0100 (1 bytes) not kept: an execution keeps at"
                + " most 100 files]");
        assertThat(c.notes().get(ArtifactFolders.NAMED_DROPS)).isEqualTo("[hibachi: 5 more artifacts (15 bytes in"
                + " all left out) not kept]");
    }

    @Test
    void deleteRemovesTheFolderButNeverWhatALinkPointsTo() throws Exception {
        ArtifactFolders folders = new ArtifactFolders(tmp.resolve("artifacts"), 100);
        Path dir = folders.create("job", 3, 1);
        Path outside = Files.createDirectories(tmp.resolve("keep-me"));
        Files.writeString(outside.resolve("precious"), "x");
        Files.createSymbolicLink(dir.resolve("link"), outside);
        Files.createDirectories(dir.resolve("deep/er"));
        Files.writeString(dir.resolve("deep/er/f"), "x");

        folders.delete("job", 3, 1);

        assertThat(dir).doesNotExist();
        assertThat(tmp.resolve("artifacts/job")).doesNotExist();
        assertThat(outside.resolve("precious")).exists();
        assertThat(folders.collect("job", 3, 1)).isEqualTo(ArtifactFolders.Collected.NONE);
    }

    @Test
    void aSweepKeepsWhatIsNeededAndWhatThisAgentMade() throws Exception {
        Path root = tmp.resolve("artifacts");
        Path needed = Files.createDirectories(root.resolve("a/1-1"));
        Path stale = Files.createDirectories(root.resolve("a/2-1"));
        Path staleJob = Files.createDirectories(root.resolve("b/3-1"));
        ArtifactFolders folders = new ArtifactFolders(root, 100);
        Path fresh = folders.create("c", 4, 1);

        folders.sweep(Set.of(needed));

        assertThat(needed).exists();
        assertThat(fresh).exists();
        assertThat(stale).doesNotExist();
        assertThat(staleJob.getParent()).doesNotExist();
    }

    @Test
    void aBudgetOutsideTheRangeIsRefused() {
        assertThatThrownBy(() -> new ArtifactFolders(tmp, ArtifactFolders.MAX_BUDGET + 1))
                .hasMessage("artifacts budget must be from 0 to 2097152 bytes (got 2097153)");
    }
}
