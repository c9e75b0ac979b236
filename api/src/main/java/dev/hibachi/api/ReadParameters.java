package dev.hibachi.api;

import dev.hibachi.store.raft.ReadConsistency;
import io.micronaut.http.HttpRequest;

import java.util.Optional;

/**
 * How fresh a read must be, from the request (DESIGN.md, Reads): {@code ?index=N} (or the header
 * {@value #INDEX_HEADER}, as every write answers it) for read-your-writes, {@code ?stale} for whatever the
 * nearest replica holds, else linearizable.
 */
final class ReadParameters {
    /** The header every write answers with its log index, and a read may send back. */
    static final String INDEX_HEADER = "X-Hibachi-Index";

    private ReadParameters() {
    }

    static ReadConsistency consistency(HttpRequest<?> request) throws BadRequest {
        Optional<String> index = request.getParameters().getFirst("index")
                .or(() -> Optional.ofNullable(request.getHeaders().get(INDEX_HEADER)));
        boolean stale = request.getParameters().contains("stale")
                && !"false".equalsIgnoreCase(request.getParameters().get("stale"));
        if (index.isPresent()) {
            try {
                long n = Long.parseLong(index.get().strip());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return ReadConsistency.atLeast(n);
            } catch (NumberFormatException e) {
                throw new BadRequest("index must be a log index (a whole number ≥ 0), as a write's "
                        + INDEX_HEADER + " header gives it; got \"" + index.get() + "\"", "index");
            }
        }
        return stale ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE;
    }
}
