package dev.hibachi.agent.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The values a template sees for a notice: Dkron's ({@code .JobName}, {@code .ReportingNode}, {@code .StartTime},
 * {@code .FinishedAt}, {@code .Success}, {@code .NodeName}, {@code .Output}, {@code .Report}) and Hibachi's
 * ({@code .Status}, {@code .Event}, {@code .DeliveryId}, {@code .Detail}, {@code .RunID}, {@code .URL}).
 *
 * <p>Dkron notifies once per execution; Hibachi once per run, so a run on several nodes is folded: the start is the
 * earliest, the end the latest, {@code .Success} is the run's (every final attempt succeeded), {@code .NodeName} lists
 * the nodes, and {@code .Output} is each execution's output under a {@code --- <node> ---} header line (a run on one
 * node gives its output as it is). Times print as Go prints a {@code time.Time}, in UTC; unknown ones are empty.
 * {@code .Success} is a boolean, so {@code {{if .Success}}} tests the outcome (in Dkron it is the string "true" or
 * "false", and such a test is always true).
 */
public final class TemplateVariables {
    public static final Set<String> NAMES = Set.of("JobName", "ReportingNode", "StartTime", "FinishedAt", "Success",
            "NodeName", "Output", "Report", "Status", "Event", "DeliveryId", "Detail", "RunID", "URL");

    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private TemplateVariables() {
    }

    /**
     * @param reportingNode the agent that sends (Dkron's {@code .ReportingNode}: the node that ran the notifier)
     * @param url           the dashboard link for the notice
     */
    public static Map<String, Object> of(Notice notice, String reportingNode, String url) {
        List<Notice.Attempt> runs = notice.executions();
        Instant start = runs.stream().map(Notice.Attempt::startedAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        Instant end = runs.stream().map(Notice.Attempt::finishedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        boolean success = "success".equals(notice.status());
        String nodes = runs.stream().map(Notice.Attempt::node).distinct().collect(Collectors.joining(", "));
        String output = output(runs);
        Map<String, Object> v = new HashMap<>();
        v.put("JobName", notice.job() == null ? "" : notice.job());
        v.put("ReportingNode", reportingNode);
        v.put("StartTime", goTime(start));
        v.put("FinishedAt", goTime(end));
        v.put("Success", success);
        v.put("NodeName", nodes);
        v.put("Output", output);
        v.put("Status", notice.status() == null ? "" : notice.status());
        v.put("Event", eventName(notice.event()));
        v.put("DeliveryId", notice.deliveryId());
        v.put("Detail", notice.detail() == null ? "" : notice.detail());
        v.put("RunID", notice.runId() == 0 ? "" : Long.toString(notice.runId()));
        v.put("URL", url);
        v.put("Report", report(notice, reportingNode, start, end, success, nodes, output));
        return v;
    }

    /** {@code RUN_FINISHED} → {@code run-finished}, as it reads in payloads and subjects. */
    public static String eventName(Notice.Event event) {
        return event.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Go's {@code time.Time.String()} in UTC: fractions without trailing zeros. */
    static String goTime(Instant t) {
        if (t == null) {
            return "";
        }
        String fraction = "";
        if (t.getNano() != 0) {
            fraction = String.format(Locale.ROOT, ".%09d", t.getNano()).replaceAll("0+$", "");
        }
        return GO_TIME.format(t) + fraction + " +0000 UTC";
    }

    private static String output(List<Notice.Attempt> runs) {
        if (runs.size() == 1) {
            return nullToEmpty(runs.get(0).output());
        }
        StringBuilder out = new StringBuilder();
        for (Notice.Attempt a : runs) {
            out.append("--- ").append(a.node()).append(" ---\n").append(nullToEmpty(a.output()));
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Dkron's report: the run's summary, then one line per execution of the group. */
    private static String report(Notice n, String reportingNode, Instant start, Instant end, boolean success,
                                 String nodes, String output) {
        StringBuilder r = new StringBuilder()
                .append("Executed: ").append(n.job() == null ? "" : n.job()).append('\n')
                .append("Reporting node: ").append(reportingNode).append('\n')
                .append("Start time: ").append(goTime(start)).append('\n')
                .append("End time: ").append(goTime(end)).append('\n')
                .append("Success: ").append(success).append('\n')
                .append("Node: ").append(nodes).append('\n')
                .append("Output: ").append(output).append('\n')
                .append("Execution group: ").append(n.runId()).append('\n');
        for (Notice.Attempt a : n.executions()) {
            r.append("\t[Node]: ").append(a.node()).append(" [Start]: ").append(goTime(a.startedAt()))
                    .append(" [End]: ").append(goTime(a.finishedAt())).append(" [Success]: ").append(a.success())
                    .append('\n');
        }
        return r.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
