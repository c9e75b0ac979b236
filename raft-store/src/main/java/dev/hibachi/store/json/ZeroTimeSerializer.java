package dev.hibachi.store.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.time.Instant;

/**
 * Writes a missing instant as Go's zero time, {@code 0001-01-01T00:00:00Z}, because Dkron's clients and
 * UI read that value (not null) as "not yet" for {@code next} and {@code finished_at}.
 */
public final class ZeroTimeSerializer extends StdSerializer<Instant> {
    public static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

    public ZeroTimeSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(value == null ? GO_ZERO_TIME : value.toString());
    }

    @Override
    public boolean isEmpty(SerializerProvider provider, Instant value) {
        return false;
    }
}
