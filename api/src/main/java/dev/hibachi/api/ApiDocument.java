package dev.hibachi.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;

/**
 * The OpenAPI document of the HTTP API, generated from the controllers when the module is compiled
 * (Micronaut OpenAPI) and served by every agent at {@value #PATH}. Routes and fields that Dkron does not have
 * carry {@value #ADDITION}.
 */
@OpenAPIDefinition(info = @Info(title = "Hibachi", version = "v1",
        description = "Hibachi's HTTP API: Dkron's /v1 routes with the same JSON and status codes, and Hibachi's"
                + " additions (marked x-hibachi-addition). Errors are {\"error\": \"...\", \"field\": \"...\"}.",
        license = @License(name = "Apache-2.0")))
final class ApiDocument {
    static final String PATH = "/openapi/hibachi-v1.yml";
    static final String ADDITION = "x-hibachi-addition";

    private ApiDocument() {
    }
}
