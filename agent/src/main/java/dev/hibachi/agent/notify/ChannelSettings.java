package dev.hibachi.agent.notify;

import java.util.List;
import java.util.Objects;

/**
 * The channels' flags as given ({@code --mail-*}, {@code --webhook-*}, {@code --pre-webhook-*}, {@code --slack-*},
 * {@code --ui-url}); empty text means unset. {@link Channels} reads and checks them.
 *
 * @param mailPort the SMTP port; 465 is implicit TLS
 * @param uiUrl    empty: {@code http://} and the agent's advertised HTTP address
 */
public record ChannelSettings(String mailHost, int mailPort, String mailUsername, String mailPassword,
                              String mailFrom, String mailSubjectPrefix, String mailPayload,
                              String webhookEndpoint, String webhookPayload, List<String> webhookHeaders,
                              String preWebhookEndpoint, String preWebhookPayload, List<String> preWebhookHeaders,
                              String slackWebhookUrl, String slackChannel, String uiUrl) {

    public static final String DEFAULT_SUBJECT_PREFIX = "[Hibachi]";
    /** No channel. */
    public static final ChannelSettings NONE = new ChannelSettings("", 25, "", "", "", DEFAULT_SUBJECT_PREFIX, "",
            "", "", List.of(), "", "", List.of(), "", "", "");

    public ChannelSettings {
        mailHost = Objects.requireNonNullElse(mailHost, "");
        mailUsername = Objects.requireNonNullElse(mailUsername, "");
        mailPassword = Objects.requireNonNullElse(mailPassword, "");
        mailFrom = Objects.requireNonNullElse(mailFrom, "");
        mailSubjectPrefix = Objects.requireNonNullElse(mailSubjectPrefix, DEFAULT_SUBJECT_PREFIX);
        mailPayload = Objects.requireNonNullElse(mailPayload, "");
        webhookEndpoint = Objects.requireNonNullElse(webhookEndpoint, "");
        webhookPayload = Objects.requireNonNullElse(webhookPayload, "");
        webhookHeaders = List.copyOf(Objects.requireNonNullElse(webhookHeaders, List.of()));
        preWebhookEndpoint = Objects.requireNonNullElse(preWebhookEndpoint, "");
        preWebhookPayload = Objects.requireNonNullElse(preWebhookPayload, "");
        preWebhookHeaders = List.copyOf(Objects.requireNonNullElse(preWebhookHeaders, List.of()));
        slackWebhookUrl = Objects.requireNonNullElse(slackWebhookUrl, "");
        slackChannel = Objects.requireNonNullElse(slackChannel, "");
        uiUrl = Objects.requireNonNullElse(uiUrl, "");
    }

    /** Without the mail password and the Slack URL (its path is its secret): configs get logged. */
    @Override
    public String toString() {
        return "ChannelSettings[mail=" + (mailHost.isEmpty() ? "off" : mailHost + ":" + mailPort)
                + ", webhook=" + (webhookEndpoint.isEmpty() ? "off" : webhookEndpoint)
                + ", preWebhook=" + (preWebhookEndpoint.isEmpty() ? "off" : preWebhookEndpoint)
                + ", slack=" + (slackWebhookUrl.isEmpty() ? "off" : "on") + ", uiUrl=" + uiUrl + "]";
    }
}
