package dev.hibachi.agent.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a flag is named off the command line, derived from its first name so that no table can drift:
 * its key in the {@code --config} file is the name without dashes ({@code --node-name} → {@code node-name}),
 * and its environment variable is {@code HIBACHI_} plus that key upper-cased with {@code -} as {@code _}
 * ({@code HIBACHI_NODE_NAME}). Two exceptions: {@code --tag}'s key is {@code tags}, as in Dkron's file
 * (so its variable is {@code HIBACHI_TAGS}), and {@code --config} has no key, since a file cannot name itself.
 *
 * @param fileKey null for {@code --config}
 */
record SettingName(String flag, String fileKey, String envVar) {
    static final String ENV_PREFIX = "HIBACHI_";

    static SettingName of(OptionSpec option) {
        String flag = option.names()[0];
        String key = flag.replaceFirst("^-+", "");
        if (key.equals("tag")) {
            key = "tags";
        }
        String env = ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
        return new SettingName(flag, key.equals("config") ? null : key, env);
    }

    /** False for --help and --version, which are actions, not settings. */
    static boolean isSetting(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }

    /**
     * Appends "Env: HIBACHI_…" to the help of every setting of {@code spec}, so the help shows the rule's
     * output rather than a hand-copied name.
     */
    static void addToHelp(CommandSpec spec) {
        for (OptionSpec option : List.copyOf(spec.options())) {
            if (!isSetting(option)) {
                continue;
            }
            List<String> lines = new ArrayList<>(Arrays.asList(option.description()));
            lines.add("Env: " + of(option).envVar());
            spec.remove(option);
            spec.addOption(option.toBuilder().description(lines.toArray(String[]::new)).build());
        }
    }
}
