package dev.hibachi.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for the tests: every line is a {@code # HELP},
 * a {@code # TYPE}, another comment or a sample; names and label names are valid; label values are quoted and
 * escaped; values are numbers; each family is typed once, before its samples, and its samples are contiguous;
 * no sample repeats; a histogram's buckets grow and end at {@code +Inf}, equal to its count. Anything else throws.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern VALUE = Pattern.compile("[+-]?(Inf|NaN|[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String type, List<Sample> samples) {
    }

    private PrometheusText() {
    }

    /** The families of {@code text} by name. */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> seenSamples = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Family current = null;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[1].equals("TYPE")) {
                    String name = parts[2];
                    String type = parts.length == 4 ? parts[3] : "";
                    require(NAME.matcher(name).matches(), n, "bad family name " + name);
                    require(TYPES.contains(type), n, "unknown type " + type);
                    require(!families.containsKey(name), n, "family typed twice: " + name);
                    if (current != null) {
                        closed.add(current.name());
                    }
                    current = new Family(name, type, new ArrayList<>());
                    families.put(name, current);
                } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                    require(NAME.matcher(parts[2]).matches(), n, "bad HELP name " + parts[2]);
                }
                continue;
            }
            Sample sample = sample(line, n);
            require(current != null && belongs(sample.name(), current), n, "sample " + sample.name()
                    + " outside its family (or before its TYPE)");
            require(!closed.contains(current.name()), n, "family " + current.name() + " is not contiguous");
            require(seenSamples.add(sample.name() + sample.labels()), n, "repeated sample " + line);
            current.samples().add(sample);
        }
        require(text.endsWith("\n"), n, "the text must end with a line feed");
        families.values().stream().filter(f -> f.type().equals("histogram")).forEach(PrometheusText::checkHistogram);
        return families;
    }

    private static boolean belongs(String sample, Family family) {
        String f = family.name();
        return switch (family.type()) {
            case "histogram" -> sample.equals(f + "_bucket") || sample.equals(f + "_sum") || sample.equals(f + "_count");
            case "summary" -> sample.equals(f) || sample.equals(f + "_sum") || sample.equals(f + "_count");
            default -> sample.equals(f);
        };
    }

    private static Sample sample(String line, int n) {
        Matcher name = NAME.matcher(line);
        require(name.lookingAt(), n, "no metric name: " + line);
        int i = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(i, line.length());
                require(label.lookingAt(), n, "bad label name at " + i + ": " + line);
                String key = label.group();
                i = label.end();
                require(line.startsWith("=\"", i), n, "label " + key + " has no quoted value: " + line);
                i += 2;
                StringBuilder value = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char e = line.charAt(i++);
                        require(e == '\\' || e == '"' || e == 'n', n, "bad escape \\" + e + ": " + line);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                i++;
                require(labels.put(key, value.toString()) == null, n, "label " + key + " twice: " + line);
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', n, "no space before the value: " + line);
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length <= 2 && VALUE.matcher(rest[0]).matches(), n, "bad value: " + line);
        if (rest.length == 2) {
            require(rest[1].matches("-?[0-9]+"), n, "bad timestamp: " + line);
        }
        double value = rest[0].endsWith("Inf") ? (rest[0].startsWith("-") ? Double.NEGATIVE_INFINITY
                : Double.POSITIVE_INFINITY) : Double.parseDouble(rest[0]);
        return new Sample(name.group(), labels, value);
    }

    /** Per label set (without {@code le}): buckets non-decreasing, the last {@code +Inf} and equal to the count. */
    private static void checkHistogram(Family family) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : family.samples()) {
            Map<String, String> key = new LinkedHashMap<>(s.labels());
            String le = key.remove("le");
            if (s.name().endsWith("_bucket")) {
                require(le != null, 0, family.name() + " bucket without le");
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name().endsWith("_count")) {
                counts.put(key, s.value());
            }
        }
        require(!buckets.isEmpty(), 0, family.name() + " has no buckets");
        buckets.forEach((labels, list) -> {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previous = 0;
            for (Sample b : list) {
                String le = b.labels().get("le");
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                require(bound > previousLe, 0, family.name() + " buckets out of order at le=" + le);
                require(b.value() >= previous, 0, family.name() + " bucket le=" + le + " below the one before");
                previousLe = bound;
                previous = b.value();
            }
            require(previousLe == Double.POSITIVE_INFINITY, 0, family.name() + " has no +Inf bucket");
            require(counts.get(labels) != null && counts.get(labels) == previous, 0, family.name()
                    + " +Inf bucket differs from its count");
        });
    }

    private static void require(boolean ok, int line, String problem) {
        if (!ok) {
            throw new IllegalArgumentException((line > 0 ? "line " + line + ": " : "") + problem);
        }
    }
}
