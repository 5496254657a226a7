package io.tributary.crypto.secagg;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Shamir share (see {@link Shamir}): the evaluation point {@code x ≥ 1} and the value of the
 * sharing polynomial there, a field element of GF(2^256 + 297) as exactly {@value #VALUE_BYTES}
 * big-endian bytes.
 *
 * <p>Immutable and thread-safe: the value is copied on the way in and on the way out. Equality is by
 * content. {@link #toString()} shows the evaluation point only, never the value — a share is secret
 * material. The wire form ({@link #encode()}) is {@value #ENCODED_BYTES} bytes: the point as a 4-byte
 * big-endian int, then the value.
 *
 * @param x the evaluation point, at least 1 (0 is where the secret sits)
 * @param value the field element, exactly 33 big-endian bytes, less than p = 2^256 + 297
 */
public record Share(int x, byte[] value) {
  /** Bytes of a field element: 257 bits round up to 33 bytes. */
  public static final int VALUE_BYTES = 33;

  /** Bytes of {@link #encode()}: 4 for the point, 33 for the value. */
  public static final int ENCODED_BYTES = 4 + VALUE_BYTES;

  /**
   * Checks and copies.
   *
   * @throws IllegalArgumentException when x &lt; 1, the value is not 33 bytes, or it is not below p
   * @throws NullPointerException when value is null
   */
  public Share {
    Objects.requireNonNull(value, "value");
    if (x < 1) {
      throw new IllegalArgumentException("share point x must be at least 1, got " + x);
    }
    if (value.length != VALUE_BYTES) {
      throw new IllegalArgumentException(
          "share value must be " + VALUE_BYTES + " bytes, got " + value.length);
    }
    if (new BigInteger(1, value).compareTo(Shamir.P) >= 0) {
      throw new IllegalArgumentException("share value is not below p = 2^256 + 297");
    }
    value = value.clone();
  }

  /** The field element, 33 big-endian bytes (a copy). */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The value's bytes themselves, not a copy: for the field arithmetic of this package, which only reads them. */
  byte[] valueBytes() {
    return value;
  }

  /** The value as a field element in [0, p). */
  BigInteger element() {
    return new BigInteger(1, value);
  }

  /** The wire form: the 4-byte big-endian point, then the 33-byte value ({@value #ENCODED_BYTES} bytes). */
  public byte[] encode() {
    byte[] out = new byte[ENCODED_BYTES];
    out[0] = (byte) (x >>> 24);
    out[1] = (byte) (x >>> 16);
    out[2] = (byte) (x >>> 8);
    out[3] = (byte) x;
    System.arraycopy(value, 0, out, 4, VALUE_BYTES);
    return out;
  }

  /**
   * Reads the wire form of {@link #encode()}.
   *
   * @throws IllegalArgumentException when the input is not {@value #ENCODED_BYTES} bytes, the point is
   *     below 1, or the value is not below p
   */
  public static Share decode(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length != ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "an encoded share is " + ENCODED_BYTES + " bytes, got " + encoded.length);
    }
    int x = ((encoded[0] & 0xff) << 24) | ((encoded[1] & 0xff) << 16) | ((encoded[2] & 0xff) << 8)
        | (encoded[3] & 0xff);
    return new Share(x, Arrays.copyOfRange(encoded, 4, ENCODED_BYTES));
  }

  /** Fixed-width big-endian bytes of a field element in [0, p). */
  static Share of(int x, BigInteger element) {
    byte[] magnitude = element.toByteArray(); // may carry a leading sign byte
    byte[] out = new byte[VALUE_BYTES];
    int copy = Math.min(magnitude.length, VALUE_BYTES);
    System.arraycopy(magnitude, magnitude.length - copy, out, VALUE_BYTES - copy, copy);
    return new Share(x, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Share other && x == other.x && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * x + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Share[x=" + x + ", value=<" + VALUE_BYTES + " bytes>]";
  }
}
