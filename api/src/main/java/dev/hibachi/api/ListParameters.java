package dev.hibachi.api;

import io.micronaut.http.HttpRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query string of a list request ({@code GET /v1/jobs}, {@code GET /v1/jobs/{name}/executions}), read
 * strictly: a value its parameter cannot take is a {@link BadRequest} that names the parameter, answered 400
 * with a JSON error (Dkron ignores some of these and answers 500 for others). An empty value counts as absent,
 * except in {@code metadata[key]=} and {@code tags[key]=}, where it asks for an empty value; parameters it does not
 * know are ignored, as Dkron does. Read from the raw parameters, so that {@code metadata[key]} names of any key are
 * seen.
 */
final class ListParameters {
    private final Map<String, List<String>> values;

    private ListParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    static ListParameters of(HttpRequest<?> request) {
        return new ListParameters(request.getParameters().asMap());
    }

    /** The first value of {@code name}; null when it is absent or empty. */
    String text(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() || v.get(0) == null || v.get(0).isEmpty() ? null : v.get(0);
    }

    /** A slice index ({@code _start}, {@code _end}): -1 when absent; a number too large to matter is the largest. */
    int index(String name) throws BadRequest {
        String v = text(name);
        if (v == null) {
            return -1;
        }
        if (!v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadRequest(name + " must be a whole number, 0 or more (got \"" + v + "\")", name);
        }
        String digits = v.replaceFirst("^0+(?=.)", "");
        return digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    /** {@code _order}: {@code ASC} or {@code DESC}, in any case. */
    boolean descending(boolean byDefault) throws BadRequest {
        String v = text("_order");
        if (v == null) {
            return byDefault;
        }
        switch (v.toUpperCase(Locale.ROOT)) {
            case "ASC":
                return false;
            case "DESC":
                return true;
            default:
                throw new BadRequest("_order must be ASC or DESC (got \"" + v + "\")", "_order");
        }
    }

    /** A {@code true}/{@code false} parameter, in any case; null when absent. */
    Boolean bool(String name) throws BadRequest {
        String v = text(name);
        if (v == null) {
            return null;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new BadRequest(name + " must be true or false (got \"" + v + "\")", name);
        }
    }

    /**
     * Every {@code metadata[key]=value}. A key given twice must have the same value both times: a job has one
     * value per key, so two would match nothing, which is more likely a mistake than a question.
     */
    Map<String, String> metadata() throws BadRequest {
        return pairs("metadata");
    }

    /** Every {@code tags[key]=value}, read as {@link #metadata()} is. */
    Map<String, String> tags() throws BadRequest {
        return pairs("tags");
    }

    private Map<String, String> pairs(String family) throws BadRequest {
        String prefix = family + "[";
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> p : values.entrySet()) {
            String name = p.getKey();
            if (!name.startsWith(prefix)) {
                continue;
            }
            if (!name.endsWith("]") || name.length() == prefix.length() + 1) {
                throw new BadRequest("a " + family + " filter is " + family + "[key]=value, with a key (got \""
                        + name + "\")", name);
            }
            String key = name.substring(prefix.length(), name.length() - 1);
            for (String value : p.getValue()) {
                String v = value == null ? "" : value;
                String before = out.putIfAbsent(key, v);
                if (before != null && !before.equals(v)) {
                    throw new BadRequest(name + " is given twice with different values (\"" + before + "\", \"" + v
                            + "\"); a job has one value per key", name);
                }
            }
        }
        return out;
    }
}
