package dev.hibachi.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

    /** A new {@code --encrypt} key, from the distribution's own {@code hibachi keygen}. */
    public static String keygen() {
        try {
            Process p = new ProcessBuilder(launcher().toString(), "keygen").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("[A-Za-z0-9+/]{22}==")) {
                throw new IllegalStateException("hibachi keygen did not print a key: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run hibachi keygen", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where the tests keep their agents' data and logs (system property {@code e2e.workdir}). */
    public static Path workDir() {
        String dir = System.getProperty("e2e.workdir");
        return (dir != null ? Path.of(dir) : Path.of("target", "e2e")).toAbsolutePath().normalize();
    }
}
