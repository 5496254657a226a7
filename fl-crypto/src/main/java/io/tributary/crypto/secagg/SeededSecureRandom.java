package io.tributary.crypto.secagg;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deterministic cryptographic generator for simulations: the AES-256-CTR keystream under a key
 * derived with SHA-256 from a 64-bit run seed and a label (say, the round and the client), so that a
 * simulated run draws the same keys, seeds and nonces every time and reproduces bit for bit, while
 * each stream is still computationally indistinguishable from random to anyone without the seed.
 *
 * <p>Never use it in production: anyone who knows the seed knows every secret. Production code takes
 * the platform's {@link SecureRandom}. {@link #setSeed} is ignored (the stream is fixed by the
 * constructor). Not thread-safe; use one instance per simulated party.
 */
public final class SeededSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  /** A generator for {@code label} under {@code seed}. */
  public SeededSecureRandom(long seed, String label) {
    super(new Spi(key(seed, label)), null);
  }

  private static byte[] key(long seed, String label) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ByteBuffer.allocate(8).putLong(seed).array());
      sha.update(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static final class Spi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;
    private final transient Cipher cipher;
    private final byte[] zeros = new byte[256];
    private final byte[] buffer = new byte[256];
    private int available;

    Spi(byte[] key) {
      try {
        cipher = Cipher.getInstance("AES/CTR/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR unavailable", e);
      }
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      // Fixed by the constructor: a simulation must not be perturbed by callers reseeding.
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      int done = 0;
      while (done < bytes.length) {
        if (available == 0) {
          try {
            cipher.update(zeros, 0, zeros.length, buffer, 0);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
          }
          available = buffer.length;
        }
        int n = Math.min(available, bytes.length - done);
        System.arraycopy(buffer, buffer.length - available, bytes, done, n);
        available -= n;
        done += n;
      }
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] out = new byte[numBytes];
      engineNextBytes(out);
      return out;
    }
  }
}
