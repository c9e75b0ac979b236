package dev.hibachi.agent.cli;

import dev.hibachi.agent.AgentConfig;
import dev.hibachi.agent.cluster.GossipKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hibachi keygen} prints what {@code dkron keygen} prints, and {@code --encrypt} takes it. */
class KeygenCommandTest {

    private static String keygen(String... args) {
        TestCli cli = new TestCli();
        String[] all = new String[args.length + 1];
        all[0] = "keygen";
        System.arraycopy(args, 0, all, 1, args.length);
        assertThat(cli.run(all)).isZero();
        assertThat(cli.err()).isEmpty();
        assertThat(cli.out()).endsWith("\n").hasLineCount(1);
        return cli.out().strip();
    }

    @Test
    void printsSixteenRandomBytesInBase64AsDkronDoes() {
        String key = keygen();

        assertThat(key).hasSize(24).matches("[A-Za-z0-9+/]{22}==");
        assertThat(Base64.getDecoder().decode(key)).hasSize(16);
        assertThat(keygen()).isNotEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource({"16, 24", "24, 32", "32, 44"})
    void bytesChoosesTheSize(int bytes, int chars) {
        String key = keygen("--bytes", String.valueOf(bytes));

        assertThat(key).hasSize(chars);
        assertThat(Base64.getDecoder().decode(key)).hasSize(bytes);
    }

    @Test
    void theAgentTakesThePrintedKey() {
        String key = keygen();

        AgentConfig config = new TestCli().config("--dev", "--encrypt", key);

        assertThat(config.encrypt()).contains(GossipKey.parse(key));
        assertThat(config.encrypt().orElseThrow().base64()).isEqualTo(key);
    }

    @Test
    void anotherSizeIsAUsageError() {
        TestCli cli = new TestCli();

        assertThat(cli.run("keygen", "--bytes", "20")).isEqualTo(2);
        assertThat(cli.err()).contains("--bytes: '20' must be 16, 24 or 32").contains("hibachi keygen --help");
        assertThat(cli.out()).isEmpty();
    }
}
