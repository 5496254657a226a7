package io.tributary.crypto.dp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A bulk cryptographic bit source for noise sampling: the AES-256-CTR keystream (the JDK's {@code
 * AES/CTR/NoPadding}, which HotSpot runs on the AES-NI intrinsics) generated 4 KiB at a time and handed
 * out as words, so that a sampler pays a few nanoseconds per 64 random bits instead of one {@link
 * SecureRandom} call per sample. AES-CTR under a uniformly random key is a pseudorandom generator
 * (NIST SP 800-90A's CTR_DRBG is the same construction); a stream of one key is far below the
 * 2^64-block bound where its distinguishing advantage matters.
 *
 * <p>Two ways to key it: {@link #fromSecureRandom} takes a fresh 256-bit key from the platform's
 * generator (production), {@link #seeded} derives the key from a run seed and a label with SHA-256 so
 * that a simulation reproduces bit for bit (never in production: whoever knows the seed knows the
 * noise, and noise that can be subtracted protects nothing).
 *
 * <p>Besides raw words it offers the two exact primitives the samplers of this package are built on:
 * {@link #uniform(long)}, a uniform integer in {@code [0, n)} by rejection (no modulo bias), and
 * {@link #bernoulli(long, long)}, a coin with exactly rational bias. Both are <em>exact</em>: the
 * probabilities are exactly the stated ones if the keystream is uniform, not approximations in floating
 * point.
 *
 * <p>Not thread-safe: one instance per thread (or per simulated party). Instances are cheap (one
 * {@link Cipher} and 8 KiB of buffers).
 */
public final class RandomBits {
  /** Keystream generated per cipher call; a multiple of the 16-byte AES block and of 8. */
  private static final int BLOCK = 4096;

  private static final long MASK32 = 0xFFFF_FFFFL;

  /** Domain separation: a run seed also keys {@code SeededSecureRandom}, whose stream must differ. */
  private static final byte[] DOMAIN = "io.tributary.crypto.dp.RandomBits\0".getBytes(StandardCharsets.UTF_8);

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final Cipher cipher;
  private final byte[] zeros = new byte[BLOCK];
  private final byte[] block = new byte[BLOCK];
  /** Next unread byte of {@link #block}; {@code BLOCK} when it is spent. */
  private int position = BLOCK;
  /** Unused bits for {@link #nextBoolean}, consumed from the low end. */
  private long bitCache;
  private int bitsCached;

  private RandomBits(byte[] key) {
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      // The all-zero counter block is safe: every instance has its own fresh or derived key.
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR/NoPadding unavailable", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** A source keyed with 32 bytes from {@code random}; for production use. */
  public static RandomBits fromSecureRandom(SecureRandom random) {
    if (random == null) {
      throw new IllegalArgumentException("random must not be null");
    }
    byte[] key = new byte[32];
    random.nextBytes(key);
    return new RandomBits(key);
  }

  /**
   * A reproducible source for simulations: the key is SHA-256 of a fixed domain-separation string,
   * the 8 big-endian bytes of {@code seed} and the UTF-8 bytes of {@code label} (say {@code
   * "round 3/client 17/noise"}). The same seed and label give the same stream; different labels give
   * independent-looking streams. The domain string keeps the stream distinct from a {@code
   * SeededSecureRandom} with the same seed and label.
   */
  public static RandomBits seeded(long seed, String label) {
    if (label == null) {
      throw new IllegalArgumentException("label must not be null");
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(DOMAIN);
      sha.update(ByteBuffer.allocate(8).putLong(seed).array());
      sha.update(label.getBytes(StandardCharsets.UTF_8));
      return new RandomBits(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private void refill() {
    try {
      if (cipher.update(zeros, 0, BLOCK, block, 0) != BLOCK) {
        throw new IllegalStateException("AES-CTR returned a short keystream block");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    position = 0;
  }

  /** The next 64 uniformly random bits. */
  public long nextLong() {
    if (position > BLOCK - 8) {
      refill();
    }
    long value = (long) LONGS.get(block, position);
    position += 8;
    return value;
  }

  /** The next 32 uniformly random bits. */
  public int nextInt() {
    if (position > BLOCK - 4) {
      refill();
    }
    int value = (int) INTS.get(block, position);
    position += 4;
    return value;
  }

  /** One uniformly random bit (drawn from a cached word, so 64 calls cost one {@link #nextLong}). */
  public boolean nextBoolean() {
    if (bitsCached == 0) {
      bitCache = nextLong();
      bitsCached = 64;
    }
    boolean bit = (bitCache & 1) != 0;
    bitCache >>>= 1;
    bitsCached--;
    return bit;
  }

  /** Fills {@code out} with keystream bytes. */
  public void nextBytes(byte[] out) {
    int done = 0;
    while (done < out.length) {
      if (position == BLOCK) {
        refill();
      }
      int n = Math.min(BLOCK - position, out.length - done);
      System.arraycopy(block, position, out, done, n);
      position += n;
      done += n;
    }
  }

  /** The high 64 bits of the unsigned 128-bit product of {@code x} (unsigned) and {@code n >= 0}. */
  private static long unsignedMultiplyHigh(long x, long n) {
    // Signed x stands for x + 2^64 when negative, which adds n * 2^64 to the product.
    return Math.multiplyHigh(x, n) + ((x >> 63) & n);
  }

  /**
   * A uniformly random integer in {@code [0, n)}, exactly: Lemire's multiply-and-reject ("Fast Random
   * Integer Generation in an Interval", ACM TOMACS 2019). A w-bit word x maps to floor(x·n / 2^w); the
   * low half of the product tells which words fall in the 2^w mod n surplus, and those are rejected,
   * so each of the n outputs keeps exactly floor(2^w / n) words. Uses 32-bit words for n ≤ 2^32.
   *
   * @throws IllegalArgumentException if {@code n <= 0}
   */
  public long uniform(long n) {
    if (n <= 0) {
      throw new IllegalArgumentException("uniform(n) needs n > 0, got " + n);
    }
    if (n == 1) {
      return 0; // no randomness needed (the discrete Gaussian at σ = 1 asks for this on every draw)
    }
    if (n <= 1L << 32) {
      // x < 2^32 and n <= 2^32: the product is below 2^64 (unsigned), so no bits are lost.
      long product = (nextInt() & MASK32) * n;
      if ((product & MASK32) < n) {
        long threshold = ((1L << 32) - n) % n; // 2^32 mod n
        while ((product & MASK32) < threshold) {
          product = (nextInt() & MASK32) * n;
        }
      }
      return product >>> 32;
    }
    long x = nextLong();
    long low = x * n;
    if (Long.compareUnsigned(low, n) < 0) {
      long threshold = Long.remainderUnsigned(-n, n); // 2^64 mod n
      while (Long.compareUnsigned(low, threshold) < 0) {
        x = nextLong();
        low = x * n;
      }
    }
    return unsignedMultiplyHigh(x, n);
  }

  /**
   * A coin that comes up {@code true} with probability exactly {@code num / den}.
   *
   * <p>Think of an infinitely precise uniform u in [0, 1) whose binary digits are drawn w at a time
   * (w = 32 when den ≤ 2^32, else 64); the answer is {@code u < num/den}, i.e. {@code u·den < num}.
   * With the first word X, u·den lies in [X·den, (X+1)·den) / 2^w: if that interval lies wholly below
   * or wholly at-or-above num the answer is known; otherwise (at most one X of the 2^w) the question
   * becomes u'·den &lt; r with r = num·2^w − X·den ∈ (0, den) for the remaining digits u', which is the
   * same question with num = r. Usually one word, never an approximation.
   *
   * @throws IllegalArgumentException unless {@code 0 <= num} and {@code 0 < den}
   */
  public boolean bernoulli(long num, long den) {
    if (num < 0 || den <= 0) {
      throw new IllegalArgumentException("bernoulli(num, den) needs num >= 0 and den > 0, got " + num + "/" + den);
    }
    if (num >= den) {
      return true;
    }
    if (den <= 1L << 32) {
      while (num != 0) {
        long product = (nextInt() & MASK32) * den; // < 2^64 unsigned, as in uniform
        long high = product >>> 32;
        if (high >= num) {
          return false;
        }
        if (num - high >= 2) {
          return true;
        }
        long rest = (1L << 32) - (product & MASK32); // num·2^32 − X·den, in (0, 2^32]
        if (rest >= den) {
          return true;
        }
        num = rest;
      }
      return false;
    }
    while (num != 0) {
      long x = nextLong();
      long high = unsignedMultiplyHigh(x, den);
      long low = x * den;
      if (high >= num) {
        return false;
      }
      if (num - high >= 2 || low == 0) {
        return true;
      }
      long rest = -low; // 2^64 − low as an unsigned value
      if (Long.compareUnsigned(rest, den) >= 0) {
        return true;
      }
      num = rest; // < den < 2^63, so positive
    }
    return false;
  }

  /**
   * A uniformly random integer in {@code [0, n)} for arbitrarily large n, exactly: draw bitLength(n)
   * random bits, retry if the value is at least n (fewer than 2 tries on average).
   *
   * @throws IllegalArgumentException if {@code n <= 0}
   */
  public BigInteger uniform(BigInteger n) {
    if (n.signum() <= 0) {
      throw new IllegalArgumentException("uniform(n) needs n > 0, got " + n);
    }
    int bits = n.bitLength();
    byte[] bytes = new byte[(bits + 7) / 8];
    int excess = bytes.length * 8 - bits;
    while (true) {
      nextBytes(bytes);
      bytes[0] &= (byte) (0xFF >>> excess);
      BigInteger candidate = new BigInteger(1, bytes);
      if (candidate.compareTo(n) < 0) {
        return candidate;
      }
    }
  }

  /**
   * {@link #bernoulli(long, long)} for big operands: true with probability exactly {@code num / den}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= num} and {@code 0 < den}
   */
  public boolean bernoulli(BigInteger num, BigInteger den) {
    if (num.signum() < 0 || den.signum() <= 0) {
      throw new IllegalArgumentException("bernoulli(num, den) needs num >= 0 and den > 0, got " + num + "/" + den);
    }
    if (den.bitLength() < 63 && num.bitLength() < 63) {
      return bernoulli(num.longValue(), den.longValue());
    }
    return num.compareTo(den) >= 0 || uniform(den).compareTo(num) < 0;
  }
}
