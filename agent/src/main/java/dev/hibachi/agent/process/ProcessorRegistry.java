package dev.hibachi.agent.process;

import dev.hibachi.agent.plugin.NamedProviders;
import dev.hibachi.agent.plugin.PluginFolder;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The processors this agent knows, by name: the built-in {@code log} and {@code files}, and those of its plugin
 * jars, found through {@link java.util.ServiceLoader} (see {@link NamedProviders} for which wins).
 */
public final class ProcessorRegistry {
    private final Map<String, Processor> byName;

    private ProcessorRegistry(Map<String, Processor> byName) {
        this.byName = byName;
    }

    /** The built-in processors and those of {@code plugins}. */
    public static ProcessorRegistry load(PluginFolder plugins) {
        return new ProcessorRegistry(NamedProviders.load(Processor.class, Processor::name, plugins));
    }

    public static ProcessorRegistry builtIn() {
        return load(PluginFolder.open(null, ProcessorRegistry.class.getClassLoader()));
    }

    /** Exactly these processors (tests). */
    public static ProcessorRegistry of(Processor... processors) {
        Map<String, Processor> byName = new TreeMap<>();
        for (Processor p : processors) {
            byName.putIfAbsent(p.name(), p);
        }
        return new ProcessorRegistry(byName);
    }

    public Optional<Processor> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }

    /**
     * Checks a job's {@code processors} field: every name known here, every setting valid.
     *
     * @throws InvalidProcessorConfigException naming the field, {@code processors.<name>} for an unknown name
     */
    public void validate(Map<String, Map<String, String>> processors) throws InvalidProcessorConfigException {
        if (processors == null) {
            return;
        }
        for (var entry : new TreeMap<>(processors).entrySet()) {
            Processor p = byName.get(entry.getKey());
            if (p == null) {
                throw InvalidProcessorConfigException.unknown(entry.getKey(), names());
            }
            p.validate(entry.getValue() == null ? Map.of() : entry.getValue());
        }
    }
}
