package dev.hibachi.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The built distribution under test: {@code packaging/target/hibachi} (system property {@code hibachi.home},
 * set by failsafe), and whether it can form a cluster.
 */
public final class Distribution {

    private Distribution() {
    }

    public static Path home() {
        String home = System.getProperty("hibachi.home");
        Path p = home != null ? Path.of(home) : Path.of("target", "hibachi");
        return p.toAbsolutePath().normalize();
    }

    /** {@code bin/hibachi}; fails with the command that builds it when it is missing. */
    public static Path launcher() {
        Path bin = home().resolve("bin").resolve("hibachi");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is missing; build the distribution first:"
                    + " ./mvnw -q -o package -Dmaven.test.skip=true");
        }
        return bin;
    }

    /** Where the tests keep their agents' data and logs (system property {@code e2e.workdir}). */
    public static Path workDir() {
        String dir = System.getProperty("e2e.workdir");
        return (dir != null ? Path.of(dir) : Path.of("target", "e2e")).toAbsolutePath().normalize();
    }
}
