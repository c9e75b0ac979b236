package dev.hibachi.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real {@code text/event-stream} reader for tests: events as they arrive, parsed by the SSE rules. */
final class EventStream implements AutoCloseable {
    record Event(String name, String id, String data) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    final int status;
    final String contentType;

    private EventStream(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.body = response.body();
        this.reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static EventStream open(URI uri, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30)).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new EventStream(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            String id = null;
            StringBuilder data = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(name, id, data.toString()));
                    }
                    name = "message";
                    data = null;
                } else if (line.startsWith(":")) {
                    continue;
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next event, waiting at most {@code timeout}; fails when none comes. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }

    /** Events up to and including {@code end}, waiting at most {@code timeout} in all. */
    List<Event> untilEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> out = new ArrayList<>();
        while (true) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            out.add(e);
            if (e.name().equals("end")) {
                return out;
            }
        }
    }

    /** The text of the output events in {@code events}, joined. */
    static String text(List<Event> events) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e.name().equals("output")).forEach(e -> sb.append(e.data()));
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing
        }
        reader.interrupt();
    }
}
