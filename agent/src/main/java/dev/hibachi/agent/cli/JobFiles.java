package dev.hibachi.agent.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hibachi.store.json.Json;
import dev.hibachi.store.model.Job;
import dev.hibachi.store.model.JobValidator;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Job definitions kept as files: {@code .json}, {@code .yaml} or {@code .yml}, each holding one job (an object)
 * or a list of jobs; a YAML file may hold several documents. A directory is read recursively, in path order,
 * without its hidden files and directories ({@code .git}). A job is read exactly as {@code POST /v1/jobs} reads
 * it, with the store's {@link Job} record and JSON settings (a field the job does not have is an error, as at the
 * API), then checked as the store checks it. Every error names its file, and its line and column where there is
 * one; the first error stops the reading, so that nothing is applied from a set with a mistake in it.
 */
final class JobFiles {
    /** One job as a file defines it, and where. */
    record Defined(JobDefinition definition, Path file, int line) {
        String where() {
            return file + ", line " + line;
        }
    }

    private static final ObjectMapper JSON = Json.withSettings(JsonMapper.builder())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper YAML = Json.withSettings(YAMLMapper.builder())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JobFiles() {
    }

    /** Every job that {@code paths} (files or directories) define, in path order; a name defined twice fails. */
    static List<Defined> read(List<Path> paths) throws JobDefinitionException {
        Map<String, Defined> byName = new LinkedHashMap<>();
        for (Path file : files(paths)) {
            for (Defined d : readFile(file)) {
                Defined earlier = byName.putIfAbsent(d.definition().name(), d);
                if (earlier != null) {
                    throw new JobDefinitionException("job \"" + d.definition().name() + "\" is defined twice: in "
                            + earlier.where() + " and in " + d.where());
                }
            }
        }
        return List.copyOf(byName.values());
    }

    /** The definition files among {@code paths}: files as given, directories walked; each file once. */
    static List<Path> files(List<Path> paths) throws JobDefinitionException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                files.addAll(walk(path));
            } else if (Files.isRegularFile(path)) {
                if (!isDefinitionFile(path)) {
                    throw new JobDefinitionException(path + ": not a job file (expected .json, .yaml or .yml)");
                }
                files.add(path);
            } else {
                throw new JobDefinitionException(path + ": no such file or directory");
            }
        }
        return files.stream().map(Path::normalize).distinct().toList();
    }

    private static List<Path> walk(Path dir) throws JobDefinitionException {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return !d.equals(dir) && hidden(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !hidden(f) && isDefinitionFile(f)) {
                        found.add(f);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new JobDefinitionException(dir + ": cannot be read: " + e.getMessage());
        }
        found.sort(null);
        return found;
    }

    private static boolean hidden(Path p) {
        return p.getFileName() != null && p.getFileName().toString().startsWith(".");
    }

    static boolean isDefinitionFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean isJson(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /** The jobs of one file, in their order there. */
    static List<Defined> readFile(Path file) throws JobDefinitionException {
        ObjectMapper mapper = isJson(file) ? JSON : YAML;
        List<Defined> jobs = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(file.toFile())) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t == JsonToken.START_ARRAY) {
                    for (t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                        jobs.add(job(mapper, parser, file));
                    }
                } else if (t != JsonToken.VALUE_NULL) { // an empty YAML document
                    jobs.add(job(mapper, parser, file));
                }
            }
        } catch (NoSuchFileException e) {
            throw new JobDefinitionException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new JobDefinitionException(at(file, e.getLocation()) + problem(e, isJson(file) ? "JSON" : "YAML"));
        } catch (IOException e) {
            throw new JobDefinitionException(file + ": cannot be read: " + e.getMessage());
        }
        return jobs;
    }

    /** The job the parser is at (an object), checked as the store checks a new job. */
    private static Defined job(ObjectMapper mapper, JsonParser parser, Path file)
            throws IOException, JobDefinitionException {
        JsonLocation start = parser.currentTokenLocation();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new JobDefinitionException(at(file, start) + "expected a job (an object with a name, a schedule,"
                    + " ...) or a list of jobs, not " + describe(parser.currentToken()));
        }
        // The object is copied field by field, each field's place noted, because the record's deserializer only
        // finds an unknown or mistyped field at the end of the object: the error then points at the field itself.
        Map<String, JsonLocation> places = new LinkedHashMap<>();
        TokenBuffer copy = new TokenBuffer(parser);
        copy.writeStartObject();
        for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
            places.putIfAbsent(parser.currentName(), parser.currentTokenLocation());
            copy.writeFieldName(parser.currentName());
            parser.nextToken();
            copy.copyCurrentStructure(parser);
        }
        copy.writeEndObject();
        Job job;
        try (JsonParser fields = copy.asParserOnFirstToken()) {
            job = mapper.readValue(fields, Job.class);
        } catch (JsonProcessingException e) {
            String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : null;
            throw new JobDefinitionException(at(file, field != null && places.containsKey(field) ? places.get(field)
                    : start) + problem(e, isJson(file) ? "JSON" : "YAML"));
        }
        try {
            // The cluster's default zone is not known here; a zone only matters to the schedule's instants.
            JobValidator.validate(job, ZoneOffset.UTC);
        } catch (JobValidator.InvalidJobException e) {
            String name = job.name() == null || job.name().isEmpty() ? "" : "job \"" + job.name() + "\": ";
            throw new JobDefinitionException(at(file, start) + name + e.getMessage());
        }
        return new Defined(JobDefinition.of(job), file, start.getLineNr());
    }

    private static String at(Path file, JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? file + ": "
                : file + ", line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
    }

    /** What is wrong, in the API's words where it has them. */
    private static String problem(JsonProcessingException e, String format) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field \"" + u.getPropertyName() + "\"";
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            return "field \"" + field + "\" has the wrong type: " + e.getOriginalMessage();
        }
        return "not valid " + format + ": " + e.getOriginalMessage();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_ARRAY -> "a list in a list";
            default -> String.valueOf(t);
        };
    }
}
