package dev.hibachi.agent.run;

import dev.hibachi.agent.exec.Executor;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The executors this agent can run, by name: those on the class path, found through {@link ServiceLoader}. */
public final class ExecutorRegistry {
    private final Map<String, Executor> byName = new TreeMap<>();

    public ExecutorRegistry(ClassLoader loader) {
        this(ServiceLoader.load(Executor.class, loader));
    }

    private ExecutorRegistry(Iterable<Executor> executors) {
        for (Executor e : executors) {
            byName.putIfAbsent(e.name(), e);
        }
    }

    /** Exactly these executors (tests, and tools that embed an agent). */
    public static ExecutorRegistry of(Executor... executors) {
        return new ExecutorRegistry(java.util.List.of(executors));
    }

    public static ExecutorRegistry builtIn() {
        return new ExecutorRegistry(ExecutorRegistry.class.getClassLoader());
    }

    public Optional<Executor> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }
}
