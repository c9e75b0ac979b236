package dev.hibachi.agent.cli;

import dev.hibachi.agent.cluster.GossipKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.security.SecureRandom;
import java.util.concurrent.Callable;

/**
 * {@code hibachi keygen}: prints a fresh key for {@code --encrypt}, as {@code dkron keygen} does (16 random bytes in
 * base64). The key is only printed: nothing is stored, and the same key must then be given to every agent.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Prints a new random key for hibachi agent --encrypt (base64). Give the same key to every"
                + " agent of the cluster."})
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--bytes", paramLabel = "<n>", defaultValue = "" + GossipKey.DEFAULT_SIZE,
            description = {"Key size in bytes: 16, 24 or 32.", "Default: ${DEFAULT-VALUE} (as dkron keygen)."})
    int bytes;

    @Spec
    CommandSpec spec;

    private final SecureRandom random;

    KeygenCommand(SecureRandom random) {
        this.random = random;
    }

    @Override
    public Integer call() {
        if (!GossipKey.SIZES.contains(bytes)) {
            throw new ParameterException(spec.commandLine(), "--bytes: '" + bytes + "' must be 16, 24 or 32",
                    spec.findOption("--bytes"), String.valueOf(bytes));
        }
        spec.commandLine().getOut().println(GossipKey.generate(bytes, random).base64());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
