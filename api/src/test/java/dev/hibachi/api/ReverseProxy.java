package dev.hibachi.api;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP reverse proxy on a free loopback port that mounts one upstream under a path prefix, as an operator's
 * nginx does with {@code location /cron/ { proxy_pass http://agent/; }}: {@code /cron/v1/jobs} goes to the upstream's
 * {@code /v1/jobs}; a path outside the prefix answers 404. Method, headers and body go up; status, headers and body
 * come back, the body streamed chunk by chunk (flushed as it arrives), so Server-Sent Events pass live. Redirects
 * are passed back, not followed. Every request it received is recorded.
 */
final class ReverseProxy implements AutoCloseable {
    /** A request the proxy received, before the prefix was stripped. */
    record Received(String method, String path) {
    }

    // Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message; Host and Content-Length
    // are the sending client's to set (java.net.http refuses to take them).
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect");

    private final String prefix;
    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private ReverseProxy(String prefix, URI upstream) throws IOException {
        this.prefix = prefix;
        this.upstream = upstream;
        // A thread per exchange: a live stream holds its thread until it ends.
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "reverse-proxy");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
    }

    /** A proxy that mounts {@code upstream} (scheme, host and port) under {@code prefix} (e.g. "/cron"). */
    static ReverseProxy start(String prefix, URI upstream) throws IOException {
        ReverseProxy proxy = new ReverseProxy(prefix, upstream);
        proxy.server.start();
        return proxy;
    }

    /** The proxy's own base, without the prefix: {@code http://127.0.0.1:<port>}. */
    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request received so far, in the order they came. */
    List<Received> received() {
        return List.copyOf(received);
    }

    void forget() {
        received.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            forward(exchange);
        } finally {
            exchange.close();
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String path = uri.getRawPath();
        received.add(new Received(method, path));
        if (!path.startsWith(prefix + "/")) {
            byte[] body = ("not under " + prefix + "/: " + path).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            return;
        }
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(upstreamRequest(exchange, path.substring(prefix.length()) + query),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            exchange.sendResponseHeaders(502, -1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (InputStream body = answer.body()) {
            copyHeaders(answer, exchange.getResponseHeaders());
            exchange.sendResponseHeaders(answer.statusCode(), responseLength(method, answer));
            stream(body, exchange.getResponseBody());
        }
    }

    private HttpRequest upstreamRequest(HttpExchange exchange, String pathAndQuery) throws IOException {
        HttpRequest.Builder up = HttpRequest.newBuilder(upstream.resolve(pathAndQuery));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                h.getValue().forEach(v -> up.header(h.getKey(), v));
            }
        }
        up.header("X-Forwarded-Prefix", prefix);
        // The dashboard's request bodies are small JSON: read whole, they go up with their length.
        byte[] body = exchange.getRequestBody().readAllBytes();
        return up.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void copyHeaders(HttpResponse<?> answer, Headers out) {
        answer.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            // The server sets its own Date; ":status" is a pseudo-header, not a header.
            if (!NOT_FORWARDED.contains(lower) && !lower.equals("date") && !lower.startsWith(":")) {
                out.put(name, values);
            }
        });
    }

    /**
     * The length for {@link HttpExchange#sendResponseHeaders}: the upstream's Content-Length when it sent one (0 means
     * no body, which the server spells -1), none for an answer that has no body, else 0, which makes the server send
     * the body chunked, as the upstream did.
     */
    private static long responseLength(String method, HttpResponse<?> answer) {
        int status = answer.statusCode();
        if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
            return -1;
        }
        long length = answer.headers().firstValueAsLong("Content-Length").orElse(0);
        return answer.headers().firstValue("Content-Length").isPresent() && length == 0 ? -1 : length;
    }

    /** Copies as it arrives: read answers what the upstream has sent so far, and each piece is flushed at once. */
    private static void stream(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
