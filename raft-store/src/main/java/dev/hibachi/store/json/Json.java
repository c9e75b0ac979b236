package dev.hibachi.store.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of Hibachi: the Raft log, the store and the API all speak the same JSON, so
 * a job looks the same on the wire, on disk and in a snapshot. Times are RFC 3339 strings, as Dkron's.
 */
public final class Json {
    private static final ObjectMapper MAPPER = withSettings(JsonMapper.builder()).build();

    private Json() {
    }

    /**
     * {@code builder} with these settings, for a mapper of another format (the job files of {@code hibachi jobs
     * apply} are YAML too) or with more features, that must read and write a job exactly as the store does.
     */
    public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B withSettings(B builder) {
        return builder.addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
