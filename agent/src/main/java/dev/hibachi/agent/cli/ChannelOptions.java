package dev.hibachi.agent.cli;

import dev.hibachi.agent.notify.ChannelSettings;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The notification channels' flags of {@code hibachi agent} (Dkron's mail and webhook flags, plus Slack and the
 * dashboard's address), mixed into {@link AgentCommand}. Checked by {@code Channels} when the config is made.
 */
final class ChannelOptions {

    @Option(names = "--mail-host", paramLabel = "<host>", description = {"SMTP server for mails to a job's"
            + " owner_email (or its notify.mail.to metadata). STARTTLS is used when the server offers it.",
            "Default: none (no mail)."})
    String mailHost;

    @Option(names = "--mail-port", paramLabel = "<port>", defaultValue = "25", description = {"SMTP port; 465 is"
            + " TLS from the start (SMTPS).", "Default: ${DEFAULT-VALUE}."})
    int mailPort;

    @Option(names = "--mail-username", paramLabel = "<name>", description = {"SMTP user (with --mail-password).",
            "Default: none (no authentication)."})
    String mailUsername;

    @Option(names = "--mail-password", paramLabel = "<password>", description = {"SMTP password. Prefer its"
            + " variable or the --config file: a flag shows in the process list.", "Default: none."})
    String mailPassword;

    @Option(names = "--mail-from", paramLabel = "<address>", description = {"Sender of the mails; required with"
            + " --mail-host.", "Default: none."})
    String mailFrom;

    @Option(names = "--mail-subject-prefix", paramLabel = "<text>", defaultValue = ChannelSettings.DEFAULT_SUBJECT_PREFIX,
            description = {"Put before each subject, without a space, as in Dkron: [Hibachi]Failed job1 execution"
                    + " report.", "Default: ${DEFAULT-VALUE}."})
    String mailSubjectPrefix;

    @Option(names = "--mail-payload", paramLabel = "<template>", description = {"Body of the mails, a Dkron (Go)"
            + " template: {{.JobName}}, {{.Output}}, {{if .Success}}...{{else}}...{{end}}...", "Default: the"
            + " run's output."})
    String mailPayload;

    @Option(names = "--webhook-endpoint", paramLabel = "<url>", description = {"URL POSTed to after each run and"
            + " event, with an X-Hibachi-Delivery header; a non-2xx answer is retried.", "Default: none."})
    String webhookEndpoint;

    @Option(names = "--webhook-payload", paramLabel = "<template>", description = {"Body of the webhook, a Dkron"
            + " (Go) template; one that starts with { or [ is JSON and its values are escaped for JSON strings.",
            "Default: a JSON object of every variable."})
    String webhookPayload;

    @Option(names = "--webhook-headers", paramLabel = "<Key:Value>", description = {"A header of the webhook;"
            + " repeatable. Split at the first : only.", "Default: none."})
    List<String> webhookHeaders;

    @Option(names = "--pre-webhook-endpoint", paramLabel = "<url>", description = {"URL POSTed to once when a run"
            + " starts.", "Default: none."})
    String preWebhookEndpoint;

    @Option(names = "--pre-webhook-payload", paramLabel = "<template>", description = {"Body of the pre-webhook,"
            + " as --webhook-payload.", "Default: a JSON object of every variable."})
    String preWebhookPayload;

    @Option(names = "--pre-webhook-headers", paramLabel = "<Key:Value>", description = {"A header of the"
            + " pre-webhook; repeatable.", "Default: none."})
    List<String> preWebhookHeaders;

    @Option(names = "--slack-webhook-url", paramLabel = "<url>", description = {"A Slack incoming webhook: a message"
            + " with job, nodes, status, duration and a link per run and event. Prefer its variable or the"
            + " --config file: the URL is a secret.", "Default: none."})
    String slackWebhookUrl;

    @Option(names = "--slack-channel", paramLabel = "<channel>", description = {"Slack channel; a job's"
            + " notify.slack.channel metadata replaces it.", "Default: the webhook's own."})
    String slackChannel;

    @Option(names = "--ui-url", paramLabel = "<url>", description = {"The dashboard's address, for links in"
            + " notifications.", "Default: http:// and this agent's advertised HTTP address."})
    String uiUrl;

    ChannelSettings settings() {
        return new ChannelSettings(mailHost, mailPort, mailUsername, mailPassword, mailFrom, mailSubjectPrefix,
                mailPayload, webhookEndpoint, webhookPayload, webhookHeaders, preWebhookEndpoint, preWebhookPayload,
                preWebhookHeaders, slackWebhookUrl, slackChannel, uiUrl);
    }
}
