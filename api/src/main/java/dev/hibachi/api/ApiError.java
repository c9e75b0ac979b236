package dev.hibachi.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error the API answers: what is wrong, and which field when it is about one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {
}
