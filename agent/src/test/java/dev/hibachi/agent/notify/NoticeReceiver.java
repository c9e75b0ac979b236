package dev.hibachi.agent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hibachi.store.json.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver on loopback that records every POST it accepts (its path, {@code X-Hibachi-Delivery} and
 * JSON body); {@link #answer} sets the status it replies with (503: down, as a broken receiver).
 */
final class NoticeReceiver implements AutoCloseable {
    record Received(String path, String deliveryId, JsonNode body) {
        String event() {
            return body.path("event").asText();
        }

        String job() {
            return body.path("job").asText(null);
        }
    }

    private final HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    NoticeReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("X-Hibachi-Delivery");
            int answer = status;
            if (answer / 100 == 2) {
                received.add(new Received(exchange.getRequestURI().getPath(), id, Json.mapper().readTree(body)));
            } else {
                refused.add(id);
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    void answer(int code) {
        status = code;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
