package dev.hibachi.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows printed as left-aligned columns two spaces apart, as Dkron's and Consul's commands print them. An empty
 * cell shows as {@value #NONE}, so that every row has as many words as the header.
 */
final class TextTable {
    static final String NONE = "-";
    /** Go's zero time: how Dkron's JSON writes an instant that has not happened. */
    private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(List.of(header));
    }

    TextTable row(String... cells) {
        List<String> row = new ArrayList<>();
        for (String cell : cells) {
            row.add(cell == null || cell.isBlank() ? NONE : cell);
        }
        rows.add(row);
        return this;
    }

    /** A JSON string (or number) as a cell: {@value #NONE} when it is absent or empty. */
    static String text(JsonNode value) {
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty() ? NONE : value.asText();
    }

    /** An RFC 3339 instant as a cell, to the second, in UTC; {@value #NONE} when it is absent or Go's zero time. */
    static String instant(JsonNode value) {
        if (!value.isTextual() || value.asText().isEmpty()) {
            return NONE;
        }
        try {
            Instant at = Instant.parse(value.asText());
            return at.equals(ZERO_TIME) ? NONE : at.truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return value.asText();
        }
    }

    /** The first line of {@code text}, cut to {@code max} characters with an ellipsis; "" for none. */
    static String firstLine(String text, int max) {
        String t = text == null ? "" : text.strip();
        int end = t.indexOf('\n');
        String line = (end < 0 ? t : t.substring(0, end)).stripTrailing();
        boolean more = end >= 0 || line.length() > max;
        if (line.length() > max) {
            line = line.substring(0, max);
        }
        return more ? line + "…" : line;
    }

    void print(PrintWriter out) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row.get(i));
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.println(line);
        }
        out.flush();
    }
}
