package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The http executor against real servers on loopback: the JDK's HttpServer, and a raw socket that hangs. */
@Timeout(120)
class HttpExecutorTest {

    private static final long BIG_BODY = 50L * 1024 * 1024;
    private static final String BIG_END = "THE-END";

    private final HttpExecutor executor = new HttpExecutor();
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private HttpServer server;
    private String base;
    private HangingServer hanging;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/echo", this::echo);
        server.createContext("/big", HttpExecutorTest::big);
        server.createContext("/as", ex -> {
            byte[] as = new byte[OutputBuffer.DEFAULT_CAPACITY];
            Arrays.fill(as, (byte) 'a');
            ex.sendResponseHeaders(200, as.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(as);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServers() throws IOException {
        server.stop(0);
        if (hanging != null) {
            hanging.close();
        }
        serverThreads.shutdownNow();
    }

    /** Answers with what it got; {@code ?status=N} sets the status. */
    private void echo(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String query = ex.getRequestURI().getQuery();
        int status = query != null && query.startsWith("status=") ? Integer.parseInt(query.substring(7)) : 200;
        String text = "method=" + ex.getRequestMethod()
                + "\nbody=" + new String(body, StandardCharsets.UTF_8)
                + "\nx-one=" + ex.getRequestHeaders().get("X-One")
                + "\nx-two=" + ex.getRequestHeaders().get("X-Two")
                + "\ncontent-type=" + ex.getRequestHeaders().getFirst("Content-Type") + "\n";
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    /** 50 MB, chunked, ending with {@link #BIG_END}. */
    private static void big(HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        ex.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        try (OutputStream os = ex.getResponseBody()) {
            long left = BIG_BODY - BIG_END.length();
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                os.write(chunk, 0, n);
                left -= n;
            }
            os.write(BIG_END.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private RunningExecution start(Map<String, String> config) {
        return executor.start(new ExecutionRequest("web", config, 1, 1, null, null));
    }

    private ExecutionResult run(Map<String, String> config) throws Exception {
        return start(config).completion().get(60, TimeUnit.SECONDS);
    }

    private static Map<String, String> config(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---- request ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"})
    void eachMethodIsSentWithItsBody(String method) throws Exception {
        ExecutionResult r = run(config("url", base + "/echo", "method", method, "body", "hello ünïcode"));

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.output()).contains("method=" + method + "\n", "body=hello ünïcode\n");
        assertThat(r.outputTruncated()).isFalse();
    }

    @Test
    void withoutAMethodItIsAGetWithoutBody() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo"));

        assertThat(r.success()).isTrue();
        assertThat(r.output()).startsWith("method=GET\nbody=\n");
    }

    @Test
    void headersArriveAndTheLastOfARepeatedNameWins() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo", "method", "POST", "body", "{}",
                "headers", "[\"X-One: first\", \"Content-Type: application/json\", \"X-Two: a:b: c\", \"\", "
                        + "\"X-One:  second \"]"));

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).contains("x-one=[second]\n", "x-two=[a:b: c]\n", "content-type=application/json\n");
    }

    // ---- expectCode and expectBody ----------------------------------------------------------------------

    @Test
    void withoutExpectCodeAnyStatusIsASuccessEvenA500() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo?status=500"));

        assertThat(r.success()).isTrue();
        assertThat(r.exitCode()).isEqualTo(500);
        assertThat(r.output()).startsWith("method=GET").doesNotContain("[hibachi:");
    }

    @Test
    void aStatusInExpectCodePasses() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo?status=201", "expectCode", "200, 201,204"));

