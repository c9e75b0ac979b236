package dev.hibachi.agent.exec;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A throwaway PKI for the TLS tests: a CA, and certificates it signs, written as PEM files in the
 * formats Go reads (certificates; keys as PKCS#8, PKCS#1 RSA or SEC1 EC).
 */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "test".toCharArray();

    /** A key pair and its certificate. */
    record Identity(KeyPair keys, X509Certificate cert) {}

    private TestPki() {}

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static Identity ca(String name) throws Exception {
        KeyPair keys = rsa();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = builder(subject, subject, keys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Identity(keys, sign(b, keys.getPrivate()));
    }

    /** A server certificate for {@code dnsNames} and the loopback address when {@code loopbackIp}. */
    static Identity server(Identity ca, boolean loopbackIp, String... dnsNames) throws Exception {
        KeyPair keys = rsa();
        X509v3CertificateBuilder b = builder(new X500Name("CN=" + (dnsNames.length > 0 ? dnsNames[0] : "127.0.0.1")),
                new X500Name(ca.cert().getSubjectX500Principal().getName()), keys);
        GeneralName[] names = new GeneralName[dnsNames.length + (loopbackIp ? 1 : 0)];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        if (loopbackIp) {
            names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        return new Identity(keys, sign(b, ca.keys().getPrivate()));
    }

    /** A client certificate with {@code keys}. */
    static Identity client(Identity ca, String name, KeyPair keys) throws Exception {
        X509v3CertificateBuilder b = builder(new X500Name("CN=" + name),
                new X500Name(ca.cert().getSubjectX500Principal().getName()), keys);
        return new Identity(keys, sign(b, ca.keys().getPrivate()));
    }

    private static X509v3CertificateBuilder builder(X500Name subject, X500Name issuer, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    }

    /** Writes {@code certs} as PEM {@code CERTIFICATE} blocks. */
    static Path writeCerts(Path file, X509Certificate... certs) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            for (X509Certificate c : certs) {
                w.writeObject(c);
            }
        }
        return Files.writeString(file, s.toString());
    }

    /** Writes {@code key} as PKCS#8 ({@code PRIVATE KEY}). */
    static Path writePkcs8(Path file, PrivateKey key) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return Files.writeString(file, s.toString());
    }

    /** Writes an RSA key in OpenSSL's traditional form: PKCS#1 ({@code RSA PRIVATE KEY}). */
    static Path writePkcs1(Path file, PrivateKey key) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(key);
        }
        return Files.writeString(file, s.toString());
    }

    /**
     * Writes an EC key pair as SEC1 ({@code EC PRIVATE KEY}) the way OpenSSL does, with the named curve
     * and the public key inside (BouncyCastle's writer leaves the curve out, which Go refuses too).
     */
    static Path writeSec1(Path file, KeyPair keys) throws IOException {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ASN1Encodable curve = pkcs8.getPrivateKeyAlgorithm().getParameters();
        BigInteger d = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pkcs8.parsePrivateKey()).getKey();
        DERBitString pub = new DERBitString(SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded())
                .getPublicKeyData().getOctets());
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, pub, curve).getEncoded();
        StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            w.writeObject(new PemObject("EC PRIVATE KEY", der));
        }
        return Files.writeString(file, s.toString());
    }

    /** A server-side TLS context presenting {@code server}, trusting {@code clientCas} for client certificates. */
    static SSLContext serverContext(Identity server, List<Identity> clientCas) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, PASSWORD);
        ks.setKeyEntry("server", server.keys().getPrivate(), PASSWORD, new X509Certificate[] {server.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, PASSWORD);
        for (int i = 0; i < clientCas.size(); i++) {
            ts.setCertificateEntry("ca-" + i, clientCas.get(i).cert());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
