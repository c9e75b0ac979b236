package dev.hibachi.agent.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A message to a Slack incoming webhook ({@code --slack-webhook-url}): a coloured attachment whose blocks give the
 * job, node(s), status, duration and a link to the execution in the dashboard. The channel is the job's
 * {@code notify.slack.channel} metadata, else {@code --slack-channel}, else the webhook's own.
 */
public final class SlackChannel implements Channel {
    /** The metadata key that chooses a job's Slack channel. */
    public static final String CHANNEL_KEY = "notify.slack.channel";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI webhook;
    private final String defaultChannel;
    private final HttpClient client;
    private final DashboardLinks links;

    /** @param defaultChannel empty: the webhook's own channel */
    SlackChannel(URI webhook, String defaultChannel, HttpClient client, DashboardLinks links) {
        this.webhook = webhook;
        this.defaultChannel = defaultChannel;
        this.client = client;
        this.links = links;
    }

    @Override
    public String name() {
        return "slack";
    }

    @Override
    public boolean accepts(Notice notice) {
        return notice.event() != Notice.Event.RUN_STARTED;
    }

    @Override
    public CompletableFuture<Void> send(Notice notice) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(webhook).timeout(WebhookChannel.TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("X-Hibachi-Delivery", notice.deliveryId())
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message(notice)),
                            StandardCharsets.UTF_8))
                    .build();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        return WebhookChannel.post(client, request, "slack");
    }

    /** The incoming-webhook body: {@code text} for notifications and old clients, the details in blocks. */
    ObjectNode message(Notice notice) {
        String url = links.of(notice);
        String headline = headline(notice);
        ObjectNode root = JSON.createObjectNode();
        String channel = notice.metadata().getOrDefault(CHANNEL_KEY, defaultChannel).trim();
        if (!channel.isEmpty()) {
            root.put("channel", channel);
        }
        root.put("text", headline);
        ArrayNode blocks = root.putArray("attachments").addObject().put("color", colour(notice)).putArray("blocks");
        ObjectNode section = blocks.addObject().put("type", "section");
        section.putObject("text").put("type", "mrkdwn")
                .put("text", emoji(notice) + " *<" + url + "|" + escape(headline) + ">*\n" + escape(detail(notice)));
        if (notice.job() != null) {
            ArrayNode fields = section.putArray("fields");
            field(fields, "Job", notice.job());
            String nodes = notice.executions().stream().map(Notice.Attempt::node).distinct()
                    .collect(Collectors.joining(", "));
            if (!nodes.isEmpty()) {
                field(fields, "Node", nodes);
            }
            field(fields, "Status", notice.status() != null ? notice.status()
                    : TemplateVariables.eventName(notice.event()));
            duration(notice).ifPresent(d -> field(fields, "Duration", d));
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", escape("Delivery " + notice.deliveryId()) + " · <" + url + "|Open in Hibachi>");
        return root;
    }

    private static String headline(Notice n) {
        String job = n.job() == null ? "" : n.job();
        return switch (n.event()) {
            case RUN_FINISHED -> job + " " + ("success".equals(n.status()) ? "succeeded"
                    : n.status() == null ? "finished" : n.status());
            case RUN_STARTED -> job + " started";
            case RUN_MISSED -> job + " missed runs";
            case RUN_SKIPPED -> job + " skipped a run";
            case RUN_OVERDUE -> job + " is overdue";
            case RUN_KILLED -> job + " was killed";
            case JOB_CREATED -> "Job " + job + " created";
            case JOB_CHANGED -> "Job " + job + " changed";
            case JOB_DELETED -> "Job " + job + " deleted";
            case MEMBER_FAILED -> "A member failed";
            case LEADER_CHANGED -> "The leader changed";
        };
    }

    private static String detail(Notice n) {
        return n.detail() == null ? "" : n.detail();
    }

    private static String emoji(Notice n) {
        if (n.event() == Notice.Event.RUN_FINISHED) {
            return "success".equals(n.status()) ? ":white_check_mark:" : ":x:";
        }
        return switch (n.event()) {
            case JOB_CREATED, JOB_CHANGED, JOB_DELETED, LEADER_CHANGED -> ":information_source:";
            default -> ":warning:";
        };
    }

    private static String colour(Notice n) {
        if (n.event() == Notice.Event.RUN_FINISHED) {
            return "success".equals(n.status()) ? "#2eb886" : "#a30200";
        }
        return switch (n.event()) {
            case JOB_CREATED, JOB_CHANGED, JOB_DELETED, LEADER_CHANGED -> "#439fe0";
            default -> "#daa038";
        };
    }

    /** From the earliest start to the latest end of the run's executions, when both are known. */
    static java.util.Optional<String> duration(Notice n) {
        Instant start = n.executions().stream().map(Notice.Attempt::startedAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        Instant end = n.executions().stream().map(Notice.Attempt::finishedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        if (start == null || end == null) {
            return java.util.Optional.empty();
        }
        Duration d = Duration.between(start, end);
        if (d.toMinutes() == 0) {
            return java.util.Optional.of(String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0));
        }
        return java.util.Optional.of(d.toHours() > 0
                ? d.toHours() + " h " + d.toMinutesPart() + " min " + d.toSecondsPart() + " s"
                : d.toMinutes() + " min " + d.toSecondsPart() + " s");
    }

    private static void field(ArrayNode fields, String title, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + title + "*\n" + escape(value));
    }

    /** Slack's mrkdwn reads {@code &}, {@code <} and {@code >} as markup. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
