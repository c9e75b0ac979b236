package dev.hibachi.agent.notify;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code Key:Value} items of {@code --webhook-headers} and {@code --pre-webhook-headers}, split at the first
 * {@code :} only (Dkron splits at every one, so a value with a {@code :} lost its end).
 */
final class WebhookHeaders {
    private WebhookHeaders() {
    }

    /**
     * @throws IllegalArgumentException naming {@code flag} and the item, for an item without a name or one the
     *     JDK's HTTP client refuses ({@code Host}, {@code Content-Length} and the like are set by the client)
     */
    static List<Map.Entry<String, String>> parse(String flag, List<String> items) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String item : items) {
            if (item.isBlank()) {
                continue;
            }
            int colon = item.indexOf(':');
            String name = colon < 0 ? "" : item.substring(0, colon).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(flag + ": '" + item + "' must be Key:Value");
            }
            String value = item.substring(colon + 1).trim();
            try {
                HttpRequest.newBuilder(URI.create("http://check.invalid/")).header(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + ": '" + item + "' cannot be sent (" + e.getMessage()
                        + "); Host, Connection, Content-Length, Expect and Upgrade are set by the HTTP client");
            }
            out.add(Map.entry(name, value));
        }
        return List.copyOf(out);
    }

    /** Whether {@code headers} set {@code name}, compared as HTTP compares names. */
    static boolean has(List<Map.Entry<String, String>> headers, String name) {
        return headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase(name));
    }
}
