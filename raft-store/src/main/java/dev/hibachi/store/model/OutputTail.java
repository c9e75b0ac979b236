package dev.hibachi.store.model;

import java.nio.charset.StandardCharsets;

/**
 * Cuts output to its last bytes, with a marker in front that says how much was dropped. One rule for the
 * member's capture buffer and the store's output budget, so a cut output always looks the same.
 */
public final class OutputTail {
    private OutputTail() {
    }

    public static String marker(long droppedBytes) {
        return "[hibachi: output truncated, " + droppedBytes + " earlier bytes dropped]\n";
    }

    /** {@code text} itself if it fits in {@code maxBytes} of UTF-8, else its tail, cut at a character boundary. */
    public static String cut(String text, int maxBytes) {
        if (text == null) {
            return null;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int start = bytes.length - maxBytes;
        while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
            start++; // a UTF-8 continuation byte: move to the next character start
        }
        long dropped = start + droppedBefore(text);
        return marker(dropped) + new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    }

    /**
     * The last {@code maxBytes} bytes of {@code text} (fewer at a character boundary), with no marker: what
     * Dkron's {@code output_size_limit} returns, flagged by {@code output_truncated} instead.
     */
    public static String last(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int start = bytes.length - Math.max(0, maxBytes);
        while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
            start++;
        }
        return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    }

    /** Bytes an earlier cut already dropped, read back from its marker, so a second cut adds them up. */
    private static long droppedBefore(String text) {
        String prefix = "[hibachi: output truncated, ";
        if (!text.startsWith(prefix)) {
            return 0;
        }
        int end = text.indexOf(' ', prefix.length());
        try {
            return end < 0 ? 0 : Long.parseLong(text.substring(prefix.length(), end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
