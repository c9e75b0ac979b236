package dev.hibachi.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.hibachi.agent.exec.TestPki.Identity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http executor's TLS keys against real HTTPS servers on loopback, with certificates made here: one
 * server trusted only through its test CA, one whose certificate names another host, one that requires
 * a client certificate from the test CA.
 */
@Timeout(120)
class HttpExecutorTlsTest {

    @TempDir
    static Path dir;

    private static final ExecutorService SERVER_THREADS = Executors.newCachedThreadPool();
    private static final List<HttpsServer> SERVERS = new ArrayList<>();

    private static Identity ca;
    private static Identity client;
    private static Path caFile;
    private static Path otherCaFile;
    private static String plainUrl;
    private static String otherHostUrl;
    private static String clientAuthUrl;

    /** Each test its own executor and client cache, so no test reuses another's TLS client. */
    private final HttpExecutor executor = new HttpExecutor(new HttpClientCache(HttpExecutor.CLIENTS));

    @BeforeAll
    static void startServers() throws Exception {
        ca = TestPki.ca("Hibachi Test CA");
        caFile = TestPki.writeCerts(dir.resolve("ca.pem"), ca.cert());
        otherCaFile = TestPki.writeCerts(dir.resolve("other-ca.pem"), TestPki.ca("Other CA").cert());
        client = TestPki.client(ca, "job-client", TestPki.rsa());

        Identity server = TestPki.server(ca, true, "localhost");
        plainUrl = start(TestPki.serverContext(server, List.of()), false);
        Identity elsewhere = TestPki.server(ca, false, "other.example");
        otherHostUrl = start(TestPki.serverContext(elsewhere, List.of()), false);
        clientAuthUrl = start(TestPki.serverContext(server, List.of(ca)), true);
    }

    @AfterAll
    static void stopServers() {
        SERVERS.forEach(s -> s.stop(0));
        SERVER_THREADS.shutdownNow();
    }

