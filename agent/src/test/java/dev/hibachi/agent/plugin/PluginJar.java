package dev.hibachi.agent.plugin;

import dev.hibachi.agent.exec.Executor;
import dev.hibachi.store.model.OutputTail;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds a plugin jar at test time, as a plugin's author would: compiles Java sources against the agent's
 * classes with the JDK's compiler, adds {@code META-INF/services} entries, and jars the lot.
 */
public final class PluginJar {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();

    /** Adds class {@code className} (fully qualified) with this source. */
    public PluginJar source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** Lists {@code implementation} in {@code META-INF/services/<service>}. */
    public PluginJar service(Class<?> service, String implementation) {
        return service(service.getName(), implementation);
    }

    public PluginJar service(String service, String implementation) {
        services.computeIfAbsent(service, s -> new ArrayList<>()).add(implementation);
        return this;
    }

    /** Writes the jar as {@code jar}, compiling in a directory beside it. */
    public Path writeTo(Path jar) throws IOException {
        Path work = Files.createTempDirectory(jar.getParent(), ".build-");
        Path src = work.resolve("src");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
                codeSource(Executor.class) + java.io.File.pathSeparator + codeSource(OutputTail.class)
                        + java.io.File.pathSeparator + codeSource(org.slf4j.Logger.class), "--release", "17"));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("the plugin did not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                jarOut.write(Files.readAllBytes(f));
                jarOut.closeEntry();
            }
            for (var e : services.entrySet()) {
                jarOut.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                jarOut.write((String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The source of an executor named {@code name} that answers {@code <prefix> <message> (job <name>)}. */
    public static String echoExecutor(String className, String name, String prefix) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import dev.hibachi.agent.exec.ExecutionRequest;
                import dev.hibachi.agent.exec.ExecutionResult;
                import dev.hibachi.agent.exec.Executor;
                import dev.hibachi.agent.exec.InvalidExecutorConfigException;
                import dev.hibachi.agent.exec.RunningExecution;
                import java.util.Map;

                public final class %s implements Executor {
                    public String name() {
                        return "%s";
                    }

                    public void validate(Map<String, String> config) throws InvalidExecutorConfigException {
                        if (config.get("message") == null) {
                            throw new InvalidExecutorConfigException("message", "is required");
                        }
                    }

                    public RunningExecution start(ExecutionRequest request) {
                        String text = "%s " + request.config().get("message") + " (job " + request.jobName() + ")\\n";
                        return RunningExecution.finished(new ExecutionResult(true, 0, text, false));
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), name, prefix);
    }

    /** The source of a processor named {@code name} that stores its input in upper case. */
    public static String upperCaseProcessor(String className, String name) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import dev.hibachi.agent.process.FinishedExecution;
                import dev.hibachi.agent.process.Processor;
                import java.util.Locale;
                import java.util.Map;

                public final class %s implements Processor {
                    public String name() {
                        return "%s";
                    }

                    public void validate(Map<String, String> config) {
                    }

                    public String process(FinishedExecution execution, Map<String, String> config) {
                        return execution.output().toUpperCase(Locale.ROOT);
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), name);
    }
}
