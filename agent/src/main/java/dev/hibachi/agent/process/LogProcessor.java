package dev.hibachi.agent.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Dkron's {@code log} processor: writes the output to the agent's log between BEGIN and END lines, at info for
 * a success and warn for a failure. With {@code forward} true the output is stored too; otherwise the store
 * keeps only a note naming the member whose log has it (Dkron's says "Output in dkron log", which does not say
 * which of the cluster's logs to look in).
 */
public final class LogProcessor implements Processor {
    public static final String NAME = "log";

    private static final Logger LOG = LoggerFactory.getLogger(LogProcessor.class);

    public LogProcessor() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Map<String, String> config) throws InvalidProcessorConfigException {
        Forward.of(NAME, config);
    }

    @Override
    public String process(FinishedExecution e, Map<String, String> config) throws InvalidProcessorConfigException {
        boolean forward = Forward.of(NAME, config);
        String text = e.output() == null ? "" : e.output();
        String body = text.endsWith("\n") ? text : text + "\n";
        String message = "Job {} execution {} {} (exit code {}); output:\n----- BEGIN OUTPUT -----\n{}----- END OUTPUT -----";
        if (e.success()) {
            LOG.info(message, e.jobName(), e.executionId(), "succeeded", e.exitCode(), body);
        } else {
            LOG.warn(message, e.jobName(), e.executionId(), "failed", e.exitCode(), body);
        }
        return forward ? e.output() : "Output in the hibachi log of " + e.node();
    }
}
