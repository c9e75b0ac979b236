package dev.hibachi.agent.exec;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of an http job ({@code tlsNoVerifyPeer}, {@code tlsCertificateFile},
 * {@code tlsCertificateKeyFile}, {@code tlsRootCAsFile}), and the key of {@link HttpClientCache}.
 *
 * <p>Semantics follow Go's {@code tls.Config} as Dkron fills it: {@code tlsRootCAsFile} <em>replaces</em>
 * the JDK's trusted roots (Go's {@code RootCAs}); {@code tlsNoVerifyPeer} trusts any certificate and any
 * host name (Go's {@code InsecureSkipVerify}, which also ignores {@code RootCAs}); the client certificate
 * is offered to any server that asks, whatever issuers it names, as Go does with a single certificate.
 *
 * <p>{@code fileStamps} (size and modification time of each named file) are part of the key, so a
 * certificate renewed on disk gets a new client on the next run instead of the stale one forever.
 */
record TlsOptions(boolean noVerifyPeer, String certificateFile, String keyFile, String rootCAsFile,
                  List<String> fileStamps) {

    private static final char[] STORE_PASSWORD = "hibachi".toCharArray();

    /** These options, with the current stamps of the files they name (null = not set). */
    static TlsOptions of(boolean noVerifyPeer, String certificateFile, String keyFile, String rootCAsFile) {
        List<String> stamps = new ArrayList<>(3);
        for (String f : new String[] {certificateFile, keyFile, rootCAsFile}) {
            stamps.add(stamp(f));
        }
        return new TlsOptions(noVerifyPeer, certificateFile, keyFile, rootCAsFile, List.copyOf(stamps));
    }

    private static String stamp(String file) {
        if (file == null) {
            return "";
        }
        try {
            Path p = Path.of(file);
            return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException | RuntimeException e) {
            return "unreadable"; // building the context reports why
        }
    }

    /** Whether nothing is set: the JDK's default TLS applies. */
    boolean isDefault() {
        return !noVerifyPeer && certificateFile == null && rootCAsFile == null;
    }

    /**
     * A TLS context for these options, reading the files now.
     *
     * @throws InvalidExecutorConfigException naming the key whose file is missing, unreadable or wrong
     */
    SSLContext sslContext() throws InvalidExecutorConfigException {
        TrustManager[] trust = null; // the JDK's default roots
        if (noVerifyPeer) {
            trust = new TrustManager[] {new TrustingAnyPeer()};
        } else if (rootCAsFile != null) {
            trust = trustOnly(PemFiles.certificates("tlsRootCAsFile", Path.of(rootCAsFile)));
        }
        KeyManager[] keys = null;
        if (certificateFile != null) {
            List<X509Certificate> chain = PemFiles.certificates("tlsCertificateFile", Path.of(certificateFile));
            PrivateKey key = PemFiles.privateKey("tlsCertificateKeyFile", Path.of(keyFile));
            PemFiles.checkPair(chain.get(0), key, Path.of(keyFile));
            keys = new KeyManager[] {new OneClientCertificate(chain.toArray(X509Certificate[]::new), key)};
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new InvalidExecutorConfigException(certificateFile != null ? "tlsCertificateFile" : "tlsRootCAsFile",
                    "cannot set up TLS: " + e.getMessage());
        }
    }

    private static TrustManager[] trustOnly(List<X509Certificate> roots) throws InvalidExecutorConfigException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, STORE_PASSWORD);
            for (int i = 0; i < roots.size(); i++) {
                store.setCertificateEntry("root-" + i, roots.get(i));
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidExecutorConfigException("tlsRootCAsFile", "cannot use the certificates: " + e.getMessage());
        }
    }

    /**
     * {@code tlsNoVerifyPeer}: accepts every server. It extends {@link X509ExtendedTrustManager} because
     * the JDK wraps a plain {@code X509TrustManager} in one that still checks the host name.
     */
    private static final class TrustingAnyPeer extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * The configured client certificate, offered whenever a server asks. The JDK's own key manager
     * offers a certificate only when its issuer is among those the server lists; Go sends its single
     * certificate regardless, and so does this.
     */
    private static final class OneClientCertificate extends X509ExtendedKeyManager {
        private static final String ALIAS = "client";
        private final X509Certificate[] chain;
        private final PrivateKey key;

        OneClientCertificate(X509Certificate[] chain, PrivateKey key) {
            this.chain = chain;
            this.key = key;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
