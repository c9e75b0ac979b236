package dev.hibachi.agent.notify;

import dev.hibachi.agent.AgentConfig;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Makes the configured channels from the agent's settings, checking every flag first: a bad template, address or
 * header stops the agent's start with a message that names the flag, instead of failing notifications later.
 */
public final class Channels {
    /**
     * The webhooks' default payload when only an endpoint is given (Dkron needs both): every variable but the
     * report, as JSON.
     */
    static final String DEFAULT_WEBHOOK_PAYLOAD = "{\"job\": \"{{.JobName}}\", \"event\": \"{{.Event}}\","
            + " \"status\": \"{{.Status}}\", \"success\": {{.Success}}, \"run_id\": \"{{.RunID}}\","
            + " \"node\": \"{{.NodeName}}\", \"started_at\": \"{{.StartTime}}\", \"finished_at\": \"{{.FinishedAt}}\","
            + " \"detail\": \"{{.Detail}}\", \"url\": \"{{.URL}}\", \"delivery_id\": \"{{.DeliveryId}}\","
            + " \"reporting_node\": \"{{.ReportingNode}}\", \"output\": \"{{.Output}}\"}";

    private Channels() {
    }

    /**
     * The channels {@code config} sets up, in a fixed order (mail, webhook, pre-webhook, slack).
     *
     * @throws IllegalArgumentException whose message starts with the flag at fault
     */
    public static List<Channel> from(AgentConfig config) {
        return from(config, new Properties());
    }

    /** {@link #from(AgentConfig)} with extra mail session properties (tests trust their server's certificate). */
    static List<Channel> from(AgentConfig config, Properties mailProperties) {
        ChannelSettings s = config.channels();
        DashboardLinks links = new DashboardLinks(uiUrl(config));
        String node = config.nodeName();
        HttpClient client = null;
        List<Channel> out = new ArrayList<>();
        if (!s.mailHost().isEmpty()) {
            if (s.mailPort() < 1 || s.mailPort() > 65535) {
                throw new IllegalArgumentException("--mail-port: '" + s.mailPort() + "' must be from 1 to 65535");
            }
            if (s.mailFrom().isEmpty()) {
                throw new IllegalArgumentException("--mail-from: required with --mail-host (the mails' sender)");
            }
            InternetAddress from;
            try {
                from = new InternetAddress(s.mailFrom(), true);
            } catch (AddressException e) {
                throw new IllegalArgumentException("--mail-from: '" + s.mailFrom() + "' is not a mail address: "
                        + e.getMessage());
            }
            if (s.mailUsername().isEmpty() != s.mailPassword().isEmpty()) {
                throw new IllegalArgumentException((s.mailUsername().isEmpty() ? "--mail-username" : "--mail-password")
                        + ": --mail-username and --mail-password go together");
            }
            Optional<GoTemplate> payload = s.mailPayload().isEmpty() ? Optional.empty()
                    : Optional.of(GoTemplate.parse("--mail-payload", s.mailPayload()));
            out.add(new MailChannel(s.mailHost(), s.mailPort(), s.mailUsername(),
                    s.mailPassword(), from, s.mailSubjectPrefix(), payload, node, links, mailProperties));
        } else {
            for (var unused : List.of(
                    new String[] {"--mail-from", s.mailFrom()}, new String[] {"--mail-username", s.mailUsername()},
                    new String[] {"--mail-password", s.mailPassword()}, new String[] {"--mail-payload", s.mailPayload()})) {
                if (!unused[1].isEmpty()) {
                    throw new IllegalArgumentException(unused[0] + ": needs --mail-host");
                }
            }
        }
        if (!s.webhookEndpoint().isEmpty()) {
            client = client();
            out.add(webhook("webhook", false, s.webhookEndpoint(), s.webhookPayload(), s.webhookHeaders(), client,
                    node, links));
        } else if (!s.webhookPayload().isEmpty() || !s.webhookHeaders().isEmpty()) {
            throw new IllegalArgumentException((s.webhookPayload().isEmpty() ? "--webhook-headers" : "--webhook-payload")
                    + ": needs --webhook-endpoint");
        }
        if (!s.preWebhookEndpoint().isEmpty()) {
            client = client != null ? client : client();
            out.add(webhook("pre-webhook", true, s.preWebhookEndpoint(), s.preWebhookPayload(),
                    s.preWebhookHeaders(), client, node, links));
        } else if (!s.preWebhookPayload().isEmpty() || !s.preWebhookHeaders().isEmpty()) {
            throw new IllegalArgumentException((s.preWebhookPayload().isEmpty() ? "--pre-webhook-headers"
                    : "--pre-webhook-payload") + ": needs --pre-webhook-endpoint");
        }
        if (!s.slackWebhookUrl().isEmpty()) {
            client = client != null ? client : client();
            out.add(new SlackChannel(httpUri("--slack-webhook-url", s.slackWebhookUrl(), false), s.slackChannel(),
                    client, links));
        } else if (!s.slackChannel().isEmpty()) {
            throw new IllegalArgumentException("--slack-channel: needs --slack-webhook-url");
        }
        return List.copyOf(out);
    }

    /** {@code --ui-url}, else {@code http://} and the HTTP address other members are told (as the agent advertises). */
    static String uiUrl(AgentConfig config) {
        String given = config.channels().uiUrl();
        if (!given.isEmpty()) {
            return httpUri("--ui-url", given, true).toString();
        }
        AgentConfig.HostPort http = config.httpAddr();
        String host = http.isAnyAddress() ? config.advertiseAddr().host() : http.host();
        return "http://" + host + ":" + http.port();
    }

    private static WebhookChannel webhook(String name, boolean atStart, String endpoint, String payload,
                                          List<String> headers, HttpClient client, String node, DashboardLinks links) {
        String flag = "--" + name;
        URI uri = httpUri(flag + "-endpoint", endpoint, true);
        GoTemplate template = GoTemplate.parse(flag + "-payload", payload.isEmpty() ? DEFAULT_WEBHOOK_PAYLOAD : payload);
        return new WebhookChannel(name, atStart, uri, template, WebhookHeaders.parse(flag + "-headers", headers),
                client, node, links);
    }

    /** An absolute http(s) address; {@code showValue} false keeps a secret address out of the message. */
    private static URI httpUri(String flag, String text, boolean showValue) {
        String shown = showValue ? "'" + text + "' " : "";
        try {
            URI uri = new URI(text.trim());
            if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase())
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(flag + ": " + shown + "must be an http:// or https:// address"
                        + " with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(flag + ": " + shown + "is not an address"
                    + (showValue ? ": " + e.getMessage() : ""));
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }
}
