package io.tributary.crypto.dp;

/**
 * Rényi differential privacy of the Poisson-subsampled Gaussian mechanism (the "sampled Gaussian
 * mechanism"): every record (client) is included independently with probability {@code q}, the
 * included contributions, each of L2 norm at most the clip bound C, are summed and Gaussian noise
 * N(0, z²C²·I) is added. Neighbouring datasets differ by adding or removing one record.
 *
 * <h2>The quantity</h2>
 *
 * Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019),
 * Section 3, reduce the RDP of order α to a one-dimensional problem. With
 * μ₀ = N(0, z²), μ₁ = N(1, z²) and μ = (1−q)μ₀ + qμ₁,
 *
 * <pre>
 *   A_α = E_{x~μ₀}[(μ(x)/μ₀(x))^α],        ε(α) = log(A_α) / (α − 1),
 * </pre>
 *
 * (they show D_α(μ‖μ₀) ≥ D_α(μ₀‖μ), so this is the RDP of the mechanism). Writing
 * r(x) = μ₁(x)/μ₀(x) = exp((2x − 1)/(2z²)), and using ∫ μ₀ r^j dx over a half-line being
 * exp((j² − j)/(2z²)) times a normal probability, two expansions follow.
 *
 * <h3>Integer α (MTZ 2019, Sec. 3.3, eq. for integer α)</h3>
 *
 * <pre>
 *   A_α = Σ_{k=0..α} C(α,k) (1−q)^(α−k) q^k exp((k² − k)/(2z²)).
 * </pre>
 *
 * Because Σ_k C(α,k)(1−q)^(α−k)q^k = 1, this class evaluates
 * A_α − 1 = Σ_{k=2..α} C(α,k)(1−q)^(α−k) q^k (exp((k²−k)/(2z²)) − 1), a sum of positive terms,
 * by log-sum-exp; then log A_α = log1p(A_α − 1). Working with A_α − 1 keeps full relative accuracy
 * when ε(α) is tiny (q = 10⁻⁶, z = 100 gives A_α − 1 ≈ 10⁻¹⁶).
 *
 * <h3>Fractional α (MTZ 2019, Sec. 3.3, the two convergent series)</h3>
 *
 * Split the integral at z₀ = z² log(1/q − 1) + 1/2, the point where q·r(x) = 1 − q. Below z₀ expand
 * ((1−q) + q r)^α in powers of q r/(1−q) ≤ 1, above it in powers of (1−q)/(q r) ≤ 1 (generalised
 * binomial series, convergent on each side):
 *
 * <pre>
 *   A_α = A₁ + A₂,
 *   A₁ = Σ_{i≥0} C(α,i) (1−q)^(α−i) q^i  exp((i² − i)/(2z²)) · ½ erfc((i − z₀)/(√2 z)),
 *   A₂ = Σ_{i≥0} C(α,i) (1−q)^i q^(α−i)  exp((j² − j)/(2z²)) · ½ erfc((z₀ − j)/(√2 z)),  j = α − i,
 * </pre>
 *
 * with C(α,i) = α(α−1)…(α−i+1)/i!, whose sign alternates once i &gt; α. Again A_α − 1 is formed
 * directly: the i = 0 and 1 terms of A₁ are (1−q)^α Φ(z₀/z) and α(1−q)^(α−1) q Φ((z₀−1)/z), and
 *
 * <pre>
 *   A_α − 1 = [(1−q)^(α−1)(1 + (α−1)q) − 1] − (1−q)^α Φ̄(z₀/z) − α(1−q)^(α−1) q Φ̄((z₀−1)/z)
 *             + Σ_{i≥2} A₁,ᵢ + Σ_{i≥0} A₂,ᵢ ,
 * </pre>
 *
 * the bracket being expm1(a·log1p(−q) + log1p(a·q)) with a = α − 1, whose exponent is summed as a
 * power series in q when q is small (the two logarithms nearly cancel there). All terms are summed
 * as signed logarithms. For i &gt; α + 1 the terms alternate in sign and decrease in magnitude (the
 * |C(α,i)| factor and the rest both decrease there), so the remainder after stopping is bounded by
 * the first omitted term; the sum stops when a term falls below 10⁻¹⁵ of the running total. When
 * z₀/z is small (q near 1/2 with a large z) the tail decays only like i^(−α−2); then, after 200
 * alternating terms, the rest of the tail is summed by Euler's transform of the next 64 terms
 * (checked against the quadrature oracle at such points). The erfc factors are evaluated as
 * logarithms ({@link RdpMath#logErfc}), accurate far into the tail.
 * At an integer α the fractional series is finite and equals the integer formula (tested).
 *
 * <p>Edge cases: q = 0 gives 0 (no record is ever used); otherwise z = 0 gives +∞; q = 1 gives the
 * plain Gaussian's α/(2z²) (Mironov 2017, "Rényi Differential Privacy", Gaussian mechanism);
 * z = +∞ gives 0. Orders are limited to α ≤ {@value #MAX_ORDER}.
 *
 * <p>Stateless and thread-safe.
 */
