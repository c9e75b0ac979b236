package dev.hibachi.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.agent.Agent;
import dev.hibachi.agent.cluster.Member;
import dev.hibachi.store.json.Json;
import jakarta.inject.Singleton;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How this agent asks another member's API for what only that member has in memory (a running attempt's output),
 * directly over HTTP and never through Raft. A request it forwards carries {@link #FORWARDED_HEADER}, so the
 * member answers from what it has instead of forwarding again.
 */
@Singleton
final class MemberClient {
    static final String FORWARDED_HEADER = "X-Hibachi-Forwarded";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();
    private final String self;

    MemberClient(Agent agent) {
        this.self = agent.config().nodeName();
    }

    /** The member's answer to {@code GET pathAndQuery}, streamed as it comes; fails on a status other than 200. */
    Flux<byte[]> stream(Member member, String pathAndQuery) {
        HttpRequest request = request(member, pathAndQuery).build();
        return Mono.fromFuture(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher()))
                .flatMapMany(response -> {
                    if (response.statusCode() != 200) {
                        // Read and drop the body, so the connection is released.
                        return JdkFlowAdapter.flowPublisherToFlux(response.body()).thenMany(Flux.error(
                                new IllegalStateException(member.name() + " answered " + response.statusCode())));
                    }
                    return JdkFlowAdapter.flowPublisherToFlux(response.body()).map(MemberClient::join);
                });
    }

    /** The member's JSON answer to {@code GET pathAndQuery}, within {@code timeout}. */
    CompletableFuture<JsonNode> json(Member member, String pathAndQuery, Duration timeout) {
        return get(member, pathAndQuery, timeout, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(body -> Json.read(body, JsonNode.class));
    }

    /** The member's text answer to {@code GET pathAndQuery}, within {@code timeout}. */
    CompletableFuture<String> text(Member member, String pathAndQuery, Duration timeout) {
        return get(member, pathAndQuery, timeout, HttpResponse.BodyHandlers.ofString());
    }

    /** The body of the member's 200 answer; fails on any other status. */
    private <T> CompletableFuture<T> get(Member member, String pathAndQuery, Duration timeout,
                                         HttpResponse.BodyHandler<T> body) {
        HttpRequest request = request(member, pathAndQuery).timeout(timeout).build();
        return http.sendAsync(request, body).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(member.name() + " answered " + response.statusCode());
            }
            return response.body();
        });
    }

    private HttpRequest.Builder request(Member member, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://" + member.httpAddress() + pathAndQuery))
                .header(FORWARDED_HEADER, self).GET();
    }

    private static byte[] join(List<ByteBuffer> buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        byte[] out = new byte[size];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        return out;
    }
}
