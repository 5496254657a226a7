package io.tributary.crypto.secagg;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The public-key and symmetric primitives of SecAgg+, as thin wrappers over Bouncy Castle's
 * lightweight API (no JCA provider is registered):
 *
 * <ul>
 *   <li>X25519 key agreement (RFC 7748) — pairwise mask keys and share-encryption keys;
 *   <li>HKDF-SHA256 (RFC 5869) — turning a raw shared secret into keys and seeds, with the purpose
 *       in {@code info} for domain separation;
 *   <li>AES-256-GCM with a 128-bit tag (NIST SP 800-38D) — encrypting shares to neighbours;
 *   <li>Ed25519 (RFC 8032) — signing key advertisements and consistency checks.
 * </ul>
 *
 * <p>All methods are static and thread-safe (each call builds its own engine). Keys travel as raw
 * 32-byte encodings. Arguments are checked for length up front and rejected with
 * {@link IllegalArgumentException}; {@link #verify} alone answers {@code false} rather than throwing,
 * for any malformed input, since it judges untrusted data.
 */
public final class SecAggCrypto {
  /** Bytes of X25519 and Ed25519 keys. */
  public static final int KEY_BYTES = 32;

  /** Bytes of an AES-GCM nonce. */
  public static final int NONCE_BYTES = 12;

  /** Bytes of the AES-GCM authentication tag appended by {@link #seal}. */
  public static final int TAG_BYTES = 16;

  /** Bytes of an Ed25519 signature. */
  public static final int SIGNATURE_BYTES = 64;

  private SecAggCrypto() {}

  /**
   * A raw key pair: 32-byte private and public keys (X25519 or Ed25519, depending on the factory).
   * Immutable: the arrays are copied in and out. {@link #toString()} never shows the private key.
   */
  public record KeyPair(byte[] privateKey, byte[] publicKey) {
    /** Checks that both keys are 32 bytes, and copies them. */
    public KeyPair {
      privateKey = requireLength(privateKey, KEY_BYTES, "private key").clone();
      publicKey = requireLength(publicKey, KEY_BYTES, "public key").clone();
    }

    /** The private key (a copy). */
    @Override
    public byte[] privateKey() {
      return privateKey.clone();
    }

    /** The public key (a copy). */
    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyPair other
          && Arrays.equals(privateKey, other.privateKey)
          && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
      return "KeyPair[publicKey=" + hex(publicKey) + ", privateKey=<hidden>]";
    }
  }

  /** A fresh X25519 key pair (the private key clamped as RFC 7748 requires). */
  public static KeyPair x25519(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    X25519PrivateKeyParameters privateKey = new X25519PrivateKeyParameters(random);
    return new KeyPair(privateKey.getEncoded(), privateKey.generatePublicKey().getEncoded());
  }

  /**
   * The X25519 public key of a private key (RFC 7748: the scalar, clamped, times the base point 9).
   *
   * @throws IllegalArgumentException when the key is not 32 bytes
   */
  public static byte[] x25519PublicKey(byte[] privateKey) {
    requireLength(privateKey, KEY_BYTES, "private key");
    return new X25519PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
  }

  /**
   * The raw 32-byte X25519 shared secret of {@code privateKey} and {@code peerPublicKey}; symmetric:
   * agree(a, B) = agree(b, A). Hash it with {@link #hkdf} before use.
   *
   * @throws IllegalArgumentException when a key is not 32 bytes, or the shared secret is all zeros —
   *     the peer sent a small-order point, which would make the "secret" known to everyone
   */
  public static byte[] agree(byte[] privateKey, byte[] peerPublicKey) {
    requireLength(privateKey, KEY_BYTES, "private key");
    requireLength(peerPublicKey, KEY_BYTES, "peer public key");
    byte[] secret = new byte[X25519PrivateKeyParameters.SECRET_SIZE];
    try {
      new X25519PrivateKeyParameters(privateKey)
          .generateSecret(new X25519PublicKeyParameters(peerPublicKey), secret, 0);
    } catch (IllegalStateException e) { // Bouncy Castle's report of an all-zero result
      throw new IllegalArgumentException(
          "X25519 agreement gave the all-zero secret: the peer public key is a small-order point", e);
    }
    int any = 0;
    for (byte b : secret) {
      any |= b;
    }
    if (any == 0) {
      throw new IllegalArgumentException(
          "X25519 agreement gave the all-zero secret: the peer public key is a small-order point");
    }
    return secret;
  }

  /**
   * HKDF-SHA256 (RFC 5869), extract then expand.
   *
   * @param inputKeyMaterial the secret, e.g. an X25519 shared secret
   * @param salt optional salt; null or empty means HashLen zero bytes, as RFC 5869 specifies
   * @param info the purpose, UTF-8 encoded; distinct purposes must use distinct strings
   * @param length output bytes, 1 to 255 · 32 = 8160
   * @throws IllegalArgumentException when the length is out of range
   */
  public static byte[] hkdf(byte[] inputKeyMaterial, byte[] salt, String info, int length) {
    Objects.requireNonNull(info, "info");
    return hkdf(inputKeyMaterial, salt, info.getBytes(StandardCharsets.UTF_8), length);
  }

  /**
   * HKDF-SHA256 with a binary {@code info}; {@link #hkdf(byte[], byte[], String, int)} is this with
   * the UTF-8 bytes of its string.
   *
   * @throws IllegalArgumentException when the length is not in [1, 8160]
   */
  public static byte[] hkdf(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
    Objects.requireNonNull(info, "info");
    if (length < 1 || length > 255 * 32) {
      throw new IllegalArgumentException("HKDF-SHA256 length must be in [1, 8160], got " + length);
    }
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(inputKeyMaterial, salt, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }

  /**
   * AES-256-GCM encryption with a 128-bit tag.
   *
   * <p>A (key, nonce) pair must never encrypt two different messages: GCM then leaks the XOR of the
   * plaintexts and the authentication key. SecAgg+ derives a fresh key per (round, sender, receiver),
   * so a fixed or counter nonce is safe there.
   *
   * @param associatedData authenticated but not encrypted; null means none
   * @return the ciphertext followed by the 16-byte tag
   * @throws IllegalArgumentException when the key is not 32 bytes or the nonce not 12
   */
  public static byte[] seal(byte[] key32, byte[] nonce12, byte[] plaintext, byte[] associatedData) {
    Objects.requireNonNull(plaintext, "plaintext");
    GCMModeCipher gcm = gcm(true, key32, nonce12, associatedData);
    byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
    int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e); // only decryption can fail
    }
    return out;
  }

  /**
   * AES-256-GCM decryption: the inverse of {@link #seal}.
   *
   * @param associatedData must equal the one given to {@link #seal}; null means none
   * @return the plaintext
   * @throws GeneralSecurityException ({@link AEADBadTagException}) when the tag does not verify: the
   *     ciphertext, associated data, nonce or key differ from those sealed with, or the ciphertext is
   *     shorter than a tag
   * @throws IllegalArgumentException when the key is not 32 bytes or the nonce not 12
   */
  public static byte[] open(byte[] key32, byte[] nonce12, byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    GCMModeCipher gcm = gcm(false, key32, nonce12, associatedData);
    if (ciphertext.length < TAG_BYTES) {
      throw new AEADBadTagException(
          "AES-GCM ciphertext of " + ciphertext.length + " bytes is shorter than the tag");
    }
    byte[] out = new byte[gcm.getOutputSize(ciphertext.length)];
    int n = gcm.processBytes(ciphertext, 0, ciphertext.length, out, 0);
    try {
      n += gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      AEADBadTagException bad = new AEADBadTagException("AES-GCM tag mismatch: " + e.getMessage());
      bad.initCause(e);
      throw bad;
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** A fresh Ed25519 key pair: the 32-byte private seed and the 32-byte public key. */
  public static KeyPair ed25519(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(random);
    return new KeyPair(privateKey.getEncoded(), privateKey.generatePublicKey().getEncoded());
  }

  /**
   * The Ed25519 public key of a 32-byte private key (seed), as RFC 8032 §5.1.5 derives it.
   *
   * @throws IllegalArgumentException when the key is not 32 bytes
   */
  public static byte[] ed25519PublicKey(byte[] privateKey) {
    requireLength(privateKey, KEY_BYTES, "private key");
    return new Ed25519PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
  }

  /**
   * The 64-byte Ed25519 signature (pure Ed25519, no context) of {@code message}.
   *
   * @throws IllegalArgumentException when the private key is not 32 bytes
   */
  public static byte[] sign(byte[] privateKey, byte[] message) {
    requireLength(privateKey, KEY_BYTES, "private key");
    Objects.requireNonNull(message, "message");
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, new Ed25519PrivateKeyParameters(privateKey));
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * Whether {@code signature} is a valid Ed25519 signature of {@code message} under
   * {@code publicKey}. Never throws on bad input: a null, wrongly sized or off-curve key, or a
   * malformed signature, is simply not valid.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null || publicKey.length != KEY_BYTES || message == null || signature == null
        || signature.length != SIGNATURE_BYTES) {
      return false;
    }
    Ed25519.PublicPoint point = decodedKey(publicKey);
    if (point == null) { // an encoding that is not a curve point
      return false;
    }
    try {
      return Ed25519.verify(signature, 0, point, message, 0, message.length);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Identity keys are long-lived: their decoded points are kept (bounded), so each check skips the decoding. */
  private static final java.util.concurrent.ConcurrentHashMap<java.nio.ByteBuffer, Ed25519.PublicPoint> POINTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int POINT_CACHE_SIZE = 1 << 16;

  /** The key's curve point (the same check Bouncy Castle's key parameters make), or null when it is none. */
  private static Ed25519.PublicPoint decodedKey(byte[] publicKey) {
    java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(publicKey.clone());
    Ed25519.PublicPoint point = POINTS.get(key);
    if (point == null) {
      point = Ed25519.validatePublicKeyPartialExport(publicKey, 0);
      if (point == null) {
        return null;
      }
      if (POINTS.size() >= POINT_CACHE_SIZE) {
        POINTS.clear();
      }
      POINTS.put(key, point);
    }
    return point;
  }

  private static GCMModeCipher gcm(boolean encrypt, byte[] key32, byte[] nonce12, byte[] associatedData) {
    requireLength(key32, 32, "AES-256 key");
    requireLength(nonce12, NONCE_BYTES, "GCM nonce");
    GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key32), 8 * TAG_BYTES, nonce12, associatedData));
    return gcm;
  }

  private static byte[] requireLength(byte[] bytes, int length, String what) {
    Objects.requireNonNull(bytes, what);
    if (bytes.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder(2 * bytes.length);
    for (byte b : bytes) {
      s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.toString();
  }
}
