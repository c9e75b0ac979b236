package dev.hibachi.api;

import dev.hibachi.store.json.Json;
import dev.hibachi.store.raft.StoreUnavailableException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.exceptions.response.HateoasErrorResponseProcessor;
import jakarta.inject.Singleton;

/**
 * Every error the API can meet becomes a JSON body with a status: an unreachable store is 503 (retry
 * later), a refused request its own status, a body over the limit is 413 and names the limit.
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

    /**
     * Micronaut's own refusals (no such route, a method the route does not take, an unreadable body) in the
     * API's shape, instead of its HATEOAS document.
     */
    @Singleton
    @Replaces(HateoasErrorResponseProcessor.class)
    static final class FrameworkErrors implements ErrorResponseProcessor<byte[]> {
        @Override
        @SuppressWarnings("unchecked")
        public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
            HttpRequest<?> request = context.getRequest();
            String message = response.status() == HttpStatus.NOT_FOUND
                    ? "no such route: " + request.getMethodName() + " " + request.getPath()
                    : context.getErrors().isEmpty() ? response.reason() : context.getErrors().get(0).getMessage();
            return ((MutableHttpResponse<byte[]>) response).body(Json.write(new ApiError(message, null)))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
    }

    @Singleton
    static final class Refused implements ExceptionHandler<BadRequest, HttpResponse<byte[]>> {
        @Override
        public HttpResponse<byte[]> handle(HttpRequest request, BadRequest e) {
            return Responses.error(e.status(), e.getMessage(), e.field());
        }
    }

    @Singleton
    @Replaces(io.micronaut.http.server.exceptions.ContentLengthExceededHandler.class)
    static final class TooLarge implements ExceptionHandler<ContentLengthExceededException, HttpResponse<byte[]>> {
        @Override
        public HttpResponse<byte[]> handle(HttpRequest request, ContentLengthExceededException e) {
            return Responses.error(413, "the request body is larger than " + MicronautFrontDoor.MAX_REQUEST_BYTES
                    + " bytes", null);
        }
    }
}
