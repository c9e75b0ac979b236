package dev.hibachi.agent.cluster;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The key that every member of a cluster shares to encrypt its gossip ({@code --encrypt}, made by
 * {@code hibachi keygen}): 16, 24 or 32 random bytes written in base64, as Dkron's (Serf's) keys are, so a Dkron
 * key works unchanged.
 *
 * <p>The key is a secret: {@link #toString()} never shows it, and no error message here repeats the text it was
 * read from (a mistyped key is still most of a key).
 */
public final class GossipKey {
    /** The sizes a key may have, in bytes: Serf's (AES-128, -192, -256). */
    public static final List<Integer> SIZES = List.of(16, 24, 32);
    /** What {@code hibachi keygen} makes, as {@code dkron keygen} does. */
    public static final int DEFAULT_SIZE = 16;
    /** The JCE name of the cipher the cluster's messages are sealed with (see {@link #cipherKey()}). */
    static final String CIPHER = "ChaCha20-Poly1305";
    /** Tells this use of the key apart from any other use a future version might make of it. */
    private static final byte[] CIPHER_KEY_LABEL = "hibachi gossip ChaCha20-Poly1305 key"
            .getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;

    private GossipKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Reads a key from its base64 text (surrounding blanks ignored: a key often comes from a file).
     *
     * @throws IllegalArgumentException saying what is wrong, without the text
     */
    public static GossipKey parse(String base64) {
        if (base64.isBlank()) {
            throw new IllegalArgumentException("is empty; " + expected());
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64; " + expected());
        }
        if (!SIZES.contains(decoded.length)) {
            throw new IllegalArgumentException("decodes to " + decoded.length + " bytes; " + expected());
        }
        return new GossipKey(decoded);
    }

    /** A fresh key of {@code size} bytes (one of {@link #SIZES}) from {@code random}. */
    public static GossipKey generate(int size, SecureRandom random) {
        if (!SIZES.contains(size)) {
            throw new IllegalArgumentException("a key is 16, 24 or 32 bytes, not " + size);
        }
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return new GossipKey(bytes);
    }

    /** The key as {@code --encrypt} takes it. */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The key's size in bytes. */
    public int size() {
        return bytes.length;
    }

    /**
     * The 256-bit key of the cipher that seals the cluster's messages. JGroups' SYM_ENCRYPT can only hand a cipher
     * an {@code IvParameterSpec}, which the JDK's AES-GCM refuses, so AES would be unauthenticated there (ECB or
     * CBC); ChaCha20-Poly1305 takes one and authenticates every message. Its key is derived from this one with
     * HKDF-Expand (RFC 5869, SHA-256; the extract step is skipped, as §3.3 allows for a key that is already uniformly
     * random), so a key of any accepted size gives a full-size cipher key, and the raw key itself never reaches the
     * wire's cipher.
     */
    SecretKey cipherKey() {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(bytes, "HmacSHA256"));
            hmac.update(CIPHER_KEY_LABEL);
            hmac.update((byte) 1);
            return new SecretKeySpec(hmac.doFinal(), CIPHER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e); // every JDK has it
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GossipKey other && MessageDigest.isEqual(bytes, other.bytes);
    }

    /** The size only: a hash of the bytes would tell something about them. */
    @Override
    public int hashCode() {
        return bytes.length;
    }

    /** Never the key: configurations that hold one get printed. */
    @Override
    public String toString() {
        return "GossipKey[" + bytes.length + " bytes]";
    }

    private static String expected() {
        return "a key is 16, 24 or 32 bytes in base64 (hibachi keygen makes one)";
    }
}
