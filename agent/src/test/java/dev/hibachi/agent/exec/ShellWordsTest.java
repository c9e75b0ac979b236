package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsOnBlanks() {
        assertThat(ShellWords.split("  echo   hello\tworld \n")).containsExactly("echo", "hello", "world");
        assertThat(ShellWords.split("")).isEmpty();
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    @Test
    void singleQuotesAreLiteral() {
        assertThat(ShellWords.split("echo 'a  b' 'c\\d' '$HOME' 'x\"y'"))
                .containsExactly("echo", "a  b", "c\\d", "$HOME", "x\"y");
    }

    @Test
    void doubleQuotesEscapeOnlySpecialCharacters() {
        assertThat(ShellWords.split("echo \"a  b\" \"q\\\"q\" \"back\\\\slash\" \"\\$x\" \"\\n\" \"it's\""))
                .containsExactly("echo", "a  b", "q\"q", "back\\slash", "$x", "\\n", "it's");
    }

    @Test
    void backslashOutsideQuotes() {
        assertThat(ShellWords.split("a\\ b c\\'d e\\\"f g\\\\h")).containsExactly("a b", "c'd", "e\"f", "g\\h");
        assertThat(ShellWords.split("one \\\ntwo")).containsExactly("one", "two");
        assertThat(ShellWords.split("trailing\\")).containsExactly("trailing\\");
    }

    @Test
    void quotesJoinWithAdjacentText() {
        assertThat(ShellWords.split("a\"b c\"d'e f'g")).containsExactly("ab cde fg");
        assertThat(ShellWords.split("--opt=\"x y\"")).containsExactly("--opt=x y");
    }

    @Test
    void emptyQuotesAreEmptyWords() {
        assertThat(ShellWords.split("cmd '' \"\" x")).containsExactly("cmd", "", "", "x");
    }

    @Test
    void noExpansionOrOperators() {
        assertThat(ShellWords.split("echo $HOME ~ *.txt a|b c;d > e"))
                .containsExactly("echo", "$HOME", "~", "*.txt", "a|b", "c;d", ">", "e");
    }

    @Test
    void unicodeIsKept() {
        assertThat(ShellWords.split("echo 'héllo wörld' 日本")).containsExactly("echo", "héllo wörld", "日本");
    }

    @Test
    void unterminatedQuotesAreErrors() {
        assertThatThrownBy(() -> ShellWords.split("echo 'abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unterminated single quote at position 6");
        assertThatThrownBy(() -> ShellWords.split("echo \"abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unterminated double quote");
        assertThatThrownBy(() -> ShellWords.split("echo \"abc\\\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unterminated double quote");
    }
}
