package dev.hibachi.agent.exec;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into argv following POSIX shell quoting rules, without running a shell
 * (Dkron's {@code shell: false}, which uses go-shellwords).
 *
 * <ul>
 *   <li>Unquoted blanks (space, tab, newline, CR) separate words.
 *   <li>{@code \} outside quotes makes the next character literal; backslash-newline is removed
 *       (line continuation); a trailing backslash is kept literally.
 *   <li>{@code '...'}: everything literal up to the next {@code '}.
 *   <li>{@code "..."}: literal except that {@code \} escapes {@code $ ` " \} and newline (removed);
 *       before any other character the backslash is kept.
 *   <li>Quotes may be joined to other text ({@code a"b c"d} is one word {@code ab cd}); an empty
 *       quoted string ({@code ''} or {@code ""}) is an empty word.
 * </ul>
 *
 * <p>No expansion of any kind is performed: {@code $VAR}, {@code ~}, globs, {@code ;}, {@code |},
 * {@code &}, {@code <} and {@code >} are ordinary characters. Use {@code shell: true} for those.
 */
public final class ShellWords {

    private ShellWords() {}

    /**
     * Splits {@code line} into words.
     *
     * @throws IllegalArgumentException on an unterminated quote; the message says which and where
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int n = line.length();
        int i = 0;
        while (i < n) {
            char c = line.charAt(i);
            switch (c) {
                case ' ', '\t', '\n', '\r' -> {
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                    i++;
                }
                case '\\' -> {
                    if (i + 1 >= n) {
                        word.append('\\');
                        inWord = true;
                        i++;
                    } else if (line.charAt(i + 1) == '\n') {
                        i += 2; // line continuation
                    } else {
                        word.append(line.charAt(i + 1));
                        inWord = true;
                        i += 2;
                    }
                }
                case '\'' -> {
                    int close = line.indexOf('\'', i + 1);
                    if (close < 0) {
                        throw new IllegalArgumentException(
                                "unterminated single quote at position " + (i + 1));
                    }
                    word.append(line, i + 1, close);
                    inWord = true;
                    i = close + 1;
                }
                case '"' -> {
                    int open = i;
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char d = line.charAt(i);
                        if (d == '"') {
                            closed = true;
                            i++;
                            break;
                        }
                        if (d == '\\' && i + 1 < n) {
                            char e = line.charAt(i + 1);
                            if (e == '$' || e == '`' || e == '"' || e == '\\') {
                                word.append(e);
                                i += 2;
                                continue;
                            }
                            if (e == '\n') {
                                i += 2;
                                continue;
                            }
                        }
                        word.append(d);
                        i++;
                    }
                    if (!closed) {
                        throw new IllegalArgumentException(
                                "unterminated double quote at position " + (open + 1));
                    }
                    inWord = true;
                }
                default -> {
                    word.append(c);
                    inWord = true;
                    i++;
                }
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
