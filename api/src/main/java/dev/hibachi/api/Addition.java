package dev.hibachi.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.extensions.Extension;
import io.swagger.v3.oas.annotations.extensions.ExtensionProperty;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a route Dkron does not have: the OpenAPI document shows it with {@value ApiDocument#ADDITION}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Operation(extensions = @Extension(properties = @ExtensionProperty(name = ApiDocument.ADDITION, value = "true")))
@interface Addition {
}
