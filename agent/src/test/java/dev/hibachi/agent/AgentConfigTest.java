package dev.hibachi.agent;

import dev.hibachi.agent.AgentConfig.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1:9000       | 10.0.0.1    | 9000",
            "10.0.0.1            | 10.0.0.1    | 8946",
            "web-1.example.com   | web-1.example.com | 8946",
            "' host:80 '         | host        | 80",
            ":8080               | 0.0.0.0     | 8080",
            "[::1]:9000          | [::1]       | 9000",
            "[::]                | [::]        | 8946",
            "[fe80::1%eth0]:7    | [fe80::1%eth0] | 7",
            "host:65535          | host        | 65535"})
    void parsesHostAndPort(String text, String host, int port) {
        assertThat(HostPort.parse(text, 8946)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', value = {
            "''                  | an address is empty",
            "host:               | 'host:' has no valid port",
            "host:0              | 'host:0' has no valid port",
            "host:65536          | 'host:65536' has no valid port",
            "host:http           | 'host:http' has no valid port",
            "::1                 | '::1' needs brackets around its IPv6 address",
            "fe80::1:8946        | 'fe80::1:8946' needs brackets",
            "http://host:80      | 'http://host:80' is not host[:port]",
            "a b:80              | 'a b:80' is not host[:port]",
            "[::1]x              | '[::1]x' is not host[:port]",
            "user@host           | 'user@host' is not host[:port]"})
    void refusesWhatIsNotHostAndPort(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text, 8946))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void anyAddressIsRecognised() {
        assertThat(HostPort.parse(":1", 1).isAnyAddress()).isTrue();
        assertThat(HostPort.parse("[::]:1", 1).isAnyAddress()).isTrue();
        assertThat(HostPort.parse("127.0.0.1:1", 1).isAnyAddress()).isFalse();
    }

    @Test
    void devIsASingleServerOnLoopbackWithDkronsDefaults() {
        AgentConfig c = AgentConfig.dev("n1", Path.of("/tmp/d"), 8081, 6869);

        assertThat(c.nodeName()).isEqualTo("n1");
        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(1);
        assertThat(c.bindAddr()).isEqualTo(new HostPort("127.0.0.1", 8946));
        assertThat(c.advertiseAddr()).isEqualTo(c.bindAddr());
        assertThat(c.httpAddr()).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(c.rpcPort()).isEqualTo(6869);
        assertThat(c.join()).isEmpty();
        assertThat(c.retryJoin()).isEmpty();
        assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.retryMax()).isZero();
        assertThat(c.reconnectTimeout()).isEqualTo(Duration.ofHours(24));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.killGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.executionsKept()).isEqualTo(100);
    }

    @Test
    void withMethodsChangeOneFieldAndKeepTheRest() {
        AgentConfig base = AgentConfig.dev("n1", Path.of("/tmp/d"), 8081, 6869).toBuilder()
                .join(List.of("a:8946")).retryMax(3).build();

        assertThat(base.withTags(Map.of("role", "web")))
                .isEqualTo(base.toBuilder().tags(Map.of("role", "web")).build());
        assertThat(base.withShutdownGrace(Duration.ZERO).shutdownGrace()).isZero();
        assertThat(base.withShutdownGrace(Duration.ZERO).withShutdownGrace(base.shutdownGrace())).isEqualTo(base);
        assertThat(base.withKillGrace(Duration.ofSeconds(1)).killGrace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(base.withKillGrace(Duration.ofSeconds(1)).withKillGrace(base.killGrace())).isEqualTo(base);
        assertThat(base.withExecutionsKept(5).executionsKept()).isEqualTo(5);
        assertThat(base.withExecutionsKept(5).retryMax()).isEqualTo(3);
        assertThat(base.toBuilder().build()).isEqualTo(base);
    }

    @Test
    void collectionsAreCopiedAndUnmodifiable() {
        List<String> join = new ArrayList<>(List.of("a:8946"));
        AgentConfig c = AgentConfig.dev("n1", Path.of("/tmp/d"), 8081, 6869).toBuilder().join(join).build();
        join.add("b:8946");

        assertThat(c.join()).containsExactly("a:8946");
        assertThatThrownBy(() -> c.join().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }
}
