package dev.hibachi.agent.notify;

import dev.hibachi.store.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A real channel for the tests: POSTs the notice as JSON, with {@code X-Hibachi-Delivery}; a non-2xx answer
 * fails the send. {@code takes} is what it {@link #accepts}, as the pre-webhook takes starts only.
 */
final class HttpPostChannel implements Channel {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final URI target;
    private final Predicate<Notice> takes;

    HttpPostChannel(String name, URI target, Predicate<Notice> takes) {
        this.name = name;
        this.target = target;
        this.takes = takes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(Notice notice) {
        return takes.test(notice);
    }

    @Override
    public CompletableFuture<Void> send(Notice notice) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").header("X-Hibachi-Delivery", notice.deliveryId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(notice))).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(target + " answered " + r.statusCode());
            }
        });
    }
}
