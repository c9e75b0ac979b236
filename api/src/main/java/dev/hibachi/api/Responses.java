package dev.hibachi.api;

import dev.hibachi.store.apply.Reply;
import dev.hibachi.store.json.Json;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/**
 * Turns results into HTTP responses. JSON is written with the store's own mapper, so a job reads the same
 * in the API as in the log.
 */
final class Responses {
    private Responses() {
    }

    static MutableHttpResponse<byte[]> json(HttpStatus status, Object body) {
        return HttpResponse.<byte[]>status(status).body(Json.write(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    static MutableHttpResponse<byte[]> error(int status, String message, String field) {
        return json(HttpStatus.valueOf(status), new ApiError(message, field));
    }

    /** A store reply: its value with {@code okStatus}, or its refusal with the refusal's status. */
    static MutableHttpResponse<byte[]> of(Reply reply, HttpStatus okStatus) {
        if (!reply.ok()) {
            return error(reply.status() == null ? 500 : reply.status(), reply.error(), reply.field());
        }
        MutableHttpResponse<byte[]> response = json(okStatus, reply.value());
        // A write's log index: a read that sends it back sees the write, from any agent (ReadParameters).
        return reply.index() == null ? response : response.header(ReadParameters.INDEX_HEADER,
                String.valueOf(reply.index()));
    }
}
