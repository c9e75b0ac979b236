package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * Whether new job submissions are refused, cluster-wide. Dkron's pause lives in one node's memory and only
 * guards that node's API; here it is committed, so every agent refuses alike and a restart keeps it.
 * {@code since} is when it last changed (absent until it first does).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Pause(boolean paused, Instant since) {
    public static final Pause OFF = new Pause(false, null);
}
