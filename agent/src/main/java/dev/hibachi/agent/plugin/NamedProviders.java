package dev.hibachi.agent.plugin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The implementations of a service interface ({@code Executor}, {@code Processor}) by name: the agent's own
 * (its class path) first, then those of the plugin jars. A plugin cannot replace a built-in name, and the first
 * of two plugins with one name wins (jars in name order); both are logged. A plugin that fails to load, to be
 * built or to say its name is logged and left out, so one bad jar never stops the agent.
 */
public final class NamedProviders {
    private static final Logger LOG = LoggerFactory.getLogger(NamedProviders.class);

    private NamedProviders() {
    }

    public static <T> Map<String, T> load(Class<T> service, Function<T, String> nameOf, PluginFolder plugins) {
        String kind = service.getSimpleName().toLowerCase(java.util.Locale.ROOT);
        Map<String, T> byName = new TreeMap<>();
        // Built-ins: a failure here is a bug in the agent itself, so it is not hidden.
        for (T builtIn : ServiceLoader.load(service, NamedProviders.class.getClassLoader())) {
            byName.putIfAbsent(nameOf.apply(builtIn), builtIn);
        }
        if (plugins.jars().isEmpty()) {
            return byName;
        }
        Iterator<ServiceLoader.Provider<T>> found = ServiceLoader.load(service, plugins.loader()).stream().iterator();
        // ServiceLoader moves on after a bad entry on a best-effort basis; the bound stops a loader that does not.
        for (int errors = 0; errors < 1000; ) {
            ServiceLoader.Provider<T> provider;
            try {
                if (!found.hasNext()) {
                    break;
                }
                provider = found.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                errors++;
                LOG.warn("Skipping a plugin {}: {}", kind, describe(e));
                continue;
            }
            try {
                Class<?> type = provider.type();
                if (!plugins.isPlugin(type)) {
                    continue; // a built-in, seen again through the plugin loader's parent
                }
                T instance = provider.get();
                String name = nameOf.apply(instance);
                if (name == null || name.isBlank()) {
                    LOG.warn("Skipping plugin {} {} from {}: it has no name", kind, type.getName(), plugins.origin(type));
                } else if (byName.containsKey(name)) {
                    LOG.warn("Skipping plugin {} \"{}\" ({} from {}): {} \"{}\" exists already and is kept", kind, name,
                            type.getName(), plugins.origin(type), kind, name);
                } else {
                    byName.put(name, instance);
                    LOG.info("Loaded plugin {} \"{}\" ({} from {})", kind, name, type.getName(), plugins.origin(type));
                }
            } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
                errors++;
                LOG.warn("Skipping a plugin {}: {}", kind, describe(e));
            }
        }
        return byName;
    }

    private static String describe(Throwable e) {
        return e.getCause() == null ? e.toString() : e + " (" + e.getCause() + ")";
    }
}
