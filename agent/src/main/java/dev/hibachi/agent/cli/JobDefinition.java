package dev.hibachi.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a person writes of a job, in one canonical form, so that a job read from a file and the same job read
 * back from the cluster compare equal, and an exported file is the same bytes for the same job.
 *
 * <p>The form is the store's own: the job goes through the store's {@link Job} record and JSON settings, and the
 * defaults the store fills in when a job is created ({@link Job#mergedWith}: empty strings for absent text,
 * {@code allow}, {@code run_once}). Then the fields only the store keeps ({@link #SERVER_KEPT}: id, counters,
 * status, next, dependents) are dropped, and so is every top-level field left absent, null, empty or an empty
 * map, because the store treats those alike. Fields keep the job's JSON order; maps are sorted by key.
 */
final class JobDefinition {
    /** Fields the store keeps for itself: never compared, never exported; a file may carry them (a GET's output). */
    static final Set<String> SERVER_KEPT = Set.of("id", "success_count", "error_count", "last_success", "last_error",
            "status", "next", "dependent_jobs", "missed_count", "skipped_count");
    private static final String NONE = "(none)";
    /** Every field of a job, in its JSON order. */
    private static final List<String> ORDER = new ArrayList<>();

    static {
        JsonNode template = Json.mapper().valueToTree(Job.of("x", "", "", null));
        template.fieldNames().forEachRemaining(ORDER::add);
    }

    private final ObjectNode fields;

    private JobDefinition(ObjectNode fields) {
        this.fields = fields;
    }

    /** The definition of {@code job}, with the defaults the store gives a new job. */
    static JobDefinition of(Job job) {
        Job normalized = job.mergedWith(null, List.of());
        ObjectNode tree = Json.mapper().valueToTree(normalized);
        ObjectNode fields = Json.mapper().createObjectNode();
        tree.fields().forEachRemaining(e -> {
            if (!SERVER_KEPT.contains(e.getKey()) && !isEmpty(e.getValue())) {
                fields.set(e.getKey(), sorted(e.getValue()));
            }
        });
        return new JobDefinition(fields);
    }

    /**
     * The definition of a job as the agent answered it ({@code GET /v1/jobs}). A field this build does not know
     * fails: dropping it would export less than the cluster holds, and applying would reset it.
     */
    static JobDefinition ofAnswer(JsonNode job) throws ApiCallFailed {
        try {
            return of(Json.mapper().treeToValue(job, Job.class));
        } catch (JsonProcessingException e) {
            throw new ApiCallFailed("cannot read job " + job.path("name").asText("?") + " from the agent: "
                    + e.getOriginalMessage() + "; is the agent of another Hibachi version than this command?");
        }
    }

    String name() {
        return fields.path("name").asText();
    }

    /** The job's {@code parent_job}, or "" when it has none. */
    String parent() {
        return fields.path("parent_job").asText("");
    }

    /** The fields, in canonical order; not to be changed. */
    ObjectNode fields() {
        return fields;
    }

    /** The job to send to {@code POST /v1/jobs}: its definition only, so the store keeps what it keeps. */
    String json() {
        try {
            return Json.mapper().writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One change of one field (or of one key of a map field), as the plan shows and {@code --json} lists it. */
    record Change(String field, JsonNode from, JsonNode to) {
        @Override
        public String toString() {
            return field + ": " + show(from) + " → " + show(to);
        }

        private static String show(JsonNode value) {
            return value == null ? NONE : value.toString();
        }
    }

    /** What changes from {@code current} to this definition: field by field, maps key by key. */
    List<Change> changesFrom(JobDefinition current) {
        List<Change> changes = new ArrayList<>();
        for (String field : fieldNames(current.fields, fields)) {
            JsonNode from = current.fields.get(field);
            JsonNode to = fields.get(field);
            if (Objects.equals(from, to)) {
                continue;
            }
            if ((from == null || from.isObject()) && (to == null || to.isObject())) {
                for (String key : new TreeSet<>(keys(from, to))) {
                    JsonNode a = from == null ? null : from.get(key);
                    JsonNode b = to == null ? null : to.get(key);
                    if (!Objects.equals(a, b)) {
                        changes.add(new Change(field + "." + key, a, b));
                    }
                }
            } else {
                changes.add(new Change(field, from, to));
            }
        }
        return changes;
    }

    /** The fields either has, in the job's JSON order. */
    private static List<String> fieldNames(ObjectNode a, ObjectNode b) {
        List<String> present = new ArrayList<>();
        for (String name : ORDER) {
            if (a.has(name) || b.has(name)) {
                present.add(name);
            }
        }
        return present;
    }

    private static Set<String> keys(JsonNode a, JsonNode b) {
        Set<String> keys = new TreeSet<>();
        if (a != null) {
            a.fieldNames().forEachRemaining(keys::add);
        }
        if (b != null) {
            b.fieldNames().forEachRemaining(keys::add);
        }
        return keys;
    }

    private static boolean isEmpty(JsonNode value) {
        return value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())
                || (value.isContainerNode() && value.isEmpty());
    }

    /**
     * {@code value} with the keys of every object in it sorted, so that map order never shows, and without their
     * null members ({@code retry_backoff}'s unset multiplier), which read back as absent.
     */
    private static JsonNode sorted(JsonNode value) {
        if (value.isObject()) {
            ObjectNode out = Json.mapper().createObjectNode();
            for (String k : keys(value, null)) {
                if (!value.get(k).isNull()) {
                    out.set(k, sorted(value.get(k)));
                }
            }
            return out;
        }
        if (value.isArray()) {
            var out = Json.mapper().createArrayNode();
            value.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobDefinition d && d.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
