package dev.hibachi.agent.exec;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The http executor's clients, one per {@link TlsOptions}, least recently used first out once there are
 * {@code capacity} of them. Dkron's pool grew by one client per distinct TLS/timeout combination and
 * never shrank; here the bound holds whatever the jobs. An evicted client is simply dropped: requests
 * in flight keep it alive, and the JDK stops its selector thread once it is unreachable.
 *
 * <p>The timeout is per request, so it is not part of the key.
 */
final class HttpClientCache {

    /** Before the first byte of the connection; the job's timeout still bounds the whole request. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    /** How long an idle connection is kept for the next run, unless the JVM was started with the property. */
    static final String KEEP_ALIVE_SECONDS = "30";

    static {
        // The JDK keeps idle connections 1200 s by default; a cron job that calls many hosts once in a while
        // would hold a socket per host that long (Dkron closes each connection after its request). The
        // property is read once, when the JDK client's connection pool class loads.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", KEEP_ALIVE_SECONDS);
        }
    }

    private final Map<TlsOptions, HttpClient> clients;

    /** @param capacity the most clients kept, at least 1 */
    HttpClientCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<TlsOptions, HttpClient> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The client for {@code tls}, made (reading its files) on first use.
     *
     * @throws InvalidExecutorConfigException when a TLS file is missing or unusable on this member;
     *     nothing is cached then, so a fixed file is picked up by the next run
     */
    synchronized HttpClient get(TlsOptions tls) throws InvalidExecutorConfigException {
        HttpClient client = clients.get(tls);
        if (client == null) {
            HttpClient.Builder b = HttpClient.newBuilder()
                    // Go follows redirects too; NORMAL never follows one from https to http.
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .executor(ExecThreads.POOL);
            if (!tls.isDefault()) {
                b.sslContext(tls.sslContext());
            }
            client = b.build();
            clients.put(tls, client);
        }
        return client;
    }

    synchronized int size() {
        return clients.size();
    }
}
