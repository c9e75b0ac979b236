package dev.hibachi.agent.plugin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The jars of a plugins folder ({@code --plugin-dir}), under one class loader whose parent is the agent's: a
 * plugin sees the agent's classes (the {@code Executor} and {@code Processor} interfaces, SLF4J, Jackson) and
 * plugins may share classes. A jar that cannot be read is logged and left out; it never stops the agent.
 */
public final class PluginFolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginFolder.class);

    private final ClassLoader parent;
    private final URLClassLoader loader;
    private final List<Path> jars;

    private PluginFolder(ClassLoader parent, URLClassLoader loader, List<Path> jars) {
        this.parent = parent;
        this.loader = loader;
        this.jars = List.copyOf(jars);
    }

    /** The readable {@code *.jar} files of {@code dir} (none when {@code dir} is null or absent), in name order. */
    public static PluginFolder open(Path dir, ClassLoader parent) {
        if (dir == null || !Files.isDirectory(dir)) {
            if (dir != null) {
                LOG.info("No plugins: {} is not a directory", dir);
            }
            return new PluginFolder(parent, null, List.of());
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*.jar")) {
            listing.forEach(found::add);
        } catch (IOException e) {
            LOG.warn("No plugins: cannot list {}: {}", dir, e.toString());
            return new PluginFolder(parent, null, List.of());
        }
        found.sort(null); // the same order on every start, so which of two same-named plugins wins is stable
        List<Path> readable = new ArrayList<>();
        List<URL> urls = new ArrayList<>();
        for (Path jar : found) {
            try (JarFile ignored = new JarFile(jar.toFile())) {
                urls.add(jar.toUri().toURL());
                readable.add(jar);
            } catch (IOException | SecurityException e) {
                LOG.warn("Skipping plugin {}: not a readable jar ({})", jar, e.toString());
            }
        }
        if (urls.isEmpty()) {
            return new PluginFolder(parent, null, List.of());
        }
        return new PluginFolder(parent, new URLClassLoader("plugins", urls.toArray(URL[]::new), parent), readable);
    }

    /** Where plugins' classes are found: the agent's own loader when there is no plugin. */
    public ClassLoader loader() {
        return loader == null ? parent : loader;
    }

    /** Whether {@code type} comes from a plugin jar (not from the agent's class path). */
    public boolean isPlugin(Class<?> type) {
        return loader != null && type.getClassLoader() == loader;
    }

    /** The jars loaded. */
    public List<Path> jars() {
        return jars;
    }

    /** The jar {@code type} was loaded from, for messages; empty when it is not known. */
    public String origin(Class<?> type) {
        try {
            var source = type.getProtectionDomain().getCodeSource();
            return source == null ? "" : Path.of(source.getLocation().toURI()).getFileName().toString();
        } catch (RuntimeException | java.net.URISyntaxException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        if (loader != null) {
            loader.close();
        }
    }
}
