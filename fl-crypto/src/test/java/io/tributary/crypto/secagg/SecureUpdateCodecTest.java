package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The masked vector's layout: update, weight and FedNova's masked Σ w‖a‖₁ in two 32-bit limbs. */
class SecureUpdateCodecTest {
  private static int[] add(int[] a, int[] b) {
    int[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  @Test
  void auxiliarySums_onTheGrid_sumExactlyAcrossTheLowLimb() {
    // Values far above 2^16 grid steps: the low limb carries into the high one only when recombined.
    AuxiliarySums aux = new AuxiliarySums(2, 1e6, 1.0 / 16);
    SplittableRandom r = new SplittableRandom(1);
    int[] sum = new int[4];
    double[] expected = new double[2];
    for (int c = 0; c < 1000; c++) {
      double[] v = {r.nextInt(16_000_000) / 16.0, r.nextInt(16) / 16.0};
      int[] enc = new int[4];
      aux.encode(v, r, enc, 0);
      sum = add(sum, enc);
      expected[0] += v[0];
      expected[1] += v[1];
    }
    assertArrayEquals(expected, aux.decode(sum, 0), 0.0, "grid values are exact, whatever the carries");
  }

  @Test
  void auxiliarySums_offTheGrid_unbiased() {
    AuxiliarySums aux = new AuxiliarySums(1, 10, 1.0);
    SplittableRandom r = new SplittableRandom(2);
    int[] sum = new int[2];
    int n = 20_000;
    for (int c = 0; c < n; c++) {
      int[] enc = new int[2];
      aux.encode(new double[] {2.3}, r, enc, 0);
      sum = add(sum, enc);
    }
    // Each value rounds to 2 or 3 (variance 0.21): the sum's standard deviation is sqrt(0.21 n) ≈ 65.
    assertEquals(2.3 * n, aux.decode(sum, 0)[0], 5 * Math.sqrt(0.21 * n));
  }

  @Test
  void auxiliarySums_refusesBadValuesAndWrappingCohorts() {
    AuxiliarySums aux = new AuxiliarySums(1, 100, 1);
    int[] out = new int[2];
    SplittableRandom r = new SplittableRandom(3);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> aux.encode(new double[] {Double.NaN}, r, out, 0))
        .getMessage().contains("outside [0, 100"));
    assertThrows(IllegalArgumentException.class, () -> aux.encode(new double[] {-1}, r, out, 0));
    assertThrows(IllegalArgumentException.class, () -> aux.encode(new double[] {101}, r, out, 0));
    assertArrayEquals(new int[2], out, "nothing written on refusal");
    aux.checkCapacity(65_537);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> aux.checkCapacity(65_538)).getMessage()
        .contains("wrap"));
    assertThrows(IllegalArgumentException.class, () -> new AuxiliarySums(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new AuxiliarySums(0, 1, 1));
  }

  @Test
  void fedNovaLayout_sumDecodesToNormalisedMeanAndTauEff() {
    Quantizer q = new Quantizer(1.0, 1 << 16, 100);
    SecureUpdateCodec codec = new SecureUpdateCodec(q, 3, true);
    assertEquals(3 + 1 + 2, codec.length());
    float[][] deltas = {{0.4f, -0.2f, 0.9f}, {1.5f, 0.3f, -0.6f}, {-0.05f, 0.1f, 0.0f}};
    long[] weights = {10, 40, 25};
    double[] norms = {2, 5, 1.5};
    SplittableRandom r = new SplittableRandom(4);
    int[] sum = new int[codec.length()];
    double[] clear = new double[3];
    double weighted = 0;
    double total = 0;
    for (int c = 0; c < 3; c++) {
      sum = add(sum, codec.encode(deltas[c], weights[c], norms[c], r));
      for (int i = 0; i < 3; i++) {
        clear[i] += weights[c] * deltas[c][i] / norms[c];
      }
      weighted += weights[c] * norms[c];
      total += weights[c];
    }
    SecureUpdateCodec.Decoded d = codec.decode(sum);
    assertEquals(75, d.totalWeight());
    // τ_eff = Σ w‖a‖₁ / Σ w; every norm here is on the 1/16 grid, so it is exact.
    assertEquals(weighted / total, d.meanAccumulationNorm().getAsDouble(), 1e-12);
    for (int i = 0; i < 3; i++) {
      // One quantization step is 2 / 65535 ≈ 3e-5.
      assertEquals(clear[i] / total, d.mean()[i], 1e-4, "coordinate " + i);
    }
  }

  @Test
  void fedNovaLayout_refusesNormsOutsideOneStepTo2Pow20_beforeMasking() {
    SecureUpdateCodec codec = new SecureUpdateCodec(new Quantizer(1.0, 1 << 8, 10), 2, true);
    SplittableRandom r = new SplittableRandom(5);
    float[] x = {0.1f, 0.2f};
    for (double bad : new double[] {0.5, Double.NaN, Double.POSITIVE_INFINITY, 0x1p21}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(x, 1, bad, r));
      assertTrue(e.getMessage().contains("accumulation norm"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> codec.encode(new float[3], 1, 2, r));
    assertThrows(IllegalArgumentException.class, () -> codec.decode(new int[4]));
  }

  @Test
  void plainLayout_isTheQuantizersAlone() {
    Quantizer q = new Quantizer(1.0, 1 << 8, 10);
    SecureUpdateCodec codec = new SecureUpdateCodec(q, 2, false);
    assertEquals(3, codec.length());
    assertFalse(codec.carriesAccumulationNorm());
    int[] enc = codec.encode(new float[] {0.5f, -0.5f}, 3, Double.NaN, new SplittableRandom(6));
    assertArrayEquals(q.encode(new float[] {0.5f, -0.5f}, 3, new SplittableRandom(6)), enc);
    assertTrue(codec.decode(enc).meanAccumulationNorm().isEmpty());
  }
}
