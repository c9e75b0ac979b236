package dev.hibachi.store.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads the times Dkron clients send: RFC 3339, Go's zero time (meaning "none"), or the HTML
 * {@code datetime-local} form {@code 2006-01-02T15:04} (taken as UTC), which Dkron also accepts.
 */
public final class ZeroTimeDeserializer extends StdDeserializer<Instant> {
    public ZeroTimeDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String text = p.getValueAsString();
        if (text == null || text.isBlank() || text.startsWith("0001-01-01")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text,
                        "not an RFC 3339 time (example: 2026-01-02T15:04:05Z)");
            }
        }
    }

    @Override
    public Instant getNullValue(DeserializationContext ctxt) {
        return null;
    }
}