    private static String start(SSLContext ctx, boolean needClientAuth) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        s.setExecutor(SERVER_THREADS);
        s.createContext("/", HttpExecutorTlsTest::whoAmI);
        s.start();
        SERVERS.add(s);
        return "https://127.0.0.1:" + s.getAddress().getPort() + "/";
    }

    /** Answers with the client certificate's subject, or "anonymous". */
    private static void whoAmI(HttpExchange ex) throws IOException {
        String who;
        try {
            who = ((X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            who = "anonymous";
        }
        byte[] out = ("hello " + who).getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private ExecutionResult run(String... kv) throws Exception {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            config.put(kv[i], kv[i + 1]);
        }
        config.putIfAbsent("timeout", "20");
        return executor.start(new ExecutionRequest("tls", config, 1, 1, null, null))
                .completion().get(60, TimeUnit.SECONDS);
    }

    // ---- server verification ----------------------------------------------------------------------------

    @Test
    void aServerFromAnUnknownCaFailsTheHandshake() throws Exception {
        ExecutionResult r = run("url", plainUrl);

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).startsWith("[hibachi: request failed: GET " + plainUrl + ": SSLHandshakeException")
                .contains("PKIX path building failed");
    }

    @Test
    void tlsRootCAsFileMakesItsServersTrusted() throws Exception {
        ExecutionResult r = run("url", plainUrl, "tlsRootCAsFile", caFile.toString());

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("hello anonymous");
    }

    @Test
    void tlsRootCAsFileOfAnotherCaStillFails() throws Exception {
        ExecutionResult r = run("url", plainUrl, "tlsRootCAsFile", otherCaFile.toString());

        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("SSLHandshakeException");
    }

    @Test
    void aTrustedCertificateForAnotherHostFailsTheHostNameCheck() throws Exception {
        ExecutionResult r = run("url", otherHostUrl, "tlsRootCAsFile", caFile.toString());

        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("SSLHandshakeException").contains("127.0.0.1");
    }

    @Test
    void tlsNoVerifyPeerAcceptsAnUnknownCaAndAnotherHostName() throws Exception {
        ExecutionResult r = run("url", otherHostUrl, "tlsNoVerifyPeer", "true");

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("hello anonymous");
    }

    // ---- client certificates ----------------------------------------------------------------------------

    @Test
    void aServerRequiringAClientCertificateRefusesARunWithout() throws Exception {
        ExecutionResult r = run("url", clientAuthUrl, "tlsRootCAsFile", caFile.toString());

        assertThat(r.success()).isFalse();
        assertThat(r.exitCode()).isEqualTo(ExecutionResult.NO_EXIT_CODE);
        assertThat(r.output()).startsWith("[hibachi: request failed: GET " + clientAuthUrl);
    }

    @Test
    void aClientCertificateWithAPkcs8KeyIsAccepted() throws Exception {
        Path cert = TestPki.writeCerts(dir.resolve("client.pem"), client.cert());
        Path key = TestPki.writePkcs8(dir.resolve("client-pkcs8.key"), client.keys().getPrivate());
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

        ExecutionResult r = run("url", clientAuthUrl, "tlsRootCAsFile", caFile.toString(),
                "tlsCertificateFile", cert.toString(), "tlsCertificateKeyFile", key.toString());

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("hello CN=job-client");
    }

    @Test
    void aClientCertificateWithAPkcs1RsaKeyIsAccepted() throws Exception {
        Path cert = TestPki.writeCerts(dir.resolve("client.pem"), client.cert());
        Path key = TestPki.writePkcs1(dir.resolve("client-pkcs1.key"), client.keys().getPrivate());
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        ExecutionResult r = run("url", clientAuthUrl, "tlsRootCAsFile", caFile.toString(),
                "tlsCertificateFile", cert.toString(), "tlsCertificateKeyFile", key.toString());

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("hello CN=job-client");
    }

    @Test
    void aClientCertificateWithASec1EcKeyIsAccepted() throws Exception {
        Identity ecClient = TestPki.client(ca, "ec-client", TestPki.ec());
        Path cert = TestPki.writeCerts(dir.resolve("ec-client.pem"), ecClient.cert());
        Path key = TestPki.writeSec1(dir.resolve("ec-client.key"), ecClient.keys());
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        ExecutionResult r = run("url", clientAuthUrl, "tlsRootCAsFile", caFile.toString(),
                "tlsCertificateFile", cert.toString(), "tlsCertificateKeyFile", key.toString());

        assertThat(r.success()).as(r.output()).isTrue();
        assertThat(r.output()).isEqualTo("hello CN=ec-client");
    }

    @Test
    void aKeyThatIsNotTheCertificatesFailsTheRunNamingTheKeyFile() throws Exception {
        Path cert = TestPki.writeCerts(dir.resolve("client.pem"), client.cert());
        Path key = TestPki.writePkcs8(dir.resolve("stranger.key"), TestPki.rsa().getPrivate());

        ExecutionResult r = run("url", clientAuthUrl, "tlsRootCAsFile", caFile.toString(),
                "tlsCertificateFile", cert.toString(), "tlsCertificateKeyFile", key.toString());

        assertThat(r.success()).isFalse();
        assertThat(r.output()).startsWith("[hibachi: cannot run job: executor_config.tlsCertificateKeyFile: the private "
                + "key in \"" + key + "\" does not match the certificate's public key (CN=job-client)]");
    }

    @Test
    void missingOrWrongFilesFailTheRunNamingTheKey() throws Exception {
        Path missing = dir.resolve("nowhere.pem");
        assertThat(run("url", plainUrl, "tlsRootCAsFile", missing.toString()).output())
                .isEqualTo("[hibachi: cannot run job: executor_config.tlsRootCAsFile: no such file \"" + missing
                        + "\" on this member]\n");

        Path notPem = Files.writeString(dir.resolve("not.pem"), "just text\n");
        assertThat(run("url", plainUrl, "tlsRootCAsFile", notPem.toString()).output())
                .isEqualTo("[hibachi: cannot run job: executor_config.tlsRootCAsFile: no PEM certificate in \""
                        + notPem + "\"]\n");

        Path cert = TestPki.writeCerts(dir.resolve("client.pem"), client.cert());
        assertThat(run("url", clientAuthUrl, "tlsCertificateFile", cert.toString(),
                "tlsCertificateKeyFile", cert.toString()).output())
                .startsWith("[hibachi: cannot run job: executor_config.tlsCertificateKeyFile: no PEM private key");
    }

    @Test
    void aCaFileFixedOnDiskIsPickedUpByTheNextRun() throws Exception {
        Path roots = dir.resolve("rotating-ca.pem");
        Files.copy(otherCaFile, roots, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(run("url", plainUrl, "tlsRootCAsFile", roots.toString()).success()).isFalse();

        TestPki.writeCerts(roots, ca.cert(), TestPki.ca("Padding CA").cert()); // another size: another stamp
        ExecutionResult r = run("url", plainUrl, "tlsRootCAsFile", roots.toString());

        assertThat(r.success()).as(r.output()).isTrue();
    }

    // ---- the client cache -------------------------------------------------------------------------------

    @Test
    void theClientCacheKeepsAtMostItsCapacityAndReusesAClientForTheSameOptions() throws Exception {
        HttpClientCache cache = new HttpClientCache(3);
        HttpClient first = cache.get(TlsOptions.of(false, null, null, caFile.toString()));
        assertThat(cache.get(TlsOptions.of(false, null, null, caFile.toString()))).isSameAs(first);

        for (int i = 0; i < 10; i++) {
            Path roots = TestPki.writeCerts(dir.resolve("many-" + i + ".pem"), ca.cert());
            cache.get(TlsOptions.of(i % 2 == 0, null, null, roots.toString()));
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get(TlsOptions.of(false, null, null, caFile.toString()))).isNotSameAs(first);
    }

    @Test
    void aFailedSetupIsNotCached() {
        HttpClientCache cache = new HttpClientCache(3);
        assertThatThrownBy(() -> cache.get(TlsOptions.of(false, null, null, dir.resolve("absent.pem").toString())))
                .isInstanceOf(InvalidExecutorConfigException.class);
        assertThat(cache.size()).isZero();
    }
}
