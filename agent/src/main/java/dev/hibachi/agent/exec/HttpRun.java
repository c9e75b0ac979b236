package dev.hibachi.agent.exec;

import com.google.re2j.Pattern;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One http job request in flight: streams the body into the output, enforces the timeout over the
 * whole exchange (connect, redirects, headers and body, like Go's {@code Client.Timeout}), applies
 * {@code expectCode} and {@code expectBody}, and completes once.
 *
 * <p>A timeout or kill completes the run at once with its note, closes the body copy and cancels the
 * request (which closes its connection); whatever the client reports afterwards is ignored.
 */
final class HttpRun implements RunningExecution {

    private static final Logger log = LoggerFactory.getLogger(HttpRun.class);

    /** How much of a request or response body {@code debug} puts in the log. */
    private static final int DEBUG_BODY_CHARS = 4096;

    private final String label;
    private final HttpExecutor.Spec spec;
    private final OutputBuffer out;
    private final BodyToOutput body;
    private final CompletableFuture<ExecutionResult> completion = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** The HTTP status once the response headers are in; -1 before. */
    private volatile int status = ExecutionResult.NO_EXIT_CODE;
    private volatile CompletableFuture<HttpResponse<Void>> inFlight;
    private volatile ScheduledFuture<?> timeoutTask;

    HttpRun(String label, HttpExecutor.Spec spec, OutputBuffer out) {
        this.label = label;
        this.spec = spec;
        this.out = out;
        this.body = new BodyToOutput(out);
    }

    /** Sends {@code request} with {@code client} and arms the timeout. */
    void begin(HttpClient client, HttpRequest request) {
        if (spec.debug()) {
            log.info("{}: request {} {} headers {} body {}", label, request.method(), request.uri(),
                    request.headers().map(), abbreviate(spec.body()));
        }
        if (spec.timeoutSeconds() > 0) {
            timeoutTask = ExecThreads.later(spec.timeoutSeconds() * 1000L, () -> stop(
                    "[hibachi: job timed out after " + spec.timeoutSeconds() + "s; the request was cancelled]"));
        }
        CompletableFuture<HttpResponse<Void>> f;
        try {
            f = client.sendAsync(request, info -> {
                status = info.statusCode();
                if (spec.debug()) {
                    log.info("{}: response {} {} headers {}", label, info.version(), info.statusCode(),
                            info.headers().map());
                }
                return HttpResponse.BodySubscribers.fromSubscriber(body);
            });
        } catch (RuntimeException e) { // e.g. the client refuses the request outright
            finish(null, e);
            return;
        }
        inFlight = f;
        f.whenCompleteAsync(this::finish, ExecThreads.POOL);
        if (finished.get()) {
            f.cancel(true); // stopped before the future was published
        }
    }

    @Override
    public CompletableFuture<ExecutionResult> completion() {
        return completion;
    }

    /** Cancels the request at once; {@code grace} does not apply (there is no process to let go). */
    @Override
    public void kill(String reason, Duration grace) {
        ExecThreads.POOL.execute(() -> stop("[hibachi: job killed: " + reason + "]"));
    }

    @Override
    public OptionalLong processGroup() {
        return OptionalLong.empty();
    }

    private void stop(String note) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        log.info("{}: {}", label, note);
        body.close();
        CompletableFuture<HttpResponse<Void>> f = inFlight;
        if (f != null) {
            f.cancel(true);
        }
        complete(false, List.of(note));
    }

    private void finish(HttpResponse<Void> response, Throwable error) {
        if (finished.get()) {
            return; // stopped: its note already says why
        }
        List<String> notes = new ArrayList<>(2);
        boolean internalError = false;
        try {
            if (error != null) {
                notes.add("[hibachi: request failed: " + spec.method() + " " + spec.url() + ": " + describe(error) + "]");
            } else {
                checkExpectations(response.statusCode(), notes);
            }
        } catch (StoppedWhileMatching e) {
            return; // the timeout or a kill came during the match, and completed the run
        } catch (RuntimeException e) {
            log.error("{}: completing failed", label, e);
            notes.add("[hibachi: internal error: " + e + "]");
            internalError = true;
        }
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        body.close();
        if (spec.debug()) {
            log.info("{}: response body ({} bytes): {}", label, body.bytes(),
                    abbreviate(new String(out.tail(DEBUG_BODY_CHARS), StandardCharsets.UTF_8)));
        }
        complete(notes.isEmpty() && !internalError, notes);
    }

    /** Dkron's checks: any status passes without {@code expectCode}; the body must match {@code expectBody}. */
    private void checkExpectations(int code, List<String> notes) {
        if (!spec.expectCodes().isEmpty() && !spec.expectCodes().contains(code)) {
            notes.add("[hibachi: response status " + code + " is not in expectCode " + spec.expectCodeText() + "]");
        }
        Pattern expect = spec.expectBody();
        if (expect != null) {
            // What the buffer kept of the body: its last bytes when the body was larger.
            int kept = (int) Math.min(body.bytes(), out.capacity());
            String text = new String(out.tail(kept), StandardCharsets.UTF_8);
            if (!expect.matcher(new StoppableText(text)).find()) {
                notes.add("[hibachi: response body does not match expectBody " + expect.pattern()
                        + (body.bytes() > kept ? " (matched against its last " + kept + " bytes)" : "") + "]");
            }
        }
    }

    /**
     * The body text for {@code expectBody}. RE2 matching is linear but costs text length times pattern
     * size (seconds for {@code a{1000}} over 256 KB), so the timeout and kills still apply while it runs:
     * reading a character after the run was stopped ends the match.
     */
    private final class StoppableText implements CharSequence {
        private final String text;

        StoppableText(String text) {
            this.text = text;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (finished.get()) {
                throw new StoppedWhileMatching();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new StoppableText(text.substring(start, end));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static final class StoppedWhileMatching extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoppedWhileMatching() {
            super(null, null, false, false);
        }
    }

    private void complete(boolean success, List<String> notes) {
        ScheduledFuture<?> t = timeoutTask;
        if (t != null) {
            t.cancel(false);
        }
        for (String note : notes) {
            out.appendLine(note);
        }
        int code = status;
        log.debug("{}: finished, status {}, success {}", label, code, success);
        completion.complete(new ExecutionResult(success, code, out.text(), out.truncated()));
    }

    /** The error and its causes, each once, e.g. {@code ConnectException: Connection refused}. */
    static String describe(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof CancellationException) {
            return "cancelled";
        }
        if (e instanceof ConnectException && e.getMessage() == null) {
            // What the JDK client reports for a refused connection, with a ClosedChannelException as cause.
            return "ConnectException: cannot connect (refused, unreachable or reset)";
        }
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (int depth = 0; e != null && depth < 5; depth++, e = e.getCause()) {
            String msg = e.getMessage();
            if (msg != null && last != null && last.contains(msg)) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("; caused by ");
            }
            sb.append(e.getClass().getSimpleName());
            if (msg != null && !msg.isBlank()) {
                sb.append(": ").append(msg);
            }
            last = msg;
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= DEBUG_BODY_CHARS ? s : s.substring(0, DEBUG_BODY_CHARS) + "...";
    }
}