        assertThat(r.success()).isTrue();
        assertThat(r.exitCode()).isEqualTo(201);
    }

    @Test
    void aStatusNotInExpectCodeFailsAndSaysWhichKeepingTheBody() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo?status=200", "expectCode", "404, 201"));

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.output()).startsWith("method=GET\n")
                .endsWith("\n[hibachi: response status 200 is not in expectCode 404, 201]\n");
    }

    @Test
    void aBodyMatchingExpectBodyPassesWithGoSyntax() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo", "method", "PUT", "expectBody", "method=(?P<m>PUT)\\s"));

        assertThat(r.success()).as(r.output()).isTrue();
    }

    @Test
    void aBodyNotMatchingExpectBodyFailsAndBothFailedChecksAreNamed() throws Exception {
        ExecutionResult r = run(config("url", base + "/echo?status=503", "expectCode", "200",
                "expectBody", "^ok$"));

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(503);
        assertThat(r.output()).endsWith("[hibachi: response status 503 is not in expectCode 200]\n"
                + "[hibachi: response body does not match expectBody ^ok$]\n");
    }

    // ---- size -------------------------------------------------------------------------------------------

    @Test
    void aFiftyMegabyteBodyKeepsOnlyItsTailAndExpectBodyIsMatchedAgainstThatTail() throws Exception {
        OutputBuffer out = new OutputBuffer();
        long t0 = System.nanoTime();
        ExecutionResult r = executor.start(new ExecutionRequest("web", config("url", base + "/big",
                "expectBody", "a{10}" + BIG_END + "$"), 1, 1, out, null)).completion().get(60, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("50 MB body streamed in %d ms (%.0f MB/s)%n", millis, 50_000.0 / Math.max(1, millis));

        assertThat(r.success()).as(r.output().substring(0, 200)).isTrue();
        assertThat(r.outputTruncated()).isTrue();
        assertThat(out.totalBytes()).isEqualTo(BIG_BODY);
        assertThat(r.output()).startsWith("[hibachi: output truncated, " + (BIG_BODY - OutputBuffer.DEFAULT_CAPACITY)
                + " earlier bytes dropped]").endsWith("aaaa" + BIG_END);
        assertThat(r.output().length()).isLessThan(OutputBuffer.DEFAULT_CAPACITY + 100);
    }

    @Test
    void expectBodyOnATruncatedBodySaysItSawOnlyTheTail() throws Exception {
        ExecutionResult r = run(config("url", base + "/big", "expectBody", "^THE-START"));

        assertThat(r.success()).isFalse();
        assertThat(r.output()).endsWith("[hibachi: response body does not match expectBody ^THE-START (matched "
                + "against its last " + OutputBuffer.DEFAULT_CAPACITY + " bytes)]\n");
    }

    @Test
    void theTimeoutAlsoEndsALongExpectBodyMatch() throws Exception {
        // RE2 is linear, but a{1000} over 256,000 bytes still takes seconds (about 6 s here on one core).
        long t0 = System.nanoTime();
        ExecutionResult r = run(config("url", base + "/as", "timeout", "1", "expectBody", "a{1000}b"));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.output()).endsWith("a\n[hibachi: job timed out after 1s; the request was cancelled]\n");
        assertThat(took).isLessThan(Duration.ofSeconds(4));
        // And the match itself stops: no thread is left matching for the seconds it would otherwise take.
        await().atMost(Duration.ofSeconds(2)).until(() -> Thread.getAllStackTraces().values().stream()
                .noneMatch(stack -> Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith("com.google.re2j"))));
    }

    // ---- timeout, kill, transport errors ----------------------------------------------------------------

    @Test
    void theTimeoutFailsARequestTheServerNeverAnswersAndClosesTheConnection() throws Exception {
        hanging = new HangingServer(null);
        long t0 = System.nanoTime();
        ExecutionResult r = run(config("url", hanging.url(), "timeout", "1"));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).isEqualTo("[hibachi: job timed out after 1s; the request was cancelled]\n");
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        assertThat(hanging.requestSeen.getCount()).isZero();
        assertThat(hanging.closedByClient.await(10, TimeUnit.SECONDS)).as("connection closed by the client").isTrue();
    }

    @Test
    void theTimeoutCoversTheBodyTooAndKeepsWhatArrived() throws Exception {
        hanging = new HangingServer("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial body");
        ExecutionResult r = run(config("url", hanging.url(), "timeout", "1"));

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.output()).isEqualTo("partial body\n[hibachi: job timed out after 1s; the request was cancelled]\n");
        assertThat(hanging.closedByClient.await(10, TimeUnit.SECONDS)).as("connection closed by the client").isTrue();
    }

    @Test
    void killCancelsAHangingRequestAtOnceAndALaterKillChangesNothing() throws Exception {
        hanging = new HangingServer(null);
        RunningExecution run = start(config("url", hanging.url(), "timeout", "0"));
        assertThat(hanging.requestSeen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.completion()).isNotDone();

        run.kill("asked by test", Duration.ofSeconds(30));
        ExecutionResult r = run.completion().get(5, TimeUnit.SECONDS);

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).isEqualTo("[hibachi: job killed: asked by test]\n");
        assertThat(run.processGroup()).isEmpty();
        assertThat(hanging.closedByClient.await(10, TimeUnit.SECONDS)).as("connection closed by the client").isTrue();
        run.kill("again", Duration.ZERO);
        assertThat(run.completion().get()).isSameAs(r);
    }

    @Test
    void aRefusedConnectionFailsWithTheTransportError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ExecutionResult r = run(config("url", "http://127.0.0.1:" + port + "/", "timeout", "10"));

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).isEqualTo("[hibachi: request failed: GET http://127.0.0.1:" + port + "/: "
                + "ConnectException: cannot connect (refused, unreachable or reset)]\n");
    }

    // ---- debug ------------------------------------------------------------------------------------------

    @Test
    void debugLogsTheRequestAndTheResponseAtInfo() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(HttpRun.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        try {
            ExecutionResult r = run(config("url", base + "/echo?status=202", "method", "POST", "body", "ping",
                    "headers", "[\"X-One: 1\"]", "debug", "yes"));
            assertThat(r.success()).isTrue();
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m ->
                    assertThat(m).contains("request POST " + base + "/echo?status=202", "X-One", "body ping"));
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m ->
                    assertThat(m).contains("response HTTP_1_1 202"));
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m ->
                    assertThat(m).contains("response body (", "method=POST"));

            seen.list.clear();
            assertThat(run(config("url", base + "/echo", "debug", "false")).success()).isTrue();
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("request GET"));
        } finally {
            logger.detachAppender(seen);
            logger.setLevel(before);
        }
    }

    // ---- validation -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no url                 | url                   | ",
        "relative url           | url                   | url=/just/a/path",
        "ftp url                | url                   | url=ftp://example.com/x",
        "url with a space       | url                   | url=http://exa mple.com/",
        "url without host       | url                   | url=http:///x",
        "method with a space    | method                | method=GE T",
        "method CONNECT         | method                | method=CONNECT",
        "headers not JSON       | headers               | headers=[\"X-A: 1\"",
        "headers not an array   | headers               | headers={\"X-A\":\"1\"}",
        "header not a string    | headers               | headers=[1]",
        "header without colon   | headers               | headers=[\"X-A 1\"]",
        "restricted header      | headers               | headers=[\"Host: example.com\"]",
        "header name with space | headers               | headers=[\"X A: 1\"]",
        "timeout not a number   | timeout               | timeout=30s",
        "timeout negative       | timeout               | timeout=-1",
        "expectCode word        | expectCode            | expectCode=200,ok",
        "expectCode too small   | expectCode            | expectCode=42",
        "expectCode only commas | expectCode            | expectCode=,,",
        "expectBody bad regexp  | expectBody            | expectBody=(unclosed",
        "expectBody lookahead   | expectBody            | expectBody=a(?=b)",
        "noVerify not a bool    | tlsNoVerifyPeer       | tlsNoVerifyPeer=yes please",
        "cert without key       | tlsCertificateKeyFile | tlsCertificateFile=/tmp/c.pem",
        "key without cert       | tlsCertificateFile    | tlsCertificateKeyFile=/tmp/k.pem",
        "path with NUL          | tlsRootCAsFile        | tlsRootCAsFile=/tmp/a\u0000b",
    })
    void badValuesAreRefusedNamingTheKey(String what, String key, String setting) {
        Map<String, String> config = config("url", "http://example.com/");
        if (setting != null) {
            int eq = setting.indexOf('=');
            config.put(setting.substring(0, eq), setting.substring(eq + 1));
        } else {
            config.remove("url");
        }
        assertThatThrownBy(() -> executor.validate(config))
                .isInstanceOf(InvalidExecutorConfigException.class)
                .hasMessageStartingWith("executor_config." + key + ": ")
                .satisfies(e -> assertThat(((InvalidExecutorConfigException) e).key()).isEqualTo(key));
    }

    @Test
    void everyKeyWithGoodValuesIsAccepted() throws Exception {
        executor.validate(config("url", "https://example.com:8443/a?b=c", "method", "post", "headers",
                "[\"Authorization: Bearer x\", \"Accept: */*\"]", "body", "{\"a\":1}", "timeout", " 0 ",
                "expectCode", "200,204", "expectBody", "(?i)ok|(?P<n>done)", "debug", "true",
                "tlsNoVerifyPeer", "False", "tlsCertificateFile", "/etc/c.pem", "tlsCertificateKeyFile", "/etc/k.pem",
                "tlsRootCAsFile", "/etc/ca.pem", "unknownKey", "ignored"));
        executor.validate(config("url", "http://127.0.0.1/", "headers", "", "expectCode", " "));
    }

    @Test
    void aRunWithBadConfigCompletesFailedInsteadOfThrowing() throws Exception {
        ExecutionResult r = run(config("url", "http://127.0.0.1/", "timeout", "soon"));

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).startsWith("[hibachi: invalid executor_config.timeout: ");
    }

    /**
     * A server that reads one request on each connection, optionally writes {@code answer}, then waits for
     * the client to close the connection.
     */
    private static final class HangingServer implements AutoCloseable {
        final CountDownLatch requestSeen = new CountDownLatch(1);
        final CountDownLatch closedByClient = new CountDownLatch(1);
        private final ServerSocket socket;
        private final Thread thread;

        HangingServer(String answer) throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> serve(answer), "hanging-server");
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/hang";
        }

        private void serve(String answer) {
            try (Socket c = socket.accept()) {
                InputStream in = c.getInputStream();
                StringBuilder head = new StringBuilder();
                int b;
                while ((b = in.read()) != -1) {
                    head.append((char) b);
                    if (head.toString().endsWith("\r\n\r\n")) {
                        break;
                    }
                }
                if (answer != null) {
                    c.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                }
                requestSeen.countDown();
                while (in.read() != -1) {
                    // wait for the client's close
                }
                closedByClient.countDown();
            } catch (IOException e) {
                closedByClient.countDown(); // a reset is a close too
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
