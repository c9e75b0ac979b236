package dev.hibachi.agent.run;

import dev.hibachi.agent.exec.Executor;
import dev.hibachi.agent.plugin.NamedProviders;
import dev.hibachi.agent.plugin.PluginFolder;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The executors this agent can run, by name: those on the class path and those of its plugin jars, found
 * through {@link java.util.ServiceLoader} (see {@link NamedProviders} for which wins).
 */
public final class ExecutorRegistry {
    private final Map<String, Executor> byName;

    private ExecutorRegistry(Map<String, Executor> byName) {
        this.byName = byName;
    }

    /** The built-in executors and those of {@code plugins}. */
    public static ExecutorRegistry load(PluginFolder plugins) {
        return new ExecutorRegistry(NamedProviders.load(Executor.class, Executor::name, plugins));
    }

    /** Exactly these executors (tests, and tools that embed an agent). */
    public static ExecutorRegistry of(Executor... executors) {
        Map<String, Executor> byName = new TreeMap<>();
        for (Executor e : executors) {
            byName.putIfAbsent(e.name(), e);
        }
        return new ExecutorRegistry(byName);
    }

    public static ExecutorRegistry builtIn() {
        return load(PluginFolder.open(null, ExecutorRegistry.class.getClassLoader()));
    }

    public Optional<Executor> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
