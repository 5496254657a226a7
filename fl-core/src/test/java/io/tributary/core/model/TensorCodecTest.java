package io.tributary.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCodecTest {

  private static float[] random(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = Float.intBitsToFloat(rng.nextInt()); // every bit pattern, NaNs included
    }
    return v;
  }

  private static void assertBitsEqual(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
    }
  }

  @Test
  void toBytes_one_isLittleEndianIeee754() {
    assertArrayEquals(new byte[] {0x00, 0x00, (byte) 0x80, 0x3F}, TensorCodec.toBytes(new float[] {1.0f}));
  }

  @Test
  void toBytes_knownValues_matchHandEncoding() {
    byte[] b = TensorCodec.toBytes(new float[] {-2.0f, 0.5f, -0.0f});
    assertArrayEquals(
        new byte[] {
          0x00, 0x00, 0x00, (byte) 0xC0, // -2.0 = 0xC0000000
          0x00, 0x00, 0x00, 0x3F, // 0.5 = 0x3F000000
          0x00, 0x00, 0x00, (byte) 0x80 // -0.0 = 0x80000000
        },
        b);
  }

  @Test
  void fromBytes_toBytes_roundTripsSpecialValuesBitExact() {
    float[] v = {
      0f,
      -0f,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.intBitsToFloat(0x007fffff), // largest subnormal
      Float.MIN_NORMAL,
      Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN,
      Float.intBitsToFloat(0x7f800001), // signalling NaN
      Float.intBitsToFloat(0xffc12345), // negative quiet NaN with a payload
      Float.intBitsToFloat(0x7fbfffff),
    };
    assertBitsEqual(v, TensorCodec.fromBytes(TensorCodec.toBytes(v)));
  }

  @Test
  void fromBytes_toBytes_roundTripsRandomBitPatterns() {
    float[] v = random(10_001, 7);
    byte[] b = TensorCodec.toBytes(v);
    assertEquals(40_004, b.length);
    assertBitsEqual(v, TensorCodec.fromBytes(b));
  }

  @Test
  void toBytes_empty_isEmpty() {
    assertEquals(0, TensorCodec.toBytes(new float[0]).length);
    assertEquals(0, TensorCodec.fromBytes(new byte[0]).length);
  }

  @Test
  void fromBytes_lengthNotMultipleOfFour_rejectedNamingLength() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.fromBytes(new byte[7]));
    assertTrue(e.getMessage().contains("7"), e.getMessage());
  }

  @Test
  void getFloat_putFloat_atOffset_littleEndian() {
    byte[] b = new byte[10];
    TensorCodec.putFloat(b, 3, 1.0f);
    assertArrayEquals(new byte[] {0, 0, 0, 0x00, 0x00, (byte) 0x80, 0x3F, 0, 0, 0}, b);
    assertEquals(1.0f, TensorCodec.getFloat(b, 3));
  }

  @Test
  void encode_decode_withOffsets_touchOnlyTheRange() {
    float[] src = {1, 2, 3, 4, 5};
    byte[] dst = new byte[20];
    TensorCodec.encode(src, 1, 3, dst, 4);
    assertEquals(0, dst[0]);
    assertEquals(2f, TensorCodec.getFloat(dst, 4));
    assertEquals(4f, TensorCodec.getFloat(dst, 12));
    assertEquals(0f, TensorCodec.getFloat(dst, 16));
    float[] back = new float[6];
    TensorCodec.decode(dst, 4, 3, back, 2);
    assertArrayEquals(new float[] {0, 0, 2, 3, 4, 0}, back);
  }

  private static List<long[]> chunkOffsetsAndSizes(float[] v, int max, ByteArrayOutputStream all) {
    List<long[]> chunks = new ArrayList<>();
    TensorCodec.chunks(v, max, (offset, bytes) -> {
      chunks.add(new long[] {offset, bytes.length});
      all.write(bytes, 0, bytes.length);
    });
    return chunks;
  }

  @Test
  void chunks_smallMax_contiguousWholeFloatChunksThatConcatenateToBytes() {
    float[] v = random(1001, 3);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<long[]> chunks = chunkOffsetsAndSizes(v, 402, all); // rounded down to 400 bytes
    long expectedOffset = 0;
    for (long[] c : chunks) {
      assertEquals(expectedOffset, c[0]);
      assertTrue(c[1] <= 402 && c[1] > 0);
      assertEquals(0, c[1] % 4);
      expectedOffset += c[1];
    }
    assertEquals(4L * v.length, expectedOffset);
    assertEquals(11, chunks.size()); // 10 x 400 bytes + 1 x 4 bytes
    assertEquals(400, chunks.get(0)[1]);
    assertEquals(4, chunks.get(10)[1]);
    assertArrayEquals(TensorCodec.toBytes(v), all.toByteArray());
  }

  @Test
  void chunks_requestAboveLimit_cappedAtMaxChunkBytes() {
    float[] v = random(600_000, 5); // 2.4 MB
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<long[]> chunks = chunkOffsetsAndSizes(v, Integer.MAX_VALUE, all);
    assertEquals(3, chunks.size());
    assertEquals(TensorCodec.MAX_CHUNK_BYTES, chunks.get(0)[1]);
    assertEquals(TensorCodec.MAX_CHUNK_BYTES, chunks.get(1)[1]);
    assertEquals(2_400_000 - 2 * TensorCodec.MAX_CHUNK_BYTES, chunks.get(2)[1]);
    assertEquals(TensorCodec.MAX_CHUNK_BYTES, chunks.get(1)[0]);
    assertArrayEquals(TensorCodec.toBytes(v), all.toByteArray());
  }

  @Test
  void chunks_exactMultiple_noEmptyTrailingChunk() {
    float[] v = random(12, 1);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<long[]> chunks = chunkOffsetsAndSizes(v, 16, all);
    assertEquals(3, chunks.size());
    for (long[] c : chunks) {
      assertEquals(16, c[1]);
    }
  }

  @Test
  void chunks_emptyVector_noChunks() {
    List<long[]> chunks = chunkOffsetsAndSizes(new float[0], 1024, new ByteArrayOutputStream());
    assertEquals(0, chunks.size());
  }

  @Test
  void chunks_sinkKeepsArrays_eachChunkIsAFreshArray() {
    float[] v = {1, 2, 3, 4};
    List<byte[]> kept = new ArrayList<>();
    TensorCodec.chunks(v, 4, TensorCodec.ignoringOffsets(kept::add));
    assertEquals(4, kept.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(v[i], TensorCodec.getFloat(kept.get(i), 0));
    }
  }

  @Test
  void sha256_matchesMessageDigestOverToBytes() throws Exception {
    float[] v = random(400_000, 11); // spans two chunks
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(TensorCodec.toBytes(v));
    assertArrayEquals(expected, TensorCodec.sha256(v));
  }

  @Test
  void sha256_emptyVector_isDigestOfNothing() throws Exception {
    assertArrayEquals(
        MessageDigest.getInstance("SHA-256").digest(new byte[0]), TensorCodec.sha256(new float[0]));
  }

  @Test
  void sha256_freshDigest_isSha256() {
    assertEquals("SHA-256", TensorCodec.sha256().getAlgorithm());
    assertEquals(32, TensorCodec.sha256().getDigestLength());
  }
}
