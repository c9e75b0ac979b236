package dev.hibachi.api;

import dev.hibachi.store.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events of an output stream ({@code text/event-stream}), as bytes ready to write:
 * <ul>
 *   <li>{@code output}: more output text; its {@code id} is the byte position reached, which a client sends back
 *       as {@code Last-Event-ID} (or {@code ?from=}) to resume without repeats;
 *   <li>{@code truncated}: {@code {"skipped": N}}, bytes the reader missed because the member kept only the last
 *       part of the output;
 *   <li>{@code reset}: what the client has is replaced by the output events that follow (a resumed stream that
 *       can only be answered from the stored output);
 *   <li>{@code end}: the final status as JSON; the stream then closes.
 * </ul>
 * SSE ends a data line at CR, LF or CRLF, so a lone CR in the output arrives as a line break; the stored output
 * keeps it exactly.
 */
final class SseEvents {
    static final String CONTENT_TYPE = "text/event-stream";

    private SseEvents() {
    }

    static byte[] output(String text, long position) {
        StringBuilder sb = new StringBuilder(text.length() + 32);
        sb.append("id: ").append(position).append('\n').append("event: output\n");
        data(sb, text);
        return bytes(sb);
    }

    /** Output with no position (a whole stored output). */
    static byte[] output(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16).append("event: output\n");
        data(sb, text);
        return bytes(sb);
    }

    static byte[] truncated(long skipped) {
        return event("truncated", "{\"skipped\":" + skipped + "}");
    }

    static byte[] reset() {
        return event("reset", "{}");
    }

    /** The last event: how the execution ended. */
    static byte[] end(String executionId, String status, boolean success, int exitCode, String killedBy) {
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("id", executionId);
        end.put("status", status);
        end.put("success", success);
        end.put("exit_code", exitCode);
        if (killedBy != null) {
            end.put("killed_by", killedBy);
        }
        return event("end", new String(Json.write(end), StandardCharsets.UTF_8));
    }

    /** The last event when the execution is gone (its job or history was deleted while it was followed). */
    static byte[] gone(String executionId, String error) {
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("id", executionId);
        end.put("status", "unknown");
        end.put("error", error);
        return event("end", new String(Json.write(end), StandardCharsets.UTF_8));
    }

    /**
     * The first frame of every stream: the reconnection delay a browser's {@code EventSource} should use. Sent at
     * once, so the answer's headers go out before the first output, which may be minutes away.
     */
    static byte[] opening() {
        return "retry: 2000\n\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** A comment line: keeps an idle stream's connection alive and finds a client that went away. */
    static byte[] keepAlive() {
        return ": waiting\n\n".getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] event(String name, String json) {
        StringBuilder sb = new StringBuilder(json.length() + 24).append("event: ").append(name).append('\n');
        data(sb, json);
        return bytes(sb);
    }

    private static void data(StringBuilder sb, String text) {
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.append("data: ").append(text, from, i).append('\n');
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        sb.append("data: ").append(text, from, text.length()).append("\n\n");
    }

    private static byte[] bytes(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
