package dev.hibachi.agent.notify;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A notification template in the Go-template subset Dkron users write ({@code {{.JobName}}},
 * {@code {{if .Success}}…{{else}}…{{end}}}, {@code {{if not .X}}}, {@code {{else if .X}}}, comments and the
 * {@code {{-}}/{{- -}}} trim markers), translated into Handlebars and rendered by it. Anything else (pipelines,
 * functions, {@code range}, variables) is refused when the template is made, naming the flag, so a broken template
 * stops the agent's start instead of a notification.
 *
 * <p>A template whose text starts with {@code {} or {@code [} is a JSON payload: every inserted value is escaped as
 * the inside of a JSON string (Dkron users write {@code {"text": "{{.Output}}"}}, and output holds quotes and
 * newlines), and the template must render to valid JSON with awkward sample values, checked once at start.
 */
public final class GoTemplate {
    /** The inside of one action: optional trim markers around the body. */
    private static final Pattern ACTION = Pattern.compile("(?s)^(-\\s)?\\s*(.*?)\\s*(\\s-)?$");
    private static final Pattern FIELD = Pattern.compile("\\.([A-Za-z][A-Za-z0-9]*)");
    private static final Pattern IF = Pattern.compile("if\\s+(not\\s+)?\\.([A-Za-z][A-Za-z0-9]*)");
    private static final Pattern ELSE_IF = Pattern.compile("else\\s+if\\s+(not\\s+)?\\.([A-Za-z][A-Za-z0-9]*)");
    /** Context key of a literal backslash: Handlebars reads {@code \{{} as an escaped mustache. */
    private static final String BACKSLASH = "_backslash";
    /** Context key of a literal }: Handlebars reads {@code {{x}}}} as a triple mustache's end. */
    private static final String CLOSING_BRACE = "_closingBrace";
    private static final ObjectMapper STRICT_JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Handlebars PLAIN = new Handlebars().with(EscapingStrategy.NOOP);
    private static final Handlebars JSON = new Handlebars().with(
            value -> new String(JsonStringEncoder.getInstance().quoteAsString(value.toString())));

    private final String flag;
    private final boolean json;
    private final Template template;

    private GoTemplate(String flag, boolean json, Template template) {
        this.flag = flag;
        this.json = json;
        this.template = template;
    }

    /**
     * Reads {@code text}, given by {@code flag}.
     *
     * @throws IllegalArgumentException starting with the flag's name and saying what is wrong and where
     */
    public static GoTemplate parse(String flag, String text) {
        String trimmed = text.strip();
        boolean json = trimmed.startsWith("[") || (trimmed.startsWith("{") && !trimmed.startsWith("{{"));
        String handlebars = translate(flag, text);
        Template compiled;
        try {
            compiled = (json ? JSON : PLAIN).compileInline(handlebars);
        } catch (IOException | HandlebarsException e) {
            throw new IllegalArgumentException(flag + ": the template cannot be read: " + e.getMessage(), e);
        }
        GoTemplate template = new GoTemplate(flag, json, compiled);
        if (json) {
            template.checkJson();
        }
        return template;
    }

    /** Whether this is a JSON payload (its values are escaped for JSON strings). */
    public boolean isJson() {
        return json;
    }

    /** The text for {@code variables} (from {@link TemplateVariables}). */
    public String render(Map<String, Object> variables) {
        Map<String, Object> context = new HashMap<>(variables);
        context.put(BACKSLASH, "\\");
        context.put(CLOSING_BRACE, "}");
        try {
            return template.apply(context);
        } catch (IOException e) {
            throw new UncheckedIOException(flag + ": the template could not be rendered", e);
        }
    }

    /** Renders with values full of JSON's special characters, each way of every {@code if}, and parses the result. */
    private void checkJson() {
        for (boolean truth : new boolean[] {true, false}) {
            String sample = "a \"quoted\" \\ back\\slash,\nnew line\tand tab \u0001 </script>";
            Map<String, Object> variables = new HashMap<>();
            for (String name : TemplateVariables.NAMES) {
                variables.put(name, truth ? sample : "");
            }
            variables.put("Success", truth);
            String rendered = render(variables);
            try {
                STRICT_JSON.readTree(rendered);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(flag + ": the payload starts like JSON but is not valid JSON once"
                        + " rendered (values are inserted escaped for a JSON string, so put them inside quotes):"
                        + " " + e.getOriginalMessage());
            }
        }
    }

    /** Go-template text → Handlebars text, refusing what the subset does not have. */
    static String translate(String flag, String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        // one entry per open {{if}}: the Handlebars blocks it opened, innermost first ({{else if}} nests one more)
        Deque<Deque<String>> open = new ArrayDeque<>();
        int pos = 0;
        while (true) {
            int start = text.indexOf("{{", pos);
            String literal = text.substring(pos, start < 0 ? text.length() : start);
            if (pos > 0) {
                literal = bracesAfterAction(out, literal);
            }
            if (start < 0) {
                out.append(literal);
                break;
            }
            appendLiteralBeforeAction(out, literal);
            int end = text.indexOf("}}", start + 2);
            if (end < 0) {
                throw new IllegalArgumentException(flag + ": unclosed action at " + where(text, start)
                        + " ('{{' without '}}')");
            }
            String action = text.substring(start + 2, end);
            pos = end + 2;
            Matcher m = ACTION.matcher(action);
            if (!m.matches()) {
                throw unsupported(flag, text, start, action);
            }
            String open_ = m.group(1) != null ? "{{~" : "{{";
            String close = m.group(3) != null ? "~}}" : "}}";
            String body = m.group(2);
            Matcher field = FIELD.matcher(body);
            Matcher ifm = IF.matcher(body);
            Matcher elseIf = ELSE_IF.matcher(body);
            if (body.startsWith("/*") && body.endsWith("*/")) {
                out.append(open_).append("!--").append(body.replace("--", "- -")).append("--").append(close);
            } else if (field.matches()) {
                out.append(open_).append(known(flag, text, start, field.group(1))).append(close);
            } else if (ifm.matches()) {
                String kind = ifm.group(1) != null ? "unless" : "if";
                out.append(open_).append('#').append(kind).append(' ')
                        .append(known(flag, text, start, ifm.group(2))).append(close);
                open.push(new ArrayDeque<>(java.util.List.of(kind)));
            } else if (elseIf.matches()) {
                if (open.isEmpty()) {
                    throw new IllegalArgumentException(flag + ": {{else if}} without {{if}} at " + where(text, start));
                }
                String kind = elseIf.group(1) != null ? "unless" : "if";
                out.append(open_).append("else").append(close).append("{{#").append(kind).append(' ')
                        .append(known(flag, text, start, elseIf.group(2))).append("}}");
                open.peek().push(kind);
            } else if (body.equals("else")) {
                if (open.isEmpty()) {
                    throw new IllegalArgumentException(flag + ": {{else}} without {{if}} at " + where(text, start));
                }
                out.append(open_).append("else").append(close);
            } else if (body.equals("end")) {
                if (open.isEmpty()) {
                    throw new IllegalArgumentException(flag + ": {{end}} without {{if}} at " + where(text, start));
                }
                Deque<String> blocks = open.pop();
                for (boolean first = true; !blocks.isEmpty(); first = false) {
                    String kind = blocks.pop();
                    out.append(first ? open_ : "{{").append('/').append(kind).append(blocks.isEmpty() ? close : "}}");
                }
            } else {
                throw unsupported(flag, text, start, action);
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException(flag + ": {{if}} without {{end}}");
        }
        return out.toString();
    }

    /** Text after an action: its leading } characters become values, the rest is returned. */
    private static String bracesAfterAction(StringBuilder out, String literal) {
        int braces = 0;
        while (braces < literal.length() && literal.charAt(braces) == '}') {
            braces++;
        }
        out.append(("{{{" + CLOSING_BRACE + "}}}").repeat(braces));
        return literal.substring(braces);
    }

    /** Text before an action; trailing backslashes would escape the action in Handlebars, so they become values. */
    private static void appendLiteralBeforeAction(StringBuilder out, String literal) {
        int keep = literal.length();
        while (keep > 0 && literal.charAt(keep - 1) == '\\') {
            keep--;
        }
        out.append(literal, 0, keep);
        out.append(("{{{" + BACKSLASH + "}}}").repeat(literal.length() - keep));
    }

    private static String known(String flag, String text, int at, String name) {
        if (!TemplateVariables.NAMES.contains(name)) {
            throw new IllegalArgumentException(flag + ": unknown variable ." + name + " at " + where(text, at)
                    + "; the variables are " + TemplateVariables.NAMES.stream().map(n -> "." + n).sorted().toList());
        }
        return name;
    }

    private static IllegalArgumentException unsupported(String flag, String text, int at, String action) {
        return new IllegalArgumentException(flag + ": '{{" + action + "}}' at " + where(text, at) + " is not"
                + " supported; templates take {{.Field}}, {{if .Field}} (or {{if not .Field}}), {{else}},"
                + " {{else if .Field}}, {{end}}, {{/* comments */}} and the {{- -}} trim markers");
    }

    /** "line L, column C" of offset {@code at}, 1-based. */
    private static String where(String text, int at) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + ", column " + (at - lineStart + 1);
    }
}
