package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and private keys the way Go's {@code crypto/tls} does for Dkron's http
 * executor: certificates from every {@code CERTIFICATE} block (other blocks skipped), and the first
 * private key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC
 * ({@code EC PRIVATE KEY}) form. Encrypted keys are refused, as in Go.
 *
 * <p>BouncyCastle only parses the PEM and ASN.1; the keys are built by the JDK's own key factories, so
 * no security provider is installed.
 */
final class PemFiles {

    private PemFiles() {}

    /**
     * Every certificate in {@code file}.
     *
     * @param key the {@code executor_config} key that named the file, for the error
     * @throws InvalidExecutorConfigException when the file cannot be read or holds no certificate
     */
    static List<X509Certificate> certificates(String key, Path file) throws InvalidExecutorConfigException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser pem = open(key, file)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw unreadable(key, file, e);
        }
        if (out.isEmpty()) {
            throw new InvalidExecutorConfigException(key, "no PEM certificate in \"" + file + "\"");
        }
        return out;
    }

    /**
     * The first private key in {@code file}.
     *
     * @throws InvalidExecutorConfigException when the file cannot be read, holds no usable key, or the
     *     key is encrypted
     */
    static PrivateKey privateKey(String key, Path file) throws InvalidExecutorConfigException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser pem = open(key, file)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof PEMKeyPair pair) { // PKCS#1 RSA or SEC1 EC
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) { // PKCS#8
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new InvalidExecutorConfigException(key, "the private key in \"" + file
                            + "\" is encrypted; an unencrypted PEM key is needed");
                }
                // Anything else (EC PARAMETERS, certificates) comes before or beside the key: skip it.
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(key, file, e);
        }
        throw new InvalidExecutorConfigException(key, "no PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) in \""
                + file + "\"");
    }

    /**
     * Checks that {@code key} belongs to {@code cert} (Go's {@code LoadX509KeyPair} does too), by signing
     * and verifying a few bytes, which works for every key type the JDK signs with.
     */
    static void checkPair(X509Certificate cert, PrivateKey key, Path keyFile) throws InvalidExecutorConfigException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return; // the TLS handshake will judge it
        }
        boolean match;
        try {
            byte[] probe = "hibachi key pair check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            match = verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            match = false;
        }
        if (!match) {
            throw new InvalidExecutorConfigException("tlsCertificateKeyFile", "the private key in \"" + keyFile
                    + "\" does not match the certificate's public key (" + cert.getSubjectX500Principal() + ")");
        }
    }

    private static PEMParser open(String key, Path file) throws InvalidExecutorConfigException {
        try {
            Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
            return new PEMParser(r);
        } catch (NoSuchFileException e) {
            throw new InvalidExecutorConfigException(key, "no such file \"" + file + "\" on this member");
        } catch (IOException | RuntimeException e) {
            throw unreadable(key, file, e);
        }
    }

    private static InvalidExecutorConfigException unreadable(String key, Path file, Exception e) {
        if (e instanceof InvalidExecutorConfigException invalid) {
            return invalid;
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new InvalidExecutorConfigException(key, "cannot read PEM file \"" + file + "\": " + why);
    }
}
