package dev.hibachi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;

import java.util.Iterator;
import java.util.stream.Collectors;

/**
 * Reads the bodies of the jobs routes: a job, a list of jobs, a kill request. Every problem is a
 * {@link BadRequest} that names it (and the field, where there is one), so nothing reaches the store.
 */
final class JobBodies {
    private JobBodies() {
    }

    /**
     * A job. {@code pathName}, for {@code PUT /v1/jobs/{name}}, fills in a missing name and must match a
     * given one.
     */
    static Job job(String body, String pathName) throws BadRequest {
        if (body == null || body.isBlank()) {
            throw new BadRequest("the request body is empty; expected a job as JSON", null);
        }
        JsonNode tree = json(body);
        if (tree == null || !tree.isObject()) {
            throw new BadRequest("expected a JSON object (a job)", null);
        }
        if (pathName != null) {
            JsonNode name = tree.get("name");
            if (name == null || name.isNull() || name.asText().isEmpty()) {
                ((ObjectNode) tree).put("name", pathName);
            } else if (!name.asText().equals(pathName)) {
                throw new BadRequest("the body names job \"" + name.asText() + "\" but the path names \"" + pathName
                        + "\"", "name");
            }
        }
        return job(tree, "");
    }

    /** One job of a list or a single body; {@code where} prefixes field paths (e.g. {@code [3].}). */
    static Job job(JsonNode tree, String where) throws BadRequest {
        try {
            return Json.mapper().treeToValue(tree, Job.class);
        } catch (UnrecognizedPropertyException e) {
            throw new BadRequest("unknown field \"" + e.getPropertyName() + "\"" + (where.isEmpty() ? ""
                    : " in job " + where), where + e.getPropertyName());
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            throw new BadRequest("field \"" + where + field + "\" has the wrong type: " + e.getOriginalMessage(),
                    where + field);
        } catch (JsonProcessingException e) {
            throw new BadRequest("invalid job" + (where.isEmpty() ? "" : " " + where) + ": "
                    + e.getOriginalMessage(), null);
        }
    }

    /** The kill request's optional body: {@code {"by": "..."}}, or nothing; null when it names nobody. */
    static String killer(String body) throws BadRequest {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode tree = json(body);
        if (tree == null || !tree.isObject()) {
            throw new BadRequest("expected a JSON object such as {\"by\": \"alice\"}, or no body", null);
        }
        for (Iterator<String> fields = tree.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!field.equals("by")) {
                throw new BadRequest("unknown field \"" + field + "\" (a kill request takes only \"by\")", field);
            }
        }
        JsonNode by = tree.get("by");
        if (by == null || by.isNull()) {
            return null;
        }
        if (!by.isTextual()) {
            throw new BadRequest("field \"by\" must be a string: who asks for the kill", "by");
        }
        if (by.asText().isBlank()) {
            throw new BadRequest("field \"by\" must not be empty; leave it out to be named by your address", "by");
        }
        return by.asText().strip();
    }

    static JsonNode json(String body) throws BadRequest {
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new BadRequest("invalid JSON: " + e.getOriginalMessage() + (where == null ? ""
                    : " at line " + where.getLineNr() + ", column " + where.getColumnNr()), null);
        }
    }
}