public final class SubsampledGaussianRdp {

  /** Relative size of the first omitted term at which the fractional-order series stop. */
  private static final double SERIES_TOLERANCE = 1e-15;

  /** Largest order accepted (the series need about α terms). */
  static final double MAX_ORDER = 100_000;

  /** Alternating terms summed one by one before the rest of the tail is Euler-transformed. */
  private static final int ACCELERATE_AFTER = 200;

  /** Terms the Euler transform of the tail uses. */
  private static final int EULER_TERMS = 64;

  private SubsampledGaussianRdp() {}

  /**
   * ε(α) of one step of the Poisson-subsampled Gaussian mechanism.
   *
   * @param q sampling rate in [0, 1]
   * @param noiseMultiplier z ≥ 0, the noise standard deviation divided by the L2 clip bound
   * @param alpha Rényi order, 1 &lt; α ≤ {@value #MAX_ORDER}
   * @return ε(α) ≥ 0, possibly +∞ (z = 0)
   * @throws IllegalArgumentException naming the offending parameter
   */
  public static double rdp(double q, double noiseMultiplier, double alpha) {
    checkArguments(q, noiseMultiplier);
    checkOrder(alpha);
    return rdpUnchecked(q, noiseMultiplier, alpha);
  }

  /**
   * ε(α) at each of {@code orders}.
   *
   * @throws IllegalArgumentException naming the offending parameter
   */
  public static double[] rdp(double q, double noiseMultiplier, double[] orders) {
    checkArguments(q, noiseMultiplier);
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      checkOrder(orders[i]);
      out[i] = rdpUnchecked(q, noiseMultiplier, orders[i]);
    }
    return out;
  }

  /**
   * ε(α) from the fractional-order series even at an integer α (where it is a finite sum); for
   * tests that the two expansions agree.
   */
  static double rdpFractionalSeries(double q, double z, double alpha) {
    checkArguments(q, z);
    checkOrder(alpha);
    Double special = special(q, z, alpha);
    if (special != null) {
      return special;
    }
    return RdpMath.log1pExp(logAMinus1Fractional(q, z, alpha)) / (alpha - 1);
  }

  /** ε(α) from the integer-order binomial sum; {@code alpha} must be an integer ≥ 2. */
  static double rdpIntegerSum(double q, double z, int alpha) {
    checkArguments(q, z);
    checkOrder(alpha);
    Double special = special(q, z, alpha);
    if (special != null) {
      return special;
    }
    return RdpMath.log1pExp(logAMinus1Integer(q, z, alpha)) / (alpha - 1);
  }

  static void checkArguments(double q, double noiseMultiplier) {
    if (!(q >= 0.0 && q <= 1.0)) {
      throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
    }
    if (!(noiseMultiplier >= 0.0)) {
      throw new IllegalArgumentException(
          "noise multiplier z must be >= 0 (and not NaN), got " + noiseMultiplier);
    }
  }

  static void checkOrder(double alpha) {
    if (!(alpha > 1.0 && alpha <= MAX_ORDER)) {
      throw new IllegalArgumentException(
          "Renyi order alpha must be > 1 and <= " + MAX_ORDER + ", got " + alpha);
    }
  }

  private static Double special(double q, double z, double alpha) {
    if (q == 0.0 || z == Double.POSITIVE_INFINITY) {
      return 0.0;
    }
    if (z == 0.0) {
      return Double.POSITIVE_INFINITY;
    }
    if (q == 1.0) {
      return alpha / (2 * z * z);
    }
    return null;
  }

  private static double rdpUnchecked(double q, double z, double alpha) {
    Double special = special(q, z, alpha);
    if (special != null) {
      return special;
    }
    double logAm1;
    if (alpha == Math.rint(alpha) && alpha <= Integer.MAX_VALUE) {
      logAm1 = logAMinus1Integer(q, z, (int) alpha);
    } else {
      logAm1 = logAMinus1Fractional(q, z, alpha);
      if (Double.isNaN(logAm1)) {
        // The series came out non-positive (rounding when A_α − 1 is near the limits of double
        // precision). RDP is non-decreasing in α, so the value at ⌈α⌉ is a sound upper bound.
        logAm1 = logAMinus1Integer(q, z, (int) Math.ceil(alpha));
        return RdpMath.log1pExp(logAm1) / (Math.ceil(alpha) - 1);
      }
    }
    return RdpMath.log1pExp(logAm1) / (alpha - 1);
  }

  /** log of the i-th term of A₁ without its binomial coefficient. */
  private static double seriesTerm1(int i, double alpha, double logQ, double log1mQ, double twoZ2,
      double z0, double z) {
    double c = ((double) i * i - i) / twoZ2;
    return (alpha - i) * log1mQ + i * logQ + c + RdpMath.logNormalTail((i - z0) / z);
  }

  /** log of the i-th term of A₂ without its binomial coefficient. */
  private static double seriesTerm2(int i, double alpha, double logQ, double log1mQ, double twoZ2,
      double z0, double z) {
    double j = alpha - i;
    double c = (j * j - j) / twoZ2;
    return i * log1mQ + j * logQ + c + RdpMath.logNormalTail((z0 - j) / z);
  }

  /**
   * Adds Σ_{k≥i} C(α,k)(A₁,ₖ' + A₂,ₖ') for i &gt; α + 1, where the terms alternate in sign with
   * smoothly decreasing magnitudes, by the Euler (van Wijngaarden) transform: the partial sums of
   * the next {@value #EULER_TERMS} terms are averaged pairwise {@value #EULER_TERMS} − 1 times. For
   * magnitudes that behave like k^(−p) this is accurate far beyond the last term summed.
   *
   * @param logAbsBinom log |C(α, i − 1)|
   * @param binomSign sign of C(α, i − 1)
   */
  private static void addAlternatingTail(RdpMath.SignedLogSum sum, int i, double logAbsBinom,
      int binomSign, double alpha, double logQ, double log1mQ, double twoZ2, double z0, double z) {
    double ref = sum.logAbs();
    double[] partial = new double[EULER_TERMS];
    double running = 0.0;
    for (int k = 0; k < EULER_TERMS; k++) {
      int idx = i + k;
      double factor = alpha - (idx - 1);
      logAbsBinom += Math.log(Math.abs(factor)) - Math.log(idx);
      if (factor < 0) {
        binomSign = -binomSign;
      }
      double t1 = seriesTerm1(idx, alpha, logQ, log1mQ, twoZ2, z0, z);
      double t2 = seriesTerm2(idx, alpha, logQ, log1mQ, twoZ2, z0, z);
      running += binomSign * (Math.exp(logAbsBinom + t1 - ref) + Math.exp(logAbsBinom + t2 - ref));
      partial[k] = running;
    }
    for (int level = EULER_TERMS - 1; level > 0; level--) {
      for (int k = 0; k < level; k++) {
        partial[k] = 0.5 * (partial[k] + partial[k + 1]);
      }
    }
    double tail = partial[0];
    if (tail != 0.0) {
      sum.add(ref + Math.log(Math.abs(tail)), tail > 0 ? 1 : -1);
    }
  }

  /**
   * a·log(1−q) + log(1 + a·q), which is −(a + a²)q²/2 + O(q³): for small q the two logarithms
   * cancel, so there the power series Σ_{k≥2} ((−1)^(k+1) a^k − a) q^k / k is summed instead.
   */
  static double logBracket(double a, double q, double log1mQ) {
    if (q < 0.01 && a * q < 0.01) {
      double sum = 0.0;
      double qk = q;
      double ak = a;
      for (int k = 2; k < 60; k++) {
        qk *= q;
        ak *= -a;
        // ak = (−1)^(k+1) a^k
        double term = (ak - a) * qk / k;
        sum += term;
        // the bound on this and later terms, not |term|, which is 0 at every odd k when a = 1
        if ((Math.abs(ak) + a) * qk / k < 1e-18 * Math.abs(sum)) {
          break;
        }
      }
      return sum;
    }
    return a * log1mQ + Math.log1p(a * q);
  }

  /** log(A_α − 1) for integer α ≥ 2 and 0 &lt; q &lt; 1, 0 &lt; z &lt; ∞. */
  static double logAMinus1Integer(double q, double z, int alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoZ2 = 2 * z * z;
    RdpMath.SignedLogSum sum = new RdpMath.SignedLogSum();
    double logBinom = Math.log(alpha); // log C(α, 1)
    for (int k = 2; k <= alpha; k++) {
      logBinom += Math.log((double) (alpha - k + 1)) - Math.log(k);
      double c = ((double) k * k - k) / twoZ2;
      sum.add(logBinom + (alpha - k) * log1mQ + k * logQ + RdpMath.logExpm1(c), 1);
    }
    return sum.logAbs();
  }

  /**
   * log(A_α − 1) from the two series of MTZ 2019 Sec. 3.3, for 0 &lt; q &lt; 1, 0 &lt; z &lt; ∞ and
   * α &gt; 1;
   * NaN when the computed A_α − 1 is not positive.
   */
  static double logAMinus1Fractional(double q, double z, double alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoZ2 = 2 * z * z;
    double z0 = z * z * (log1mQ - logQ) + 0.5;
    RdpMath.SignedLogSum sum = new RdpMath.SignedLogSum();

    // [(1−q)^(α−1)(1 + (α−1)q) − 1]
    double bracketLog = logBracket(alpha - 1, q, log1mQ);
    if (bracketLog != 0.0) {
      double m = Math.expm1(bracketLog);
      sum.add(Math.log(Math.abs(m)), m > 0 ? 1 : -1);
    }
    // − (1−q)^α Φ̄(z₀/z) − α(1−q)^(α−1) q Φ̄((z₀−1)/z)
    sum.add(alpha * log1mQ + RdpMath.logNormalTail(z0 / z), -1);
    sum.add(Math.log(alpha) + (alpha - 1) * log1mQ + logQ + RdpMath.logNormalTail((z0 - 1) / z),
        -1);

    double logAbsBinom = 0.0; // log |C(α, 0)|
    int binomSign = 1;
    double logTol = Math.log(SERIES_TOLERANCE);
    for (int i = 0; ; i++) { // ends by convergence or, at the latest, by the Euler transform
      if (i > alpha + 1 + ACCELERATE_AFTER) {
        // Slowly converging alternating tail (z₀/z small): sum it by Euler's transform.
        addAlternatingTail(sum, i, logAbsBinom, binomSign, alpha, logQ, log1mQ, twoZ2, z0, z);
        break;
      }
      if (i > 0) {
        double factor = alpha - (i - 1);
        if (factor == 0.0) {
          break; // integer α: C(α, i) = 0 from here on
        }
        logAbsBinom += Math.log(Math.abs(factor)) - Math.log(i);
        if (factor < 0) {
          binomSign = -binomSign;
        }
      }
      double t1 = i >= 2
          ? seriesTerm1(i, alpha, logQ, log1mQ, twoZ2, z0, z)
          : Double.NEGATIVE_INFINITY;
      double t2 = seriesTerm2(i, alpha, logQ, log1mQ, twoZ2, z0, z);
      sum.add(logAbsBinom + t1, binomSign);
      sum.add(logAbsBinom + t2, binomSign);
      double termMax = logAbsBinom + Math.max(t1, t2);
      if (i > alpha + 1 && termMax < sum.logAbs() + logTol) {
        break;
      }
    }
    if (sum.signum() <= 0) {
      return Double.NaN;
    }
    return sum.logAbs();
  }
}
