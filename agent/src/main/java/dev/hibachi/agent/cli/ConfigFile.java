package dev.hibachi.agent.cli;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code --config} YAML file: a map from flag names without dashes to values, plus a {@code tags:} map.
 * Each value is checked against its flag's shape and turned into the text the flag would take on the command
 * line, so picocli converts file values exactly as it converts flags.
 *
 * <p>The file is read as a node tree ({@code compose}), never into objects: text settings keep the characters
 * written ({@code node-name: no} stays {@code no}, not YAML 1.1's false), errors can cite lines, and no YAML tag
 * can instantiate a class.
 */
final class ConfigFile {

    /** What a key's value must look like. */
    enum Shape {
        BOOLEAN("true or false"),
        INTEGER("a whole number"),
        TEXT("a single value"),
        LIST("a list, e.g. [a, b]"),
        MAP("a map of key: value");

        final String expected;

        Shape(String expected) {
            this.expected = expected;
        }

        static Shape of(OptionSpec option) {
            if (option.names()[0].equals("--tag")) {
                return MAP; // Dkron's file writes tags as a map; the flag takes key=value items
            }
            Class<?> type = option.type();
            if (type == boolean.class || type == Boolean.class) {
                return BOOLEAN;
            }
            if (type == int.class || type == Integer.class) {
                return INTEGER;
            }
            if (Collection.class.isAssignableFrom(type) || type.isArray()) {
                return LIST;
            }
            return TEXT;
        }
    }

    private final Path path;
    private final Map<String, String> values;

    private ConfigFile(Path path, Map<String, String> values) {
        this.path = path;
        this.values = values;
    }

    /**
     * @param shapes every key the file may hold, with its shape
     * @throws ConfigFileException naming the file, and the key and line where there is one
     */
    static ConfigFile load(Path path, Map<String, Shape> shapes) {
        Node root;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigFileException(path + ": no such file");
        } catch (IOException e) {
            throw new ConfigFileException(path + ": cannot be read: " + e);
        } catch (MarkedYAMLException e) {
            String line = e.getProblemMark() == null ? "" : ", line " + (e.getProblemMark().getLine() + 1);
            throw new ConfigFileException(path + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigFileException(path + ": not valid YAML: " + e.getMessage());
        }
        return new ConfigFile(path, root == null ? Map.of() : read(path, root, shapes));
    }

    Path path() {
        return path;
    }

    /** The key's value as command-line text, or null when the file does not set it. */
    String value(String key) {
        return values.get(key);
    }

    private static Map<String, String> read(Path path, Node root, Map<String, Shape> shapes) {
        if (!(root instanceof MappingNode map)) {
            throw new ConfigFileException(path + ": expected a map of flag names (without dashes) to values, got "
                    + describe(root));
        }
        Map<String, String> out = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        for (NodeTuple entry : map.getValue()) {
            Node keyNode = entry.getKeyNode();
            String key = keyNode instanceof ScalarNode k ? k.getValue() : describe(keyNode);
            String where = path + ", line " + line(keyNode) + ": ";
            Shape shape = shapes.get(key);
            if (shape == null) {
                throw new ConfigFileException(where + "unknown key '" + key + "' (the keys are the flag names without"
                        + " dashes: " + String.join(", ", new TreeSet<>(shapes.keySet())) + ")");
            }
            Integer earlier = lines.put(key, line(keyNode));
            if (earlier != null) {
                throw new ConfigFileException(where + key + ": already set on line " + earlier);
            }
            String text;
            try {
                text = text(entry.getValueNode(), shape);
            } catch (Mismatch e) {
                throw new ConfigFileException(where + key + ": " + e.getMessage());
            }
            if (!text.isEmpty() || shape == Shape.TEXT) { // an empty list or map is the default already
                out.put(key, text);
            }
        }
        return Map.copyOf(out);
    }

    /** The command-line text of {@code node}. */
    private static String text(Node node, Shape shape) {
        return switch (shape) {
            case BOOLEAN -> bool(node);
            case INTEGER -> {
                String text = scalar(node, shape);
                if (!text.matches("[-+]?[0-9]{1,9}")) {
                    throw new Mismatch("expected " + shape.expected + ", got " + describe(node));
                }
                yield text;
            }
            case TEXT -> scalar(node, shape);
            case LIST -> list(node);
            case MAP -> map(node);
        };
    }

    /** The text of a scalar that has a value. */
    private static String scalar(Node node, Shape expected) {
        if (node instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) {
            return s.getValue();
        }
        throw new Mismatch("expected " + expected.expected + ", got " + describe(node));
    }

    /** YAML 1.1's spellings, as Dkron's YAML reader takes them. */
    private static String bool(Node node) {
        return switch (scalar(node, Shape.BOOLEAN).toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> "true";
            case "false", "no", "off" -> "false";
            default -> throw new Mismatch("expected " + Shape.BOOLEAN.expected + ", got " + describe(node));
        };
    }

    /** Items joined by commas, the flags' separator, so an item may not hold one. */
    private static String list(Node node) {
        if (!(node instanceof SequenceNode seq)) {
            throw new Mismatch("expected " + Shape.LIST.expected + ", got " + describe(node));
        }
        List<String> items = new ArrayList<>();
        for (Node item : seq.getValue()) {
            String text = scalar(item, Shape.TEXT);
            if (text.contains(",")) {
                throw new Mismatch("item '" + text + "' has a comma; give each address as its own item");
            }
            items.add(text);
        }
        return String.join(",", items);
    }

    /** key=value items joined by commas, as {@code --tag} takes them. */
    private static String map(Node node) {
        if (!(node instanceof MappingNode map)) {
            throw new Mismatch("expected " + Shape.MAP.expected + ", got " + describe(node));
        }
        Map<String, String> items = new LinkedHashMap<>();
        for (NodeTuple entry : map.getValue()) {
            String key = scalar(entry.getKeyNode(), Shape.TEXT);
            String value = scalar(entry.getValueNode(), Shape.TEXT);
            if (key.isEmpty() || key.contains("=") || key.contains(",")) {
                throw new Mismatch("'" + key + "' cannot be a tag name (it must be non-empty, without = or ,)");
            }
            if (value.contains(",")) {
                throw new Mismatch(key + ": a tag value cannot hold a comma");
            }
            if (items.put(key, value) != null) {
                throw new Mismatch(key + ": set twice");
            }
        }
        List<String> pairs = new ArrayList<>();
        items.forEach((k, v) -> pairs.add(k + "=" + v));
        return String.join(",", pairs);
    }

    private static String describe(Node node) {
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof MappingNode) {
            return "a map";
        }
        ScalarNode s = (ScalarNode) node;
        return s.getTag().equals(Tag.NULL) ? "no value" : "'" + s.getValue() + "'";
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** A value not of its key's shape; the message says what was expected and what was found. */
    private static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message, null, false, false);
        }
    }
}
