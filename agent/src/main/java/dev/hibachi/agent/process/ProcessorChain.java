package dev.hibachi.agent.process;

import dev.hibachi.agent.exec.ExecutionResult;
import dev.hibachi.store.model.Execution;
import dev.hibachi.store.model.OutputTail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a job's processors on a finished execution, on the member that ran it, and gives the result to store.
 *
 * <p>Order: by processor name (so {@code files} before {@code log}), whatever order the job lists them in. Dkron
 * runs them in Go's random map order; a job's JSON object has no order a client must keep (Go's encoder, which
 * Dkron's clients use, writes keys sorted anyway, and {@code hibachi jobs apply} sorts them too), so name order
 * is the one every client's job gets. Each processor sees the output the one before it returned.
 *
 * <p>A processor that fails (or is not on this member) loses nothing: the output it was given is kept, with a
 * {@code [hibachi: processor NAME failed: ...]} line after it, and the run's success is unchanged. Whatever a
 * processor returns is cut to the capture size, so what the next one sees and what is stored stay bounded.
 */
public final class ProcessorChain {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorChain.class);
    /** How {@link OutputTail#marker} starts: a stored output that starts so was cut. */
    private static final String TRUNCATED = "[hibachi: output truncated, ";

    private final ProcessorRegistry registry;
    private final String node;
    private final Path dataDir;
    private final int maxBytes;

    /**
     * @param node this member's name
     * @param dataDir the agent's data directory (where {@code files} writes by default)
     * @param maxBytes the most output bytes kept (the capture buffer's size)
     */
    public ProcessorChain(ProcessorRegistry registry, String node, Path dataDir, int maxBytes) {
        this.registry = registry;
        this.node = node;
        this.dataDir = dataDir;
        this.maxBytes = maxBytes;
    }

    /** {@code result} after the job's {@code processors}; itself when the job has none. */
    public ExecutionResult apply(String jobName, Map<String, Map<String, String>> processors, long runId, int attempt,
                                 ExecutionResult result) {
        if (processors == null || processors.isEmpty()) {
            return result;
        }
        FinishedExecution execution = new FinishedExecution(jobName, Execution.idOf(runId, attempt, node), node,
                result.success(), result.exitCode(), result.output() == null ? "" : result.output(), dataDir);
        for (var entry : new TreeMap<>(processors).entrySet()) {
            String name = entry.getKey();
            Map<String, String> config = entry.getValue() == null ? Map.of() : entry.getValue();
            String output;
            try {
                Processor processor = registry.get(name).orElseThrow(() ->
                        new IllegalStateException("no processor \"" + name + "\" on " + node));
                output = processor.process(execution, config);
            } catch (Exception | LinkageError e) {
                LOG.warn("Processor {} failed on execution {} of job {}", name, execution.executionId(), jobName, e);
                output = withNote(execution.output(), "[hibachi: processor " + name + " failed: " + reason(e) + "]");
            }
            execution = execution.withOutput(output == null ? execution.output() : OutputTail.cut(output, maxBytes));
        }
        if (execution.output().equals(result.output())) {
            return result;
        }
        return new ExecutionResult(result.success(), result.exitCode(), execution.output(),
                execution.output().startsWith(TRUNCATED));
    }

    private String withNote(String output, String note) {
        String kept = OutputTail.cut(output, Math.max(0, maxBytes - note.length() - 1));
        return kept.isEmpty() || kept.endsWith("\n") ? kept + note + "\n" : kept + "\n" + note + "\n";
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException || message == null || message.isBlank()) {
            // FileSystemException's message is only the path: the class says what went wrong with it
            return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }
        return message;
    }
}
