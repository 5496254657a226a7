package io.tributary.core.aggregate.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.Aggregations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Test fixtures: rounds in which honest clients send near-identical updates and a few attackers send
 * huge sign-flipped ones, at random places in the list.
 */
final class Byzantine {
  /** Honest updates stay within this distance of the honest centre, per coordinate. */
  static final double NOISE = 0.01;

  private Byzantine() {}

  /** One round: the updates, in random order, and the plain mean of the honest ones. */
  record Round(List<float[]> updates, double[] honestMean) {
    /** The largest per-coordinate distance between {@code aggregate} and the honest mean. */
    double errorOf(float[] aggregate) {
      double worst = 0;
      for (int i = 0; i < honestMean.length; i++) {
        worst = Math.max(worst, Math.abs(aggregate[i] - honestMean[i]));
      }
      return worst;
    }

    /** The same error for the plain (equal-weight) mean of all updates, attackers included. */
    double errorOfPlainMean() {
      List<Long> ones = Collections.nCopies(updates.size(), 1L);
      double[] mean = Aggregations.weightedMean(updates, ones);
      float[] asFloat = new float[mean.length];
      for (int i = 0; i < mean.length; i++) {
        asFloat[i] = (float) mean[i];
      }
      return errorOf(asFloat);
    }
  }

  /**
   * {@code honest} updates h + U(−NOISE, NOISE) around a centre h drawn from U(−1, 1)^d, and {@code
   * attackers} updates −100·h (each with its own noise), shuffled.
   */
  static Round round(long seed, int honest, int attackers, int d) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] centre = new double[d];
    for (int i = 0; i < d; i++) {
      centre[i] = rng.nextDouble(-1, 1);
    }
    List<float[]> updates = new ArrayList<>();
    double[] mean = new double[d];
    for (int k = 0; k < honest + attackers; k++) {
      boolean attacker = k >= honest;
      float[] u = new float[d];
      for (int i = 0; i < d; i++) {
        double noise = rng.nextDouble(-NOISE, NOISE);
        u[i] = (float) (attacker ? -100 * centre[i] + noise : centre[i] + noise);
        if (!attacker) {
          mean[i] += u[i] / (double) honest;
        }
      }
      updates.add(u);
    }
    Collections.shuffle(updates, new Random(seed));
    return new Round(updates, mean);
  }

  /**
   * Asserts, over 20 seeds, that {@code aggregator} stays within 2·NOISE of the honest mean of 11
   * honest updates while 3 attackers send −100 times the honest centre, and that the plain mean
   * lands more than 1 away.
   */
  static void assertNearHonestMean(RobustAggregator aggregator) {
    for (long seed = 1; seed <= 20; seed++) {
      Round r = round(seed, 11, 3, 20);
      double error = r.errorOf(aggregator.aggregate(r.updates(), null));
      assertTrue(error < 2 * NOISE, "seed " + seed + ": " + aggregator + " off by " + error);
      assertTrue(r.errorOfPlainMean() > 1, "seed " + seed + ": the plain mean should be far off");
    }
  }

  /** Asserts {@code aggregate} gives bit-identical results for 20 shuffles of random updates. */
  static void assertOrderIndependent(Function<List<float[]>, float[]> aggregate, int k, int d) {
    SplittableRandom rng = new SplittableRandom(k * 31L + d);
    List<float[]> updates = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      float[] u = new float[d];
      for (int i = 0; i < d; i++) {
        // A few repeated values, so ties between updates occur too.
        u[i] = rng.nextInt(4) == 0 ? 0.5f : (float) rng.nextGaussian();
      }
      updates.add(u);
    }
    float[] reference = aggregate.apply(List.copyOf(updates));
    Random shuffler = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      Collections.shuffle(updates, shuffler);
      assertArrayEquals(reference, aggregate.apply(List.copyOf(updates)), "shuffle " + trial);
    }
  }

  /** Asserts that {@code call} throws an IllegalArgumentException whose message has every fragment. */
  static void assertRejected(Runnable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
  }

  /**
   * Asserts that {@code aggregator} refuses the malformed inputs every aggregator must refuse, with
   * messages naming the update and coordinate. Uses five updates of length 3 (enough for Krum, f = 1).
   */
  static void assertRejectsBadInput(RobustAggregator aggregator) {
    List<float[]> ok = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      ok.add(new float[] {k, -k, 0.5f});
    }
    List<float[]> nan = new ArrayList<>(ok);
    nan.set(3, new float[] {1f, 2f, Float.NaN});
    assertRejected(() -> aggregator.aggregate(nan, null), "update 3", "NaN", "coordinate 2");
    List<float[]> inf = new ArrayList<>(ok);
    inf.set(1, new float[] {Float.NEGATIVE_INFINITY, 0f, 0f});
    assertRejected(() -> aggregator.aggregate(inf, null), "update 1", "-Infinity", "coordinate 0");
    List<float[]> ragged = new ArrayList<>(ok);
    ragged.set(4, new float[] {1f, 2f});
    assertRejected(() -> aggregator.aggregate(ragged, null), "update 4 has 2 values", "update 0 has 3");
    assertRejected(() -> aggregator.aggregate(List.of(), null), "no updates");
    assertRejected(() -> aggregator.aggregate(ok, new long[] {1, 1, 1}), "3 weights for 5 updates");
    assertRejected(() -> aggregator.aggregate(ok, new long[] {1, 1, 0, 1, 1}), "update 2", "positive", "0");
  }
}
