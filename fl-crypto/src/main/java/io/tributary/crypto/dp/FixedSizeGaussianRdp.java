package io.tributary.crypto.dp;

/**
 * An upper bound on the Rényi DP of the Gaussian mechanism applied to a fixed-size cohort: m of the
 * N records (clients) drawn uniformly <em>without replacement</em>, their contributions (each of L2
 * norm at most C) summed, and N(0, z²C²·I) noise added.
 *
 * <h2>Neighbouring relation</h2>
 *
 * With a fixed cohort size the natural adjacency is <em>replace-one</em> (datasets of the same
 * size N differing in one record), as in the theorem used here. Replacing one contribution u by v
 * changes the sum by u − v, of norm up to 2C, so the base (un-sampled) mechanism is the Gaussian
 * with sensitivity 2C and RDP ε(j) = j·(2C)²/(2z²C²) = 2j/z². (The Poisson accountant,
 * {@link SubsampledGaussianRdp}, is for add/remove adjacency with sensitivity C.) A guarantee under
 * replace-one is the appropriate one for fixed-size sampling; it must not be mixed with the Poisson
 * one as if they were the same notion.
 *
 * <h2>Bound at integer α ≥ 2</h2>
 *
 * Wang, Balle, Kasiviswanathan, "Subsampled Rényi Differential Privacy and Analytical Moments
 * Accountant" (AISTATS 2019), Theorem 9, with sampling ratio γ = m/N and a base mechanism with
 * ε(∞) = ∞ (so every min{2, (e^ε(∞) − 1)^j} is 2):
 *
 * <pre>
 *   ε'(α) ≤ 1/(α−1) · log(1 + γ² C(α,2) min{4(e^ε(2) − 1), 2e^ε(2)}
 *                            + Σ_{j=3..α} 2 γ^j C(α,j) e^((j−1)ε(j))),
 * </pre>
 *
 * evaluated in log space. It is further capped by the base mechanism's own ε(α) = 2α/z²: with the
 * two subsamples coupled so that they differ in at most one record, the outputs are mixtures of
 * pairs at Rényi divergence ≤ ε(α), and e^((α−1)D_α) is jointly convex, so subsampling never
 * increases the divergence. γ = 1 gives exactly 2α/z².
 *
 * <h2>Fractional α</h2>
 *
 * Theorem 9 is stated for integer orders only. For any pair of distributions, K(α) = (α−1)D_α(P‖Q)
 * = log E_Q[(P/Q)^α] is a cumulant-generating function (of log(P/Q) under Q), hence convex in α by
 * Hölder's inequality, with K(1) = 0 (see van Erven &amp; Harremoës 2014, "Rényi divergence and
 * Kullback–Leibler divergence", for this and for D_α being non-decreasing in α).
 * So for an order between integers k ≤ α ≤ k + 1, with
 * t = α − k, K(α) ≤ (1−t)K(k) + tK(k+1) ≤ (1−t)(k−1)B(k) + t·k·B(k+1), where B is the integer bound
 * above; for 1 &lt; α &lt; 2 this is (α−1)B(2), i.e. ε'(α) ≤ B(2). This interpolation is never
 * worse
 * than the simpler bound B(⌈α⌉) that monotonicity of D_α in α gives (it is (α−1)B(⌈α⌉) or less,
 * since (k−1)B(k) ≤ (α−1)B(k+1) when B is non-decreasing) and both are sound upper bounds.
 *
 * <p>Stateless and thread-safe.
 */
public final class FixedSizeGaussianRdp {

  private FixedSizeGaussianRdp() {}

  /**
   * Upper bound on ε(α) of one round with a cohort of {@code m} out of {@code n} drawn without
   * replacement, under replace-one adjacency.
   *
   * @param m cohort size, 1 ≤ m ≤ n
   * @param n population size
   * @param noiseMultiplier z ≥ 0, noise standard deviation over the per-record clip bound C
   * @param alpha order, 1 &lt; α ≤ 100000
   * @throws IllegalArgumentException naming the offending parameter
   */
  public static double rdp(int m, int n, double noiseMultiplier, double alpha) {
    check(m, n, noiseMultiplier);
    SubsampledGaussianRdp.checkOrder(alpha);
    return rdpUnchecked(m, n, noiseMultiplier, alpha);
  }

  /** {@link #rdp(int, int, double, double)} at each of {@code orders}. */
  public static double[] rdp(int m, int n, double noiseMultiplier, double[] orders) {
    check(m, n, noiseMultiplier);
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      SubsampledGaussianRdp.checkOrder(orders[i]);
      out[i] = rdpUnchecked(m, n, noiseMultiplier, orders[i]);
    }
    return out;
  }

  private static void check(int m, int n, double z) {
    if (n < 1) {
      throw new IllegalArgumentException("population size n must be >= 1, got " + n);
    }
    if (m < 1 || m > n) {
      throw new IllegalArgumentException("cohort size m must be in [1, n = " + n + "], got " + m);
    }
    if (!(z >= 0.0)) {
      throw new IllegalArgumentException("noise multiplier z must be >= 0 (and not NaN), got " + z);
    }
  }

  private static double rdpUnchecked(int m, int n, double z, double alpha) {
    if (z == 0.0) {
      return Double.POSITIVE_INFINITY;
    }
    if (z == Double.POSITIVE_INFINITY) {
      return 0.0;
    }
    double base = 2 * alpha / (z * z);
    if (m == n) {
      return base;
    }
    double gamma = (double) m / n;
    double bound;
    if (alpha <= 2) {
      bound = integerBound(gamma, z, 2);
    } else {
      int k = (int) Math.floor(alpha);
      double t = alpha - k;
      double kLow = (k - 1) * integerBound(gamma, z, k);
      double cumulant = t == 0 ? kLow : (1 - t) * kLow + t * k * integerBound(gamma, z, k + 1);
      bound = cumulant / (alpha - 1);
    }
    return Math.min(bound, base);
  }

  /** WBK 2019 Thm. 9 at integer α ≥ 2 for the Gaussian with ε(j) = 2j/z². */
  static double integerBound(double gamma, double z, int alpha) {
    double logGamma = Math.log(gamma);
    double eps2 = 4.0 / (z * z);
    RdpMath.SignedLogSum sum = new RdpMath.SignedLogSum();
    double logBinom = Math.log(alpha) + Math.log(alpha - 1.0) - Math.log(2.0); // log C(α, 2)
    double logMin = Math.min(Math.log(4.0) + RdpMath.logExpm1(eps2), Math.log(2.0) + eps2);
    sum.add(2 * logGamma + logBinom + logMin, 1);
    for (int j = 3; j <= alpha; j++) {
      logBinom += Math.log((double) (alpha - j + 1)) - Math.log(j);
      double epsJ = 2.0 * j / (z * z);
      sum.add(Math.log(2.0) + j * logGamma + logBinom + (j - 1) * epsJ, 1);
    }
    return RdpMath.log1pExp(sum.logAbs()) / (alpha - 1);
  }
}
