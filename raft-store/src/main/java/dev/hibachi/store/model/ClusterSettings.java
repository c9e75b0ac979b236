package dev.hibachi.store.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Settings every replica must agree on, so they live in the log (recorded once, at bootstrap): the zone of
 * jobs with {@code timezone: ""}, and the retention of execution history and output.
 */
public record ClusterSettings(
        @JsonProperty("default_zone") String defaultZone,
        @JsonProperty("executions_kept") int executionsKept,
        @JsonProperty("full_outputs_kept") int fullOutputsKept,
        @JsonProperty("output_bytes") int outputBytes,
        @JsonProperty("tail_bytes") int tailBytes) {

    public static final int DEFAULT_EXECUTIONS_KEPT = 100;
    public static final int DEFAULT_FULL_OUTPUTS_KEPT = 10;
    public static final int DEFAULT_OUTPUT_BYTES = 256_000;
    public static final int DEFAULT_TAIL_BYTES = 4_096;

    public static ClusterSettings defaults(String zone) {
        return new ClusterSettings(zone, DEFAULT_EXECUTIONS_KEPT, DEFAULT_FULL_OUTPUTS_KEPT, DEFAULT_OUTPUT_BYTES,
                DEFAULT_TAIL_BYTES);
    }
}
