package dev.hibachi.agent.cli;

/** The {@code --config} file cannot be used; the message names the file, and the key and line if there is one. */
final class ConfigFileException extends RuntimeException {
    ConfigFileException(String message) {
        super(message);
    }
}
