package io.tributary.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticTest {

  private static void assertThrowsWithMessage(String expected, Runnable call) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call::run);
    assertEquals(expected, error.getMessage());
  }

  @Test
  void generate_sameSeedAnyOrder_identicalClients() {
    Synthetic forward = new Synthetic(1, 1, 42);
    SyntheticClient first3 = forward.generate(3);
    SyntheticClient first900 = forward.generate(900_000_000_000L);
    Synthetic backward = new Synthetic(1, 1, 42);
    SyntheticClient second900 = backward.generate(900_000_000_000L);
    backward.generate(7);
    SyntheticClient second3 = backward.generate(3);
    assertEquals(first3, second3);
    assertEquals(first900, second900);
    assertEquals(first3, forward.generate(3), "regenerating gives the same data");
  }

  @Test
  void generate_differentClientsOrSeeds_differentData() {
    Synthetic synthetic = new Synthetic(0.5, 0.5, 1);
    assertNotEquals(synthetic.generate(0), synthetic.generate(1));
    SyntheticClient other = new Synthetic(0.5, 0.5, 2).generate(0);
    assertFalse(Arrays.equals(synthetic.generate(0).x(), other.x()));
  }

  @Test
  void generate_defaults_shapesAndLabelsInRange() {
    Synthetic synthetic = new Synthetic(1, 1, 5);
    for (long client = 0; client < 50; client++) {
      SyntheticClient data = synthetic.generate(client);
      assertEquals(client, data.client());
      assertEquals(60, data.features());
      assertEquals(synthetic.size(client), data.size());
      assertEquals(data.size() * 60, data.x().length);
      for (int label : data.y()) {
        assertTrue(label >= 0 && label < 10, "label " + label);
      }
      for (float value : data.x()) {
        assertTrue(Float.isFinite(value));
      }
    }
  }

  @Test
  void generate_labels_areArgmaxOfClientTeacher() {
    Synthetic synthetic = new Synthetic(1, 1, 6);
    for (long client = 0; client < 5; client++) {
      SyntheticClient data = synthetic.generate(client);
      Synthetic.ClientModel model = synthetic.model(client);
      for (int sample = 0; sample < data.size(); sample++) {
        int best = -1;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 10; c++) {
          double logit = model.bias()[c];
          for (int j = 0; j < 60; j++) {
            logit += model.weights()[c][j] * data.x()[sample * 60 + j];
          }
          if (logit > bestLogit) {
            bestLogit = logit;
            best = c;
          }
        }
        assertEquals(best, data.y()[sample], "client " + client + " sample " + sample);
      }
    }
  }

  @Test
  void generate_reusedBuffers_writesPrefixAndLeavesRestUntouched() {
    Synthetic synthetic = new Synthetic(0, 0, 8);
    float[] x = new float[synthetic.maxSize() * 60];
    int[] y = new int[synthetic.maxSize()];
    Arrays.fill(y, -1);
    int size = synthetic.generate(4, x, y);
    assertEquals(synthetic.size(4), size);
    SyntheticClient fresh = synthetic.generate(4);
    assertArrayEquals(fresh.x(), Arrays.copyOf(x, size * 60));
    assertArrayEquals(fresh.y(), Arrays.copyOf(y, size));
    if (size < y.length) {
      assertEquals(-1, y[size]);
    }
  }

  @Test
  void generate_buffersTooSmall_throwNamingSizes() {
    Synthetic synthetic = new Synthetic(0, 0, 8, 60, 10, 30, 30);
    assertThrowsWithMessage("xOut has 10 entries but client 2 needs size * features = 30 * 60"
        + " = 1800", () -> synthetic.generate(2, new float[10], new int[30]));
    assertThrowsWithMessage("yOut has 29 entries but client 2 has 30 samples",
        () -> synthetic.generate(2, new float[1800], new int[29]));
  }

  @Test
  void size_manyClients_withinBoundsAndMostlySmall() {
    Synthetic synthetic = new Synthetic(1, 1, 9);
    int[] sizes = new int[2000];
    for (int client = 0; client < sizes.length; client++) {
      sizes[client] = synthetic.size(client);
      assertTrue(sizes[client] >= 20 && sizes[client] <= 200, "size " + sizes[client]);
    }
    Arrays.sort(sizes);
    // Log-normal(4, 2) excess truncated at 180: median near 20 + 40, far below the midpoint 110,
    // while the tail still reaches close to the maximum.
    assertTrue(sizes[1000] < 90, "median " + sizes[1000]);
    assertTrue(sizes[1999] > 180, "largest " + sizes[1999]);
    assertTrue(sizes[0] < 25, "smallest " + sizes[0]);
  }

  @Test
  void size_customBounds_respectedAndEqualBoundsFixed() {
    Synthetic wide = new Synthetic(0, 0, 10, 5, 3, 50, 5000);
    for (long client = 0; client < 500; client++) {
      int size = wide.size(client);
      assertTrue(size >= 50 && size <= 5000, "size " + size);
    }
    Synthetic fixed = new Synthetic(0, 0, 10, 5, 3, 77, 77);
    assertEquals(77, fixed.size(123));
    assertEquals(77, fixed.generate(123).size());
  }

  /** Variance across clients of each client's mean feature value. */
  private static double spreadOfFeatureMeans(Synthetic synthetic, int clients) {
    double[] means = new double[clients];
    for (int client = 0; client < clients; client++) {
      float[] x = synthetic.generate(client).x();
      double sum = 0;
      for (float value : x) {
        sum += value;
      }
      means[client] = sum / x.length;
    }
    return variance(means);
  }

  /** Variance across clients of the mean entry of each client's W. */
  private static double spreadOfTeacherMeans(Synthetic synthetic, int clients) {
    double[] means = new double[clients];
    for (int client = 0; client < clients; client++) {
      double sum = 0;
      for (double[] row : synthetic.model(client).weights()) {
        for (double value : row) {
          sum += value;
        }
      }
      means[client] = sum / (10 * 60);
    }
    return variance(means);
  }

  private static double variance(double[] values) {
    double mean = Arrays.stream(values).average().orElseThrow();
    return Arrays.stream(values).map(value -> (value - mean) * (value - mean)).sum()
        / values.length;
  }

  @Test
  void alphaBeta_zeroVersusOne_clientsMoreSimilarWithZero() {
    // beta moves the feature means: spread about 1/60 at beta 0, about 1 + 1/60 at beta 1.
    double similarFeatures = spreadOfFeatureMeans(new Synthetic(0, 0, 11), 200);
    double differentFeatures = spreadOfFeatureMeans(new Synthetic(1, 1, 11), 200);
    assertTrue(differentFeatures > 10 * similarFeatures,
        "feature-mean spread " + similarFeatures + " vs " + differentFeatures);
    // alpha moves the teachers: spread about 1/600 at alpha 0, about 1 at alpha 1.
    double similarTeachers = spreadOfTeacherMeans(new Synthetic(0, 0, 11), 200);
    double differentTeachers = spreadOfTeacherMeans(new Synthetic(1, 1, 11), 200);
    assertTrue(differentTeachers > 10 * similarTeachers,
        "teacher-mean spread " + similarTeachers + " vs " + differentTeachers);
  }

  @Test
  void generate_featureVariances_followPowerDecay() {
    Synthetic synthetic = new Synthetic(0, 0, 12, 60, 10, 20_000, 20_000);
    float[] x = synthetic.generate(0).x();
    double[] first = new double[20_000];
    double[] last = new double[20_000];
    for (int sample = 0; sample < 20_000; sample++) {
      first[sample] = x[sample * 60];
      last[sample] = x[sample * 60 + 59];
    }
    assertEquals(1.0, variance(first), 0.05);
    assertEquals(Math.pow(60, -1.2), variance(last), 0.05 * Math.pow(60, -1.2));
  }

  @Test
  void iid_allClients_shareTeacherAndZeroMean() {
    Synthetic synthetic = Synthetic.iid(13);
    assertTrue(synthetic.isIid());
    assertSame(synthetic.model(0), synthetic.model(1));
    assertArrayEquals(new double[60], synthetic.model(5).mean());
    assertEquals(synthetic.model(0).weights()[3][7], Synthetic.iid(13).model(9).weights()[3][7]);
    assertNotEquals(synthetic.model(0).weights()[3][7], Synthetic.iid(14).model(0).weights()[3][7]);
    assertTrue(spreadOfFeatureMeans(synthetic, 100) < 0.05);
    assertEquals("Synthetic-IID[seed=13, features=60, classes=10, sizes=20..200]",
        synthetic.toString());
  }

  @Test
  void iid_labels_useMoreThanOneClass() {
    Synthetic synthetic = Synthetic.iid(15);
    int[] counts = new int[10];
    for (long client = 0; client < 20; client++) {
      for (int label : synthetic.generate(client).y()) {
        counts[label]++;
      }
    }
    int used = 0;
    for (int count : counts) {
      used += count > 0 ? 1 : 0;
    }
    assertTrue(used >= 3, "classes used: " + Arrays.toString(counts));
  }

  @Test
  void constructor_invalidParameters_throwNamingThem() {
    assertThrowsWithMessage("alpha must be finite and at least 0, got -1.0",
        () -> new Synthetic(-1, 0, 1));
    assertThrowsWithMessage("beta must be finite and at least 0, got NaN",
        () -> new Synthetic(0, Double.NaN, 1));
    assertThrowsWithMessage("features must be positive, got 0",
        () -> new Synthetic(0, 0, 1, 0, 10, 1, 2));
    assertThrowsWithMessage("classes must be at least 2, got 1",
        () -> new Synthetic(0, 0, 1, 60, 1, 1, 2));
    assertThrowsWithMessage("minSize must be positive, got 0",
        () -> new Synthetic(0, 0, 1, 60, 10, 0, 2));
    assertThrowsWithMessage("maxSize must be at least minSize = 5, got 4",
        () -> new Synthetic(0, 0, 1, 60, 10, 5, 4));
    assertThrowsWithMessage("maxSize * features = 100000000 * 60 values do not fit in one array",
        () -> new Synthetic(0, 0, 1, 60, 10, 1, 100_000_000));
    assertThrowsWithMessage("client must be at least 0, got -1",
        () -> new Synthetic(0, 0, 1).size(-1));
  }

  @Test
  void accessors_constructorValues_reportedBack() {
    Synthetic synthetic = new Synthetic(0.5, 0.25, 99, 30, 4, 10, 40);
    assertEquals(0.5, synthetic.alpha());
    assertEquals(0.25, synthetic.beta());
    assertEquals(99, synthetic.seed());
    assertEquals(30, synthetic.features());
    assertEquals(4, synthetic.classes());
    assertEquals(10, synthetic.minSize());
    assertEquals(40, synthetic.maxSize());
    assertFalse(synthetic.isIid());
    assertEquals("Synthetic[alpha=0.5, beta=0.25, seed=99, features=30, classes=4, sizes=10..40]",
        synthetic.toString());
  }

  @Test
  void mix64_distinctInputs_distinctAndSpread() {
    assertEquals(0, Synthetic.mix64(0));
    assertNotEquals(Synthetic.mix64(1), Synthetic.mix64(2));
    // One flipped input bit flips about half the output bits.
    int flipped = Long.bitCount(Synthetic.mix64(12345) ^ Synthetic.mix64(12345 ^ 1));
    assertTrue(flipped > 16 && flipped < 48, flipped + " bits");
  }
}
