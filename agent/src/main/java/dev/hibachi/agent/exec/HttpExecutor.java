package dev.hibachi.agent.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dkron's {@code http} executor: one HTTP request per run. {@code executor_config} keys (all strings):
 *
 * <ul>
 *   <li>{@code url} (required): an absolute {@code http} or {@code https} URL.
 *   <li>{@code method}: an HTTP method token, sent as written; default {@code GET} (Dkron refuses an
 *       empty one at run time).
 *   <li>{@code headers}: a JSON array of {@code "Name: value"} strings; a repeated name keeps the last
 *       value (Go's {@code Header.Set}). Headers the JDK client reserves ({@code Host},
 *       {@code Content-Length}, {@code Connection}, ...) are refused.
 *   <li>{@code body}: sent as UTF-8 with any method, as Dkron does.
 *   <li>{@code timeout}: whole seconds for the whole exchange, default 30; {@code 0} means none (Go's
 *       rule).
 *   <li>{@code expectCode}: a comma list of status codes; without it any status, even 500, is a
 *       success (Dkron's rule).
 *   <li>{@code expectBody}: a Go (RE2) regular expression that must match somewhere in the body;
 *       matched with RE2/J, so the syntax is Go's and the match takes linear time. A body larger than
 *       the output buffer (256,000 bytes) is matched against the tail the buffer kept, since the rest
 *       is never held in memory.
 *   <li>{@code debug}: logs the request and the response (status, headers, up to 4 KB of body) at info.
 *       Empty or a Go false ({@code 0 f F false FALSE False}) is off; any other text is on, as in Dkron.
 *   <li>{@code tlsNoVerifyPeer}: a Go boolean; true trusts any server certificate and host name.
 *   <li>{@code tlsCertificateFile} and {@code tlsCertificateKeyFile}: a client certificate (PEM chain)
 *       and its key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC); both or neither.
 *   <li>{@code tlsRootCAsFile}: PEM CA certificates that replace the JDK's trusted roots (Go's
 *       {@code RootCAs}).
 * </ul>
 * Everything is validated at creation except the files, which only have to exist on the members that
 * run the job: a missing or bad file fails the run with a line naming the key. Other keys are ignored.
 *
 * <p>The output is the response body (its last 256,000 bytes, streamed into the run's
 * {@link OutputBuffer}), then a {@code [hibachi: ...]} line for each failed check, or for the transport
 * error, timeout or kill. The exit code is the HTTP status, or -1 without a response.
 */
