package dev.hibachi.agent.notify;

import java.util.concurrent.CompletableFuture;

/**
 * A way to tell people ({@code mail}, {@code webhook}, {@code pre-webhook}, {@code slack}). Implementations are
 * made from the agent's settings at start (a bad template or address fails the start, not a notification) and are
 * thread-safe. Whether a notice is sent at all ({@code --notify-on}, per-job overrides) is decided before
 * {@link #send}, by the notifier.
 */
public interface Channel {

    /** The channel's name, as in its flags and in {@code notify.<name>.*} metadata keys. */
    String name();

    /**
     * Whether this channel has anything to do with {@code notice} by its nature: the pre-webhook takes only
     * {@link Notice.Event#RUN_STARTED}, the others every other event; mail needs a recipient.
     */
    boolean accepts(Notice notice);

    /**
     * Sends {@code notice}; completes when it was delivered, exceptionally when it was not (the notifier retries
     * with backoff). Never blocks the caller.
     */
    CompletableFuture<Void> send(Notice notice);
}
