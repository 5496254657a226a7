package io.tributary.core.aggregate.robust;

import io.tributary.core.aggregate.Aggregations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Krum and Multi-Krum. Of n updates, at most f of them Byzantine, each update i gets the score
 * s(i) = Σ_{j ∈ N(i)} ‖Δ_i − Δ_j‖², where N(i) are the n − f − 2 updates nearest to Δ_i (other than
 * itself). Krum returns the update with the lowest score; Multi-Krum the mean of the m updates with
 * the lowest scores (m = 1 is Krum). Requires n ≥ 2f + 3.
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer: "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017.
 *
 * <p>Weights: the paper's Multi-Krum averages the selected updates equally; here they are averaged
 * with their aggregation weights, as the rest of the project averages updates (p_i ∝ n_i). A
 * Byzantine client can claim any weight, so pass {@code null} (equal weights) to follow the paper
 * when weights are not trusted. Krum (m = 1) returns the selected update whatever the weights.
 *
 * <p>Determinism: squared distances are summed in double over the coordinates in order, so they
 * do not depend on where updates sit in the list; each score sums its n − f − 2 smallest distances
 * in ascending order. Ties between scores go to the smaller index in the list — the only way the
 * input order can change the result — and the selected updates are averaged in order of (score,
 * index). Memory: O(K·D) for the input, O(K²) distances, O(D) result. Time O(K²·D). Immutable and
 * thread-safe.
 */
public final class MultiKrum implements RobustAggregator {
  /** {@link #m} of {@link #multiKrum(int)}: n − f, taken from each round's n. */
  private static final int ALL_BUT_F = 0;

  private final int f;
  private final int m;

  private MultiKrum(int f, int m) {
    this.f = checkF(f);
    this.m = m;
  }

  /**
   * Krum: the single update with the lowest score.
   *
   * @param f the number of Byzantine updates to tolerate, at least 0
   */
  public static MultiKrum krum(int f) {
    return new MultiKrum(f, 1);
  }

  /**
   * Multi-Krum: the mean of the {@code m} updates with the lowest scores.
   *
   * @param f the number of Byzantine updates to tolerate, at least 0
   * @param m how many updates to average, at least 1 and at most the number of updates; n − f keeps
   *     the f worst-scored out
   */
  public static MultiKrum multiKrum(int f, int m) {
    if (m < 1) {
      throw new IllegalArgumentException("multi-krum m (updates averaged) must be >= 1, got " + m);
    }
    return new MultiKrum(f, m);
  }

  /**
   * Multi-Krum averaging the n − f best-scored of each round's n updates (the f worst are left out),
   * however many updates a round has.
   *
   * @param f the number of Byzantine updates to tolerate, at least 0
   */
  public static MultiKrum multiKrum(int f) {
    return new MultiKrum(f, ALL_BUT_F);
  }

  /** The number of Byzantine updates tolerated. */
  public int f() {
    return f;
  }

  /** The number of updates averaged (1 for Krum), or 0 when it is n − f for each round's n. */
  public int m() {
    return m;
  }

  /**
   * Every update's Krum score: the sum of its squared L2 distances to its n − f − 2 nearest other
   * updates.
   *
   * @throws IllegalArgumentException naming n and f when n &lt; 2f + 3, or as {@link
   *     RobustAggregator#aggregate} describes
   */
  public static double[] scores(List<float[]> updates, int f) {
    checkF(f);
    int d = Updates.checkUpdates(updates);
    int n = updates.size();
    if (n < 2L * f + 3) {
      throw new IllegalArgumentException("Krum needs n >= 2f + 3 updates: got n = " + n + " with f = "
          + f + " (at least " + (2L * f + 3) + ")");
    }
    double[][] distance = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        distance[i][j] = squaredDistance(updates.get(i), updates.get(j), d);
        distance[j][i] = distance[i][j];
      }
    }
    int nearest = n - f - 2;
    double[] scores = new double[n];
    double[] others = new double[n - 1];
    for (int i = 0; i < n; i++) {
      for (int j = 0, o = 0; j < n; j++) {
        if (j != i) {
          others[o++] = distance[i][j];
        }
      }
      Arrays.sort(others);
      double score = 0;
      for (int j = 0; j < nearest; j++) {
        score += others[j];
      }
      scores[i] = score;
    }
    return scores;
  }

  /**
   * The indices of the {@code m} updates with the lowest {@link #scores}, lowest first; equal scores
   * go to the smaller index.
   *
   * @throws IllegalArgumentException when {@code m} is not in [1, n], or as {@link #scores} does
   */
  public static int[] select(List<float[]> updates, int f, int m) {
    double[] scores = scores(updates, f);
    if (m < 1 || m > scores.length) {
      throw new IllegalArgumentException(
          "multi-krum m = " + m + " must be in [1, n] for n = " + scores.length + " updates");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i));
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = order[i];
    }
    return out;
  }

  @Override
  public float[] aggregate(List<float[]> updates, long[] weights) {
    long[] w = Updates.checkWeights(weights, updates.size());
    int[] chosen = select(updates, f, m == ALL_BUT_F ? Math.max(1, updates.size() - f) : m);
    List<float[]> vectors = new ArrayList<>(chosen.length);
    List<Long> chosenWeights = new ArrayList<>(chosen.length);
    for (int i : chosen) {
      vectors.add(updates.get(i));
      chosenWeights.add(w[i]);
    }
    // Krum's single update passes through exactly: w·x / w is x again in double.
    double[] mean = Aggregations.weightedMean(vectors, chosenWeights);
    float[] out = new float[mean.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) mean[i];
    }
    return out;
  }

  @Override
  public String name() {
    return m == 1 ? "krum" : "multi-krum";
  }

  @Override
  public String toString() {
    return m == 1 ? "Krum{f=" + f + "}" : "MultiKrum{f=" + f + ", m=" + (m == ALL_BUT_F ? "n-f" : m) + "}";
  }

  private static double squaredDistance(float[] a, float[] b, int d) {
    double sum = 0;
    for (int i = 0; i < d; i++) {
      double diff = (double) a[i] - b[i];
      sum += diff * diff;
    }
    return sum;
  }

  private static int checkF(int f) {
    if (f < 0) {
      throw new IllegalArgumentException("krum f (Byzantine updates tolerated) must be >= 0, got " + f);
    }
    return f;
  }
}
