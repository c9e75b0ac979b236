package dev.hibachi.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;

/**
 * Prints a bad flag, variable or config file as one line, plus where the value came from when it was not
 * typed, instead of picocli's full usage after it: the agent has some twenty flags, and the error would
 * scroll away above them. Exit code 2, picocli's for invalid input.
 */
final class UsageErrors implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        PrintWriter err = line.getErr();
        err.println(line.getColorScheme().errorText(ex.getMessage() + origin(ex)));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + line.getCommandSpec().qualifiedName() + " --help' for its flags.");
        err.flush();
        return line.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** " (from HIBACHI_X)" or " (from key in file)" when the bad value came from there. */
    private static String origin(ParameterException ex) {
        if (!(ex.getArgSpec() instanceof OptionSpec option)
                || !(ex.getCommandLine().getCommandSpec().defaultValueProvider() instanceof SettingSources sources)) {
            return "";
        }
        ParseResult parsed = ex.getCommandLine().getParseResult();
        if (parsed != null && parsed.hasMatchedOption(option)) {
            return ""; // typed on the command line
        }
        return sources.originOf(option.names()[0]).map(o -> " (from " + o + ")").orElse("");
    }
}
