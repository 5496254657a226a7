package io.tributary.core.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Consumer;

/**
 * Converts float32 tensors to and from their wire form: raw little-endian bytes, cut into chunks of
 * at most {@link #MAX_CHUNK_BYTES}.
 *
 * <p>Stateless and thread-safe. Chunk boundaries always fall on 4-byte (whole float) boundaries.
 */
public final class TensorCodec {
  /** The largest data chunk put in one wire message: 1 MiB. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;

  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private TensorCodec() {}

  /** Reads the little-endian float at byte offset {@code off} of {@code bytes}. */
  public static float getFloat(byte[] bytes, int off) {
    return (float) FLOAT_LE.get(bytes, off);
  }

  /** Writes {@code v} little-endian at byte offset {@code off} of {@code bytes}. */
  public static void putFloat(byte[] bytes, int off, float v) {
    FLOAT_LE.set(bytes, off, v);
  }

  /** Encodes {@code count} floats from {@code src[from..]} into {@code dst} at {@code dstOff}. */
  public static void encode(float[] src, int from, int count, byte[] dst, int dstOff) {
    for (int i = 0; i < count; i++) {
      FLOAT_LE.set(dst, dstOff + 4 * i, src[from + i]);
    }
  }

  /** Decodes {@code count} floats from {@code src} at {@code srcOff} into {@code dst[to..]}. */
  public static void decode(byte[] src, int srcOff, int count, float[] dst, int to) {
    for (int i = 0; i < count; i++) {
      dst[to + i] = (float) FLOAT_LE.get(src, srcOff + 4 * i);
    }
  }

  /** The whole vector as little-endian bytes. */
  public static byte[] toBytes(float[] values) {
    byte[] out = new byte[Math.multiplyExact(values.length, 4)];
    encode(values, 0, values.length, out, 0);
    return out;
  }

  /** Floats from little-endian bytes; the length must be a multiple of 4. */
  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException("byte length " + bytes.length + " is not a multiple of 4");
    }
    float[] out = new float[bytes.length / 4];
    decode(bytes, 0, out.length, out, 0);
    return out;
  }

  /**
   * Streams {@code values} as little-endian chunks of at most {@code maxChunkBytes} bytes (rounded
   * down to whole floats), calling {@code sink} with (stream offset, bytes) for each in order. The
   * chunk array is fresh per call so that sinks may keep it.
   */
  public static void chunks(float[] values, int maxChunkBytes, ChunkSink sink) {
    int chunkFloats = Math.max(1, Math.min(maxChunkBytes, MAX_CHUNK_BYTES) / 4);
    for (int from = 0; from < values.length; from += chunkFloats) {
      int n = Math.min(chunkFloats, values.length - from);
      byte[] chunk = new byte[4 * n];
      encode(values, from, n, chunk, 0);
      sink.accept(4L * from, chunk);
    }
  }

  /** SHA-256 of the little-endian encoding of {@code values}, computed chunk by chunk. */
  public static byte[] sha256(float[] values) {
    MessageDigest md = sha256();
    chunks(values, MAX_CHUNK_BYTES, (offset, bytes) -> md.update(bytes));
    return md.digest();
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** Receives one chunk of a tensor byte stream. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(long offset, byte[] bytes);
  }

  /** Adapts a consumer of byte chunks that ignores offsets. */
  public static ChunkSink ignoringOffsets(Consumer<byte[]> consumer) {
    return (offset, bytes) -> consumer.accept(bytes);
  }
}
