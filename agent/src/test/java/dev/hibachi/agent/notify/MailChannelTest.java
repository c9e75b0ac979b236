package dev.hibachi.agent.notify;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.hibachi.agent.AgentConfig;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mail channel against GreenMail, a real SMTP server on loopback, with authentication. */
class MailChannelTest {
    private GreenMail smtp;
    private int port;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("hibachi", "s3cret");
        smtp.start();
    }

    @AfterEach
    void stop() {
        smtp.stop();
    }

    private Channel mail(String payload, String password) {
        ChannelSettings settings = new ChannelSettings("127.0.0.1", port, "hibachi", password, "cron@example.com",
                null, payload, "", "", List.of(), "", "", List.of(), "", "", "");
        AgentConfig config = AgentConfig.dev("leader-1", Path.of("/tmp/unused"), 8080, 6868).toBuilder()
                .channels(settings).build();
        return Channels.from(config, new Properties()).get(0);
    }

    private static List<String> to(MimeMessage m) throws Exception {
        return Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
    }

    @Test
    void aFinishedRunMailsTheOwnersWithDkronsSubjectTheOutputAndTheDeliveryId() throws Exception {
        Channel mail = mail("", "s3cret");
        Notice notice = Notices.finished("failed", "disk full\n", Map.of(), "ops@example.com, dba@example.com");

        assertThat(mail.accepts(notice)).isTrue();
        mail.send(notice).get(20, TimeUnit.SECONDS);

        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(to(m)).containsExactly("ops@example.com", "dba@example.com");
        assertThat(m.getSubject()).isEqualTo("[Hibachi]Failed backup execution report");
        assertThat(m.getMessageID()).isEqualTo("<d-42@hibachi>");
        assertThat(m.getHeader("X-Hibachi-Delivery")[0]).isEqualTo("d-42");
        assertThat(m.getFrom()[0].toString()).isEqualTo("cron@example.com");
        assertThat(((String) m.getContent()).trim()).isEqualTo("disk full");
    }

    @Test
    void thePayloadTemplateIsTheBodyAndMetadataReplacesTheOwner() throws Exception {
        Channel mail = mail("{{if .Success}}fine{{else}}broken{{end}} on {{.NodeName}}: {{.Output}}", "s3cret");
        Notice notice = Notices.finished("success", "42 rows", Map.of(MailChannel.TO_KEY, "team@example.com"),
                "ops@example.com");

        mail.send(notice).get(20, TimeUnit.SECONDS);

        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(to(m)).containsExactly("team@example.com");
        assertThat(m.getSubject()).isEqualTo("[Hibachi]Success backup execution report");
        assertThat(((String) m.getContent()).trim()).isEqualTo("fine on web-1: 42 rows");
    }

    @Test
    void noRecipientNoMailAndRunStartsAreNotMailed() {
        Channel mail = mail("", "s3cret");

        assertThat(mail.accepts(Notices.finished("failed", "", Map.of(), null))).isFalse();
        assertThat(mail.accepts(Notices.finished("failed", "", Map.of(), " , "))).isFalse();
        assertThat(mail.accepts(Notices.finished("failed", "", Map.of(MailChannel.TO_KEY, ""), "ops@example.com")))
                .isFalse();
        assertThat(mail.accepts(Notices.started())).isFalse();
    }

    @Test
    void aRefusedLoginOrADownServerFailsTheSendAndARetryDelivers() throws Exception {
        Notice notice = Notices.finished("failed", "x", Map.of(), "ops@example.com");
        assertThatThrownBy(() -> mail("", "wrong").send(notice).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("mail:");

        smtp.stop();
        Channel mail = mail("", "s3cret");
        assertThatThrownBy(() -> mail.send(notice).get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        smtp.start();
        smtp.setUser("hibachi", "s3cret"); // a restarted GreenMail forgets its users
        mail.send(notice).get(20, TimeUnit.SECONDS);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void badMailSettingsAreRefusedNamingTheFlag() {
        AgentConfig base = AgentConfig.dev("leader-1", Path.of("/tmp/unused"), 8080, 6868);
        assertThatThrownBy(() -> Channels.from(base.toBuilder().channels(new ChannelSettings("h", 25, "", "", "",
                null, "", "", "", List.of(), "", "", List.of(), "", "", "")).build()))
                .hasMessageStartingWith("--mail-from: required with --mail-host");
        assertThatThrownBy(() -> Channels.from(base.toBuilder().channels(new ChannelSettings("h", 25, "", "", "a b",
                null, "", "", "", List.of(), "", "", List.of(), "", "", "")).build()))
                .hasMessageStartingWith("--mail-from: 'a b' is not a mail address");
        assertThatThrownBy(() -> Channels.from(base.toBuilder().channels(new ChannelSettings("h", 25, "u", "",
                "a@b.c", null, "", "", "", List.of(), "", "", List.of(), "", "", "")).build()))
                .hasMessageStartingWith("--mail-password: --mail-username and --mail-password go together");
        assertThatThrownBy(() -> Channels.from(base.toBuilder().channels(new ChannelSettings("h", 25, "", "",
                "a@b.c", null, "{{if .Success}}", "", "", List.of(), "", "", List.of(), "", "", "")).build()))
                .hasMessageStartingWith("--mail-payload: {{if}} without {{end}}");
    }
}
