package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.RoundResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Test helpers: rounds of a strategy driven by hand-chosen client updates through the real accumulator. */
final class Rounds {
  /** A three-parameter model. */
  static final ModelLayout LAYOUT = ModelLayout.of(TensorSpec.of("w", 3));

  /**
   * The updates Δ_1, Δ_2, Δ_3 of the three-round tests of FedAdagrad, FedAdam and FedYogi, all run
   * from x_0 = [0, 1, -1] with β1 = 0.5 and τ = 0.5 (so v_0 = τ² = 0.25).
   */
  static final float[][] ADAPTIVE_DELTAS = {{1f, -2f, 0.5f}, {1f, 0.5f, 0.25f}, {-0.5f, 2f, 1f}};

  /**
   * m after each of those rounds, the same whatever the rule for v: m_t = 0.5·m_{t−1} + 0.5·Δ_t, m_0 = 0
   *
   * <pre>
   *   m_1 = [0.5, -1, 0.25]
   *   m_2 = [0.25 + 0.5, -0.5 + 0.25, 0.125 + 0.125]  = [0.75, -0.25, 0.25]
   *   m_3 = [0.375 - 0.25, -0.125 + 1, 0.125 + 0.5]   = [0.125, 0.875, 0.625]
   * </pre>
   */
  static final float[][] ADAPTIVE_M = {{0.5f, -1f, 0.25f}, {0.75f, -0.25f, 0.25f}, {0.125f, 0.875f, 0.625f}};

  private Rounds() {}

  /**
   * Runs {@link #ADAPTIVE_DELTAS} through {@code s} and checks m and v exactly (dyadic fractions,
   * exact in float32) and x_t within a relative 1e-6 after each round.
   */
  static void assertAdaptiveTrajectory(Strategy s, float[][] v, double[][] x) {
    ModelWeights xt = model(0f, 1f, -1f);
    for (int t = 0; t < ADAPTIVE_DELTAS.length; t++) {
      xt = step(s, t + 1, xt, ADAPTIVE_DELTAS[t]);
      assertState(s, AdaptiveFedOpt.FIRST_MOMENT, ADAPTIVE_M[t]);
      assertState(s, AdaptiveFedOpt.SECOND_MOMENT, v[t]);
      assertClose(x[t], xt);
    }
  }

  static ModelWeights model(float... values) {
    return ModelWeights.of(LAYOUT, values);
  }

  /** The accumulator's snapshot of {@code deltas} folded with {@code weights}. */
  static AggregatedUpdate aggregate(float[][] deltas, long[] weights) {
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    try {
      for (int k = 0; k < deltas.length; k++) {
        acc.validate(deltas[k]);
        acc.add(deltas[k], weights[k]);
      }
    } catch (InvalidUpdateException e) {
      throw new AssertionError(e);
    }
    return acc.snapshot();
  }

  /** One round in which a single client (weight 1) sent {@code delta}. */
  static ModelWeights step(Strategy s, long round, ModelWeights global, float... delta) {
    return s.aggregateFit(round, global, aggregate(new float[][] {delta}, new long[] {1}), results(round, 1));
  }

  static RoundResults results(long round, int clients) {
    List<ClientUpdate> ok = new ArrayList<>();
    for (int k = 0; k < clients; k++) {
      ok.add(new ClientUpdate("c" + k, round, 1, 1, 1, Map.of()));
    }
    return new RoundResults(round, ok, List.of());
  }

  /** Asserts each element of {@code actual} within a relative 1e-6 of the hand-computed value. */
  static void assertClose(double[] expected, ModelWeights actual) {
    assertEquals(expected.length, actual.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual.get(i), 1e-6 * Math.max(1, Math.abs(expected[i])), "element " + i);
    }
  }

  /** Asserts the named state vector equals {@code expected} exactly. */
  static void assertState(Strategy s, String name, float... expected) {
    float[] actual = s.state().get(name);
    assertArrayEquals(expected, actual, name);
  }

  /**
   * Runs rounds 1-3 of {@code deltas} on one instance, and rounds 1-2 then a checkpoint, a fresh
   * instance restored from it and round 3 on another: the two must end bit-identical, state included.
   */
  static void assertRestoreContinuesIdentically(Supplier<Strategy> fresh, float[][] deltas) {
    Strategy uninterrupted = fresh.get();
    Strategy first = fresh.get();
    ModelWeights x = model(0.25f, 1f, -1f);
    ModelWeights y = x;
    for (int r = 0; r < 2; r++) {
      x = step(uninterrupted, r + 1, x, deltas[r]);
      y = step(first, r + 1, y, deltas[r]);
    }
    Map<String, float[]> checkpoint = first.state();
    Strategy resumed = fresh.get();
    resumed.restoreState(checkpoint);
    x = step(uninterrupted, 3, x, deltas[2]);
    y = step(resumed, 3, y, deltas[2]);
    assertEquals(x, y);
    Map<String, float[]> a = uninterrupted.state();
    Map<String, float[]> b = resumed.state();
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, values) -> assertArrayEquals(values, b.get(name), name));
  }

  /** Asserts that {@code call} throws an IllegalArgumentException whose message has every fragment. */
  static void assertRejected(Runnable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
  }
}
