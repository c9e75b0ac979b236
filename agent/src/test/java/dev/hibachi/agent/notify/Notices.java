package dev.hibachi.agent.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Notices as the notifier would hand them, built directly. */
final class Notices {
    static final Instant START = Instant.parse("2024-05-01T10:00:00.250Z");
    static final Instant END = Instant.parse("2024-05-01T10:00:03.5Z");

    private Notices() {
    }

    static Notice finished(String status, String output, Map<String, String> metadata, String ownerEmail) {
        return new Notice("d-42", Notice.Event.RUN_FINISHED, END, "backup", ownerEmail, metadata, 1714557600000000000L,
                status, null, List.of(new Notice.Attempt("1714557600000000000-1-web-1", "web-1", 1, START, END,
                        "success".equals(status), "success".equals(status) ? 0 : 1, output)),
                "backup " + status);
    }

    static Notice twoNodes() {
        return new Notice("d-43", Notice.Event.RUN_FINISHED, END, "backup", null, Map.of(), 7, "failed", "success",
                List.of(new Notice.Attempt("7-1-web-1", "web-1", 1, START, END.minusSeconds(1), true, 0, "one\n"),
                        new Notice.Attempt("7-2-web-2", "web-2", 2, START.plusSeconds(1), END, false, 2, "two")),
                "backup failed");
    }

    static Notice started() {
        return new Notice("d-44", Notice.Event.RUN_STARTED, START, "backup", "ops@example.com", Map.of(), 9, null,
                null, List.of(), "backup started");
    }
}
