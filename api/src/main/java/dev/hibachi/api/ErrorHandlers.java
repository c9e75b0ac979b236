package dev.hibachi.api;

import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Every error the API can meet becomes a JSON body with a status: an unreachable store is 503 (retry
 * later), a body over the limit is 400 and names the limit.
 */
final class ErrorHandlers {
    private ErrorHandlers() {
    }

    @Singleton
    @Requires(classes = StoreUnavailableException.class)
    static final class StoreUnavailable implements ExceptionHandler<StoreUnavailableException, HttpResponse<byte[]>> {
        @Override
        public HttpResponse<byte[]> handle(HttpRequest request, StoreUnavailableException e) {
            return Responses.error(503, e.getMessage(), null);
        }
    }

    @Singleton
    @Replaces(io.micronaut.http.server.exceptions.ContentLengthExceededHandler.class)
    static final class TooLarge implements ExceptionHandler<ContentLengthExceededException, HttpResponse<byte[]>> {
        @Override
        public HttpResponse<byte[]> handle(HttpRequest request, ContentLengthExceededException e) {
            return Responses.error(400, "the request body is larger than " + MicronautFrontDoor.MAX_REQUEST_BYTES
                    + " bytes", null);
        }
    }
}
