package dev.hibachi.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution under test: {@code packaging/target/hibachi} (system property {@code hibachi.home},
 * set by failsafe), and whether it can form a cluster.
 */
public final class Distribution {
    private static Optional<String> noCluster;

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

    /**
     * Why this build cannot form a cluster, or empty when it can. Asked once, of the build itself: a lone
     * {@code hibachi agent --server --bootstrap-expect 3} is started on free ports. A build that forms
     * single-server clusters only refuses that and exits (its refusal is the reason); one that forms clusters
     * stays up, waiting for its peers, and opens its HTTP port, or at least is still up after 20 s. The probe
     * is then killed.
     */
    public static synchronized Optional<String> whyNoCluster() {
        if (noCluster == null) {
            noCluster = probeCluster();
        }
        return noCluster;
    }

    private static Optional<String> probeCluster() {
        Path dir;
        try {
            dir = Files.createTempDirectory("hibachi-e2e-probe-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int http = FreePorts.port();
        List<String> command = List.of(launcher().toString(), "agent", "--server", "--bootstrap-expect", "3",
                "--node-name", "probe", "--bind-addr", "127.0.0.1:" + FreePorts.gossipPort(), "--rpc-port",
                String.valueOf(FreePorts.port()), "--http-addr", "127.0.0.1:" + http, "--data-dir",
                dir.resolve("data").toString());
        Path log = dir.resolve("probe.log");
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
                    String out = Files.readString(log).strip();
                    return Optional.of("hibachi agent --server --bootstrap-expect 3 exits (status " + p.exitValue()
                            + "): " + (out.length() > 300 ? out.substring(0, 300) + "…" : out));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), http), 200);
                    return Optional.empty();
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe hibachi agent", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LocalCluster.deleteTree(dir);
        }
    }
}
