package dev.hibachi.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hibachi.store.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code hibachi jobs export DIR}: writes every job of the cluster as its own definition file,
 * {@code DIR/<name>.yaml} (or {@code .json}), for {@code hibachi jobs apply} to read back. The files hold the
 * definition fields only ({@link JobDefinition}), in a fixed key order with maps sorted, so the same jobs always
 * give the same bytes and a directory kept in git changes only where a job did. A file whose bytes would not change
 * is not rewritten. Each file is read back before it is written, and must give the same definition.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Writes every job of the cluster to DIR, one definition file per job (<name>.yaml, or"
                + " <name>.json with --format json), as hibachi jobs apply reads them: the definition only, without"
                + " counters or status, in a stable order, so the directory can be kept in git."})
final class JobsExportCommand implements Callable<Integer> {
    enum Format {
        YAML("yaml"), JSON("json");

        final String extension;

        Format(String extension) {
            this.extension = extension;
        }
    }

    private static final ObjectMapper YAML_WRITER = Json.withSettings(YAMLMapper.builder(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build())).build();
    private static final ObjectMapper JSON_WRITER = Json.withSettings(JsonMapper.builder())
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    @Mixin
    AgentAddress agent;

    @Parameters(index = "0", paramLabel = "DIR", description = "Where to write the files; created if missing.")
    Path dir;

    @Option(names = "--format", paramLabel = "<format>", description = "yaml (the default) or json.")
    Format format = Format.YAML;

    @Spec
    CommandSpec spec;

    JobsExportCommand(Map<String, String> env) {
        agent = new AgentAddress(env);
    }

    @Override
    public Integer call() throws ApiCallFailed {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<JobDefinition> jobs = new ArrayList<>();
        for (JsonNode job : JobListing.all(new ApiClient(agent.uri()))) {
            jobs.add(JobDefinition.ofAnswer(job));
        }
        int written = 0;
        Set<String> names = new HashSet<>();
        try {
            Files.createDirectories(dir);
            for (JobDefinition job : jobs) {
                names.add(job.name());
                if (write(job)) {
                    written++;
                }
            }
            for (Path stale : stale(names)) {
                err.println("Warning: " + stale + " is named after no job of the cluster; left as it is (delete it,"
                        + " or applying the directory creates that job again)");
            }
        } catch (IOException | UncheckedIOException e) {
            err.println(spec.commandLine().getColorScheme().errorText("Error: cannot write to " + dir + ": "
                    + e.getMessage()));
            err.flush();
            return 1;
        }
        err.flush();
        out.println("Exported " + jobs.size() + " job" + (jobs.size() == 1 ? "" : "s") + " to " + dir + " ("
                + written + " written, " + (jobs.size() - written) + " unchanged).");
        out.flush();
        return 0;
    }

    /** Writes one job's file unless it already holds these bytes; true when it wrote. */
    private boolean write(JobDefinition job) throws IOException {
        String name = job.name();
        if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            throw new IOException("job name \"" + name + "\" cannot be a file name");
        }
        byte[] bytes = render(job);
        Path file = dir.resolve(name + "." + format.extension);
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return false;
        }
        // Hidden, so that apply never reads one left behind; with the format's extension, to be read back as such.
        Path temporary = dir.resolve(".tmp-" + name + "." + format.extension);
        Files.write(temporary, bytes);
        try {
            checkReadsBack(temporary, job);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return true;
    }

    private byte[] render(JobDefinition job) throws JsonProcessingException {
        String text = (format == Format.YAML ? YAML_WRITER : JSON_WRITER).writeValueAsString(job.fields());
        return (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The written file, read as apply reads it, gives the job's definition again: else it is this command's bug. */
    private void checkReadsBack(Path file, JobDefinition job) throws IOException {
        List<JobFiles.Defined> read;
        try {
            read = JobFiles.readFile(file);
        } catch (JobDefinitionException e) {
            throw new IOException("the file written for job " + job.name() + " does not read back: " + e.getMessage());
        }
        if (read.size() != 1 || !read.get(0).definition().equals(job)) {
            throw new IOException("the file written for job " + job.name() + " reads back as another definition: "
                    + (read.isEmpty() ? "none" : read.get(0).definition()) + " instead of " + job);
        }
    }

    /** Files of this format in DIR (not below) named after no job of the cluster. */
    private List<Path> stale(Set<String> names) throws IOException {
        String suffix = "." + format.extension;
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return Files.isRegularFile(f) && !n.startsWith(".") && n.endsWith(suffix)
                        && !names.contains(n.substring(0, n.length() - suffix.length()));
            }).sorted().toList();
        }
    }
}
