package dev.hibachi.store.apply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hibachi.store.json.Json;

/**
 * The reply to a command or a query, returned through Raft: {@code ok} with a value, or the reason the
 * command was refused and, where it is about a field, which one. {@code status} follows HTTP's meaning
 * (400 invalid, 404 missing, 409 conflict) so the API can answer with it unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(boolean ok, Integer status, String error, String field, JsonNode value, Long index) {

    public static Reply ok(Object value) {
        return new Reply(true, null, null, null, value == null ? null : Json.mapper().valueToTree(value), null);
    }

    public static Reply refused(int status, String error, String field) {
        return new Reply(false, status, error, field, null, null);
    }

    public Reply atIndex(long logIndex) {
        return new Reply(ok, status, error, field, value, logIndex);
    }

    public <T> T valueAs(Class<T> type) {
        try {
            return value == null ? null : Json.mapper().treeToValue(value, type);
        } catch (Exception e) {
            throw new IllegalStateException("unexpected reply shape: " + e.getMessage(), e);
        }
    }
}