public final class HttpExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(HttpExecutor.class);

    public static final String NAME = "http";

    /** Dkron's default {@code timeout}, in seconds. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;

    /** How many distinct TLS setups keep a client; see {@link HttpClientCache}. */
    static final int CLIENTS = 32;

    private static final HttpClientCache CLIENT_CACHE = new HttpClientCache(CLIENTS);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One header, in order. */
    record Header(String name, String value) {}

    /**
     * The parsed configuration; the file keys are null when not set, {@code expectBody} is null and
     * {@code expectCodes} empty when not set.
     */
    record Spec(String method, URI url, List<Header> headers, String body, int timeoutSeconds,
                Set<Integer> expectCodes, String expectCodeText, Pattern expectBody, boolean debug,
                boolean tlsNoVerifyPeer, String tlsCertificateFile, String tlsCertificateKeyFile,
                String tlsRootCAsFile) {}

    private final HttpClientCache clients;

    public HttpExecutor() {
        this(CLIENT_CACHE);
    }

    HttpExecutor(HttpClientCache clients) {
        this.clients = clients;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Map<String, String> config) throws InvalidExecutorConfigException {
        parse(config);
    }

    static Spec parse(Map<String, String> config) throws InvalidExecutorConfigException {
        if (config == null) {
            config = Map.of();
        }
        URI url = parseUrl(config.get("url"));
        String method = blankToNull(config.get("method"));
        method = method == null ? "GET" : method.trim();
        try {
            HttpRequest.newBuilder(url).method(method, HttpRequest.BodyPublishers.noBody());
        } catch (IllegalArgumentException e) {
            throw new InvalidExecutorConfigException("method", "\"" + method + "\" is not a method the client can send ("
                    + e.getMessage() + ")");
        }
        List<Header> headers = parseHeaders(config.get("headers"));
        String body = config.get("body") == null ? "" : config.get("body");
        int timeout = parseTimeout(config.get("timeout"));
        String expectCodeText = blankToNull(config.get("expectCode"));
        Set<Integer> expectCodes = parseExpectCodes(expectCodeText);
        Pattern expectBody = null;
        String expectBodyText = config.get("expectBody");
        if (expectBodyText != null && !expectBodyText.isEmpty()) {
            try {
                expectBody = Pattern.compile(expectBodyText);
            } catch (PatternSyntaxException e) {
                throw new InvalidExecutorConfigException("expectBody", "not a valid regular expression (Go/RE2 syntax): "
                        + e.getMessage());
            }
        }
        boolean debug = parseDebug(config.get("debug"));
        boolean noVerify = parseBool("tlsNoVerifyPeer", config.get("tlsNoVerifyPeer"));
        String cert = filePath("tlsCertificateFile", config.get("tlsCertificateFile"));
        String key = filePath("tlsCertificateKeyFile", config.get("tlsCertificateKeyFile"));
        String cas = filePath("tlsRootCAsFile", config.get("tlsRootCAsFile"));
        if (cert != null && key == null) {
            throw new InvalidExecutorConfigException("tlsCertificateKeyFile", "is required with tlsCertificateFile");
        }
        if (key != null && cert == null) {
            throw new InvalidExecutorConfigException("tlsCertificateFile", "is required with tlsCertificateKeyFile");
        }
        return new Spec(method, url, headers, body, timeout, expectCodes, expectCodeText, expectBody, debug,
                noVerify, cert, key, cas);
    }

    private static URI parseUrl(String text) throws InvalidExecutorConfigException {
        if (text == null || text.isBlank()) {
            throw new InvalidExecutorConfigException("url", "is required");
        }
        URI url;
        try {
            url = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidExecutorConfigException("url", "not a valid URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidExecutorConfigException("url", "must be an http:// or https:// URL, got \"" + text + "\"");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new InvalidExecutorConfigException("url", "has no host: \"" + text + "\"");
        }
        try {
            HttpRequest.newBuilder(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidExecutorConfigException("url", e.getMessage());
        }
        return url;
    }

    private static List<Header> parseHeaders(String text) throws InvalidExecutorConfigException {
        List<Header> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        JsonNode array;
        try {
            array = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidExecutorConfigException("headers", "not valid JSON (expected an array of \"Name: value\" "
                    + "strings): " + e.getOriginalMessage());
        }
        if (array == null || !array.isArray()) {
            throw new InvalidExecutorConfigException("headers", "expected a JSON array of \"Name: value\" strings");
        }
        HttpRequest.Builder probe = HttpRequest.newBuilder();
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                throw new InvalidExecutorConfigException("headers", "expected \"Name: value\" strings, got " + item);
            }
            String h = item.asText();
            if (h.isEmpty()) {
                continue; // Dkron skips empty entries
            }
            int colon = h.indexOf(':');
            if (colon < 0) {
                throw new InvalidExecutorConfigException("headers", "\"" + h + "\" has no ':' (expected \"Name: value\")");
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            try {
                probe.setHeader(name, value);
            } catch (IllegalArgumentException e) {
                throw new InvalidExecutorConfigException("headers", "\"" + h + "\": " + e.getMessage());
            }
            out.add(new Header(name, value));
        }
        return List.copyOf(out);
    }

    private static int parseTimeout(String text) throws InvalidExecutorConfigException {
        if (text == null || text.isBlank()) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidExecutorConfigException("timeout", "expected whole seconds (e.g. 30), got \"" + text + "\"");
        }
        if (seconds < 0) {
            throw new InvalidExecutorConfigException("timeout", "must not be negative, got \"" + text + "\"");
        }
        return seconds;
    }

    private static Set<Integer> parseExpectCodes(String text) throws InvalidExecutorConfigException {
        Set<Integer> codes = new LinkedHashSet<>();
        if (text == null) {
            return codes;
        }
        for (String item : text.split(",")) {
            String it = item.trim();
            if (it.isEmpty()) {
                continue;
            }
            int code;
            try {
                code = Integer.parseInt(it);
            } catch (NumberFormatException e) {
                throw new InvalidExecutorConfigException("expectCode", "expected a comma list of status codes (e.g. "
                        + "200,204), got \"" + it + "\"");
            }
            if (code < 100 || code > 999) {
                throw new InvalidExecutorConfigException("expectCode", "\"" + it + "\" is not an HTTP status code");
            }
            codes.add(code);
        }
        if (codes.isEmpty()) {
            throw new InvalidExecutorConfigException("expectCode", "has no status code: \"" + text + "\"");
        }
        return Set.copyOf(codes);
    }

    private static boolean parseDebug(String v) {
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.trim()) {
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> true;
        };
    }

    private static boolean parseBool(String key, String v) throws InvalidExecutorConfigException {
        return GoBool.parse(v).orElseThrow(() -> new InvalidExecutorConfigException(key, GoBool.problem(v)));
    }

    private static String filePath(String key, String v) throws InvalidExecutorConfigException {
        String p = blankToNull(v);
        if (p == null) {
            return null;
        }
        try {
            Path.of(p);
        } catch (InvalidPathException e) {
            throw new InvalidExecutorConfigException(key, "invalid path \"" + p + "\"");
        }
        return p;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public RunningExecution start(ExecutionRequest request) {
        OutputBuffer out = request.output() != null ? request.output() : new OutputBuffer();
        String label = "job " + request.jobName() + " run " + request.runId() + "#" + request.attempt();
        try {
            Spec spec;
            HttpClient client;
            try {
                spec = parse(request.config());
            } catch (InvalidExecutorConfigException e) {
                return ProcessRun.failedToStart(out, "invalid " + e.getMessage());
            }
            try {
                client = clients.get(TlsOptions.of(spec.tlsNoVerifyPeer(), spec.tlsCertificateFile(),
                        spec.tlsCertificateKeyFile(), spec.tlsRootCAsFile()));
            } catch (InvalidExecutorConfigException e) { // a TLS file, missing or bad on this member
                return ProcessRun.failedToStart(out, "cannot run job: " + e.getMessage());
            }
            HttpRun run = new HttpRun(label, spec, out);
            run.begin(client, request(spec));
            return run;
        } catch (RuntimeException e) {
            log.error("{}: cannot start", label, e);
            return ProcessRun.failedToStart(out, "cannot run job: " + e);
        }
    }

    private static HttpRequest request(Spec spec) {
        HttpRequest.BodyPublisher body = spec.body().isEmpty()
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(spec.body());
        HttpRequest.Builder b = HttpRequest.newBuilder(spec.url()).method(spec.method(), body);
        if (spec.url().getScheme().equalsIgnoreCase("http")) {
            // Plain HTTP/1.1 as Go sends it: the JDK would otherwise offer an h2c upgrade in the headers.
            b.version(HttpClient.Version.HTTP_1_1);
        }
        for (Header h : spec.headers()) {
            b.setHeader(h.name(), h.value());
        }
        return b.build();
    }
}
