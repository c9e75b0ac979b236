package dev.hibachi.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Picocli asks this for each flag the command line did not give. It answers from the flag's {@code HIBACHI_*}
 * variable, else from the {@code --config} file, else not at all, and picocli falls back to the flag's own
 * default. Hence the order: flag, environment, file, default. Names come from {@link SettingName}.
 */
final class SettingSources implements IDefaultValueProvider {
    private final Map<String, String> env;
    private final Supplier<Path> configFlag;
    /** flag → where its value came from, for error messages */
    private final Map<String, String> origins = new HashMap<>();
    private Path filePath;
    private ConfigFile file;
    private ConfigFileException fileError;

    /**
     * @param env        the environment (the process's in production; a map in tests)
     * @param configFlag the {@code --config} value given on the command line, or null
     */
    SettingSources(Map<String, String> env, Supplier<Path> configFlag) {
        this.env = Map.copyOf(env);
        this.configFlag = configFlag;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !SettingName.isSetting(option)) {
            return null;
        }
        CommandLine line = option.command().commandLine();
        if (line.isUsageHelpRequested() || line.isVersionHelpRequested()) {
            return null; // help documents the built-in defaults, and works even when the file is broken
        }
        SettingName name = SettingName.of(option);
        String value = env(name.envVar());
        String origin = name.envVar();
        if (value == null && name.fileKey() != null) {
            ConfigFile f = fileForDefaults(line);
            value = f == null ? null : f.value(name.fileKey());
            origin = f == null ? null : name.fileKey() + " in " + f.path();
        }
        if (value == null) {
            origins.remove(name.flag());
            return null;
        }
        origins.put(name.flag(), origin);
        return value.replace("${", "$${"); // picocli expands ${...} in defaults; these values are literal
    }

    /** The variable or file key that gave {@code flag} its value in the last parse, if one did. */
    Optional<String> originOf(String flag) {
        return Optional.ofNullable(origins.get(flag));
    }

    /**
     * The {@code --config} file (or {@code HIBACHI_CONFIG}'s), read and checked once per path; null when there is
     * none. The command calls this after parsing, so a bad file is always refused.
     *
     * @throws ParameterException naming the file, and the key and line where there is one
     */
    ConfigFile configFile(CommandLine line) {
        Path path = configPath(line.getCommandSpec());
        if (path == null) {
            return null;
        }
        if (!path.equals(filePath)) {
            filePath = path;
            file = null;
            fileError = null;
            try {
                file = ConfigFile.load(path, shapes(line.getCommandSpec()));
            } catch (ConfigFileException e) {
                fileError = e;
            }
        }
        if (fileError != null) {
            throw new ParameterException(line, "config file " + fileError.getMessage());
        }
        return file;
    }

    /**
     * The file for a default, or null. Picocli also asks for a boolean flag's default as it meets the flag,
     * possibly before it has read {@code --config}: so the path is looked up on every call, and a bad file is
     * left to {@link #configFile} to report once parsing is done, rather than reporting a file that a later
     * {@code --config} replaces.
     */
    private ConfigFile fileForDefaults(CommandLine line) {
        try {
            return configFile(line);
        } catch (ParameterException e) {
            return null;
        }
    }

    private Path configPath(CommandSpec spec) {
        Path given = configFlag.get();
        if (given != null) {
            return given;
        }
        String fromEnv = env(SettingName.of(spec.findOption("--config")).envVar());
        return fromEnv == null ? null : Path.of(fromEnv);
    }

    private static Map<String, ConfigFile.Shape> shapes(CommandSpec spec) {
        Map<String, ConfigFile.Shape> shapes = new HashMap<>();
        for (OptionSpec option : spec.options()) {
            if (SettingName.isSetting(option) && SettingName.of(option).fileKey() != null) {
                shapes.put(SettingName.of(option).fileKey(), ConfigFile.Shape.of(option));
            }
        }
        return shapes;
    }

    /** An empty variable counts as unset, as a blank line in an env file or compose file usually means. */
    private String env(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
