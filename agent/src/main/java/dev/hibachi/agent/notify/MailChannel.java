package dev.hibachi.agent.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dkron's mail: to the job's {@code owner_email} (a comma-separated list works too), or to its
 * {@code notify.mail.to} metadata, which replaces it. The subject is Dkron's ({@code <prefix>Success job1 execution
 * report}, no space after the prefix); the body is {@code --mail-payload} rendered, else the output (Dkron's
 * default), or the event's sentence when there is no output. STARTTLS is used when the server offers it; port 465
 * is implicit TLS. The delivery id is the Message-ID, so receivers can drop repeats.
 */
public final class MailChannel implements Channel {
    /** The metadata key whose addresses replace the job's {@code owner_email}. */
    public static final String TO_KEY = "notify.mail.to";
    /** SMTPS' port: TLS from the first byte rather than STARTTLS. */
    static final int IMPLICIT_TLS_PORT = 465;
    private static final int TIMEOUT_MS = 10_000;

    private final Session session;
    private final InternetAddress from;
    private final String subjectPrefix;
    private final Optional<GoTemplate> payload;
    private final String reportingNode;
    private final DashboardLinks links;
    /**
     * SMTP is blocking: two threads send, at most 1,000 mails wait, and a full queue fails the send (the notifier
     * retries later) rather than growing memory or holding its caller.
     */
    private final ThreadPoolExecutor senders;

    /**
     * @param extra session properties added last (tests trust their server's certificate through them)
     */
    MailChannel(String host, int port, String username, String password, InternetAddress from, String subjectPrefix,
                Optional<GoTemplate> payload, String reportingNode, DashboardLinks links, Properties extra) {
        String protocol = port == IMPLICIT_TLS_PORT ? "smtps" : "smtp";
        Properties p = new Properties();
        p.put("mail.transport.protocol", protocol);
        p.put("mail." + protocol + ".host", host);
        p.put("mail." + protocol + ".port", Integer.toString(port));
        p.put("mail." + protocol + ".connectiontimeout", Integer.toString(TIMEOUT_MS));
        p.put("mail." + protocol + ".timeout", Integer.toString(TIMEOUT_MS));
        p.put("mail." + protocol + ".writetimeout", Integer.toString(TIMEOUT_MS));
        p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        // opportunistic: upgrade when the server offers STARTTLS, send in clear when it does not (Dkron's Go client
        // does the same)
        p.put("mail.smtp.starttls.enable", "true");
        boolean auth = !username.isEmpty() && !password.isEmpty();
        p.put("mail." + protocol + ".auth", Boolean.toString(auth));
        p.putAll(extra);
        this.session = auth
                ? Session.getInstance(p, new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(username, password);
                    }
                })
                : Session.getInstance(p);
        this.from = from;
        this.subjectPrefix = subjectPrefix;
        this.payload = payload;
        this.reportingNode = reportingNode;
        this.links = links;
        AtomicInteger threads = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "mail-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        senders.allowCoreThreadTimeOut(true); // an agent that sends no mail keeps no thread
    }

    @Override
    public String name() {
        return "mail";
    }

    @Override
    public boolean accepts(Notice notice) {
        return notice.event() != Notice.Event.RUN_STARTED && !recipients(notice).isEmpty();
    }

    @Override
    public CompletableFuture<Void> send(Notice notice) {
        try {
            return CompletableFuture.runAsync(() -> deliver(notice), senders);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("mail: 1,000 mails are waiting to be"
                    + " sent; try again later", e));
        }
    }

    /** The job's {@code notify.mail.to}, else its owner_email; each comma-separated, blanks dropped. */
    static List<String> recipients(Notice notice) {
        Map<String, String> metadata = notice.metadata();
        String list = metadata.containsKey(TO_KEY) ? metadata.get(TO_KEY) : notice.ownerEmail();
        if (list == null) {
            return List.of();
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Dkron's subject for a finished run; a short title for every other event. */
    String subject(Notice n) {
        String job = n.job() == null ? "" : n.job();
        String what = switch (n.event()) {
            case RUN_FINISHED, RUN_STARTED -> ("success".equals(n.status()) ? "Success " : "Failed ") + job
                    + " execution report";
            case RUN_MISSED -> "Missed runs of " + job;
            case RUN_SKIPPED -> "Skipped a run of " + job;
            case RUN_OVERDUE -> "Overdue " + job + " execution";
            case RUN_KILLED -> "Killed " + job + " execution";
            case JOB_CREATED -> "Job " + job + " created";
            case JOB_CHANGED -> "Job " + job + " changed";
            case JOB_DELETED -> "Job " + job + " deleted";
            case MEMBER_FAILED -> "Member failed";
            case LEADER_CHANGED -> "Leader changed";
        };
        return subjectPrefix + what;
    }

    private String body(Notice n) {
        if (payload.isPresent()) {
            return payload.get().render(TemplateVariables.of(n, reportingNode, links.of(n)));
        }
        String output = (String) TemplateVariables.of(n, reportingNode, "").get("Output");
        return !output.isEmpty() ? output : (n.detail() == null ? "" : n.detail()) + "\n";
    }

    private void deliver(Notice notice) {
        try {
            List<InternetAddress> to = new ArrayList<>();
            for (String address : recipients(notice)) {
                to.add(new InternetAddress(address, true));
            }
            MimeMessage message = new DeliveryMessage(session, notice.deliveryId());
            message.setFrom(from);
            message.setRecipients(Message.RecipientType.TO, to.toArray(InternetAddress[]::new));
            message.setSubject(subject(notice), StandardCharsets.UTF_8.name());
            message.setText(body(notice), StandardCharsets.UTF_8.name());
            message.setHeader("X-Hibachi-Delivery", notice.deliveryId());
            Transport.send(message);
        } catch (AddressException e) {
            throw new IllegalArgumentException("mail: a recipient of " + notice.job() + " is not an address: "
                    + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new IllegalStateException("mail: " + e.getMessage(), e);
        }
    }

    /** A message whose Message-ID is the delivery's, kept across re-sends of the same notification. */
    private static final class DeliveryMessage extends MimeMessage {
        private final String deliveryId;

        DeliveryMessage(Session session, String deliveryId) {
            super(session);
            this.deliveryId = deliveryId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            // a Message-ID's left part is a dot-atom: other characters become '.', the same way every time
            setHeader("Message-ID", "<" + deliveryId.replaceAll("[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", ".")
                    + "@hibachi>");
        }
    }
}
