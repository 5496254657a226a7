package io.tributary.crypto.dp;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;

/**
 * Parameters and privacy accounting of the distributed discrete Gaussian mechanism (DDG) of Kairouz,
 * Liu &amp; Steinke, "The Distributed Discrete Gaussian Mechanism for Federated Learning with Secure
 * Aggregation" (ICML 2021, arXiv:2102.06387), run on top of SecAgg+.
 *
 * <p><b>Pipeline</b> (per client j, per round): clip x_j to L2 norm c → rotate with the round's
 * {@link RandomizedHadamard} (norm preserved, d' = padded dimension) → scale by 1/γ and round with
 * {@link ConditionalRandomizedRounding} (‖x̃_j‖₂ ≤ Δ₂ with certainty) → add a vector of d' independent
 * discrete Gaussians N_Z(0, σ²) (σ in grid units, the "local" scale) → reduce modulo 2^b and mask with
 * SecAgg+. The server learns only Σ_j (x̃_j + noise_j) mod 2^b over the survivors, reads it as signed,
 * un-rotates and multiplies by γ.
 *
 * <p><b>Sensitivity</b> (one client's update replaced by zero, the client still present and adding
 * its noise share — SecAgg shows the server who participates, so what is protected is the content of
 * an update). The sum's shift is one client's rounded vector x̃: ‖x̃‖₂ ≤ Δ₂ ({@link #l2Sensitivity},
 * Proposition 22's bound, see {@link ConditionalRandomizedRounding}) and, x̃ being an integer vector,
 * ‖x̃‖₁ ≤ min{Δ₂², √d Δ₂} ({@link #l1Sensitivity}): |v| ≤ v² for integers, and Cauchy–Schwarz. For
 * replace-one adjacency the shift is a difference of two rounded vectors: use {@link #rdpBound} with
 * 2Δ₂ and min{4Δ₂², 2√d Δ₂}.
 *
 * <p><b>Privacy of a sum of discrete Gaussians</b> ({@link #rdpBound}). A sum of m independent
 * N_Z(0, σ²) is not a discrete Gaussian, so the single-discrete-Gaussian bound (Canonne, Kamath &amp;
 * Steinke 2020) does not apply as such. Kairouz et al. (Proposition 14 of arXiv:2102.06387, the bound
 * their Theorem 1 is derived from; numbering of the arXiv version cited by the authors' code, Eq. 17
 * there) show: for σ ≥ 1/2, X_{i,j} ~ N_Z(0, σ²) independent (i ≤ d, j ≤ m), X = Σ_j X_{·,j}, and
 * integer shifts with ‖Δ‖₁ ≤ Δ₁, ‖Δ‖₂ ≤ Δ₂, for all α ≥ 1,
 *
 * <pre>
 *   D_α(X + Δ ‖ X) ≤ min{ α Δ₂²/(2mσ²) + τ d,
 *                         (α/2) (Δ₂²/(mσ²) + 2 Δ₁ τ/(√m σ) + τ² d),
 *                         (α/2) (Δ₂/(√m σ) + τ √d)² },
 *   τ = τ(σ, m) = 10 Σ_{k=1}^{m−1} exp(−2π² σ² k/(k+1)).
 * </pre>
 *
 * As σ grows τ vanishes and the bound tends to the continuous Gaussian's α Δ₂²/(2mσ²), m σ² being
 * the variance of the sum. The implementation follows this statement term by term as the authors'
 * accounting code does (google-research/federated, distributed_dp/accounting_utils.py,
 * {@code compute_rdp_dgaussian}); it is checked against brute-force Rényi divergences of exact
 * convolutions in the tests. From it, ρ-zCDP with ρ = min{Δ₂²/(2mσ²) + τd, ½(Δ₂²/(mσ²) + 2Δ₁τ/(√mσ)
 * + τ²d), ½(Δ₂/(√mσ) + τ√d)²} follows ({@link #zcdpRho}: each term is ≤ α × its ρ for α ≥ 1). Its
 * first and last terms are the paper's headline result (Theorem 1 of the arXiv version; Theorem 5 of
 * the ICML version as third-party code cites it): ½ε²-concentrated DP with ε = min{√(Δ₂²/(mσ²) +
 * 2τd), Δ₂/(√m σ) + τ√d}.
 *
 * <p><b>Dropouts and SecAgg+.</b> The noise that protects a client is the noise of the <em>other</em>
 * honest clients in the sum the server unmasks. The server may unmask a sum over as few survivors as
 * SecAgg+ allows (the server fails closed below the Shamir threshold t, see {@code SecAggServer}),
 * and clients colluding with the server contribute no noise the server does not know. The accounting
 * is therefore done with m = n_min, the {@link #minimumSurvivors minimum number of honest noise
 * carriers} in any sum the server can learn — e.g. {@link #noiseCarriers(int, int) t − (number of
 * corrupt clients)} — while each client adds σ² chosen so that n_min survivors alone carry the target
 * noise ({@link #localSigmaForNoiseMultiplier}). A sum over more carriers is the n_min-carrier sum plus
 * independent noise, i.e. a post-processing of it, so by the data-processing inequality the n_min
 * guarantee holds for every released sum. For the same reason the curve reported for m carriers is
 * min over m' ≤ m of Proposition 14 with m' summands ({@link #rdp(double, int)}): Proposition 14's
 * bound itself is not monotone in m when σ is small (τ grows with m), the true divergence is.
 *
 * <p><b>Subsampling and composition</b> ({@link #rdpCurve(double[], double)}). The authors' accounting
 * (the code behind the paper's experiments) bounds one round under Poisson client sampling with rate q
 * by the general Poisson-subsampled RDP bound of Zhu &amp; Wang ("Poisson Subsampled Rényi Differential
 * Privacy", ICML 2019, Theorem 5), applied to the DDG curve at integer orders, and takes the minimum
 * with the unamplified curve; rounds then compose additively (multiply by the number of rounds, e.g.
 * with an RDP accountant's composition). This class does the same; q = 1 gives the unamplified curve.
 * Amplification assumes the adversary does not learn who was sampled; a SecAgg server sees the
 * participants, so against the server itself q = 1 is the safe choice unless participation is hidden.
 *
 * <p><b>Modular wrap-around</b> ({@link #wrapProbability}). Coordinate i of the aggregate, in grid
 * units, is S_i = A_i + E_i + N_i: A = (1/γ) (1/√d') H D Σ_j x_j with ‖Σ_j x_j‖ ≤ n c, E the summed
 * rounding errors (|E_i| &lt; n, each error being in (−1, 1)), N the summed noise. Over the random
 * signs D (independent of the data), A_i is sub-Gaussian with variance proxy (nc/γ)²/d' (Hoeffding's
 * lemma; the rotation's flatness, ρ = 1); N_Z(0, σ²) is σ²-sub-Gaussian (Canonne, Kamath &amp; Steinke
 * 2020), so A_i + N_i is sub-Gaussian with v = (nc/γ)²/d' + nσ². S_i is recovered from its residue
 * modulo 2^b when |S_i| &lt; 2^(b−1), which holds when |A_i + N_i| &lt; 2^(b−1) − n, so by a union bound
 * over the d' coordinates
 *
 * <pre>
 *   P[some coordinate wraps] ≤ 2 d' exp(−(2^(b−1) − n)² / (2v)).
 * </pre>
 *
 * {@link #calibrate} picks the finest γ meeting a target for this bound (a rigorous version of the
 * paper's §4.4 choice, which equates k standard deviations √(n²c²/(dγ²) + n/4 + nσ²) of the aggregate
 * with 2^(b−1): {@link #heuristicGranularity}). Wrap-around is a correctness, not a privacy, failure:
 * reduction modulo 2^b is post-processing.
 *
 * <p>Immutable and thread-safe.
 */
public final class DistributedDiscreteGaussian {
  /** Proposition 14 assumes σ ≥ 1/2 (in grid units). */
  public static final double MIN_LOCAL_SIGMA = 0.5;

  private final int dimension;
  private final double clip;
  private final double granularity;
  private final double beta;
  private final int bits;
  private final int expectedClients;
  private final int minimumSurvivors;
  private final double localSigma;
  private final double l2;
  private final double l1;
  /** taus[m] = τ(σ, m) for m = 1..n_min (index 0 unused). */
  private final double[] taus;
  /** rdp(α) at n_min, by α: the subsampled curve asks for the same integer orders many times. */
  private final Map<Double, Double> rdpCache = new ConcurrentHashMap<>();

  /**
   * Creates the parameters of one round.
   *
   * @param dimension d', the padded dimension (a power of two when a {@link RandomizedHadamard} is
   *     used), at least 1
   * @param clip c &gt; 0, the L2 clip of a client's update, in model units
   * @param granularity γ &gt; 0, the grid step, in model units
   * @param beta β in [0, 1), the conditional rounding parameter (0: unconditional)
   * @param bits b in [2, 62]: the aggregate is computed modulo 2^b (32 for this project's SecAgg+)
   * @param expectedClients n ≥ 1: an upper bound on the number of clients whose inputs are summed
   *     (for the wrap-around bound)
   * @param minimumSurvivors n_min in [1, n]: the fewest honest clients whose noise is in any sum the
   *     server can unmask (for the privacy bound)
   * @param localSigma σ ≥ 1/2: each client's discrete Gaussian scale, in grid units
   * @throws IllegalArgumentException naming a parameter out of range
   */
  public DistributedDiscreteGaussian(int dimension, double clip, double granularity, double beta,
      int bits, int expectedClients, int minimumSurvivors, double localSigma) {
    if (!(granularity > 0) || Double.isInfinite(granularity)) {
      throw new IllegalArgumentException("granularity must be positive and finite, got " + granularity);
    }
    if (!(clip > 0) || !(clip / granularity <= ConditionalRandomizedRounding.MAX_SCALED_CLIP)) {
      throw new IllegalArgumentException("clip must be positive with clip / granularity at most 2^52,"
          + " got clip " + clip + ", granularity " + granularity);
    }
    if (bits < 2 || bits > 62) {
      throw new IllegalArgumentException("bits must be in [2, 62], got " + bits);
    }
    if (expectedClients < 1) {
      throw new IllegalArgumentException("expectedClients must be at least 1, got " + expectedClients);
    }
    if (minimumSurvivors < 1 || minimumSurvivors > expectedClients) {
      throw new IllegalArgumentException("minimumSurvivors must be in [1, expectedClients = "
          + expectedClients + "], got " + minimumSurvivors);
    }
    if (!(localSigma >= MIN_LOCAL_SIGMA) || Double.isInfinite(localSigma)) {
      throw new IllegalArgumentException("localSigma must be finite and at least 1/2 (Proposition 14),"
          + " got " + localSigma);
    }
    this.dimension = dimension;
    this.clip = clip;
    this.granularity = granularity;
    this.beta = beta;
    this.bits = bits;
    this.expectedClients = expectedClients;
    this.minimumSurvivors = minimumSurvivors;
    this.localSigma = localSigma;
    this.l2 = ConditionalRandomizedRounding.normBound(clip / granularity, dimension, beta);
    this.l1 = l1Bound(l2, dimension);
    this.taus = new double[minimumSurvivors + 1];
    double a = 2 * Math.PI * Math.PI * localSigma * localSigma;
    double sum = 0;
    for (int m = 2; m <= minimumSurvivors; m++) {
      sum += Math.exp(-a * (m - 1) / m); // the term k = m - 1
      taus[m] = 10 * sum;
    }
  }

  /**
   * Chooses γ and σ for a round: σ = z Δ₂(γ)/√n_min, so that n_min survivors carry total noise of
   * standard deviation (scale) z Δ₂, and γ the finest grid step (found by bisection to a relative
   * 10^−12) whose {@link #wrapProbability} is at most {@code wrapProbability}.
   *
   * @param noiseMultiplier z &gt; 0
   * @param wrapProbability the target for the wrap-around bound, in (0, 1)
   * @throws IllegalArgumentException when a parameter is out of range, when no γ meets the target
   *     (the noise alone wraps: more bits or a smaller z), or when the chosen σ is below 1/2 (raise z
   *     or lower n_min)
   * @see #DistributedDiscreteGaussian
   */
  public static DistributedDiscreteGaussian calibrate(int dimension, double clip, double beta,
      int bits, int expectedClients, int minimumSurvivors, double noiseMultiplier,
      double wrapProbability) {
    if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noiseMultiplier must be positive, got " + noiseMultiplier);
    }
    if (!(wrapProbability > 0 && wrapProbability < 1)) {
      throw new IllegalArgumentException("wrapProbability must be in (0, 1), got " + wrapProbability);
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clip must be positive and finite, got " + clip);
    }
    if (minimumSurvivors < 1 || minimumSurvivors > expectedClients) {
      throw new IllegalArgumentException("minimumSurvivors must be in [1, expectedClients = "
          + expectedClients + "], got " + minimumSurvivors);
    }
    ConditionalRandomizedRounding.normBound(0, dimension, beta); // validates d and beta
    // The bound decreases as gamma grows: c/gamma, Delta_2 and sigma = z Delta_2 / sqrt(n_min) all
    // shrink. Find a feasible gamma by doubling from a grid far finer than the clip, then bisect.
    DoubleUnaryOperator bound = g -> wrapBound(dimension, clip / g, expectedClients, bits,
        localSigmaForNoiseMultiplier(noiseMultiplier,
            ConditionalRandomizedRounding.normBound(clip / g, dimension, beta), minimumSurvivors));
    double lo = clip * 0x1p-64;
    double hi = clip;
    int doublings = 0;
    while (bound.applyAsDouble(hi) > wrapProbability) {
      lo = hi;
      hi *= 2;
      if (++doublings > 200) {
        throw new IllegalArgumentException("no granularity keeps the wrap-around bound below "
            + wrapProbability + ": the noise alone wraps modulo 2^" + bits
            + "; use more bits, a smaller noise multiplier, or fewer clients");
      }
    }
    while (hi - lo > 1e-12 * hi) {
      double mid = Math.sqrt(lo * hi); // lo > 0: bisect in log scale
      if (bound.applyAsDouble(mid) > wrapProbability) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double sigma = localSigmaForNoiseMultiplier(noiseMultiplier,
        ConditionalRandomizedRounding.normBound(clip / hi, dimension, beta), minimumSurvivors);
    if (sigma < MIN_LOCAL_SIGMA) {
      throw new IllegalArgumentException("the calibrated local sigma " + sigma + " is below 1/2"
          + " (Proposition 14's hypothesis): raise the noise multiplier or lower minimumSurvivors");
    }
    return new DistributedDiscreteGaussian(dimension, clip, hi, beta, bits, expectedClients,
        minimumSurvivors, sigma);
  }

  /**
   * The mechanism for one SecAgg+ round, as the simulation and the server both calibrate it: the
   * model padded to a power of two, β = e^−1/2 (Kairouz et al.'s choice), 32-bit sums, and each
   * client's share sized so that the fewest honest survivors a released sum can have — the Shamir
   * threshold t minus the assumed corrupt clients, ⌈corruptFraction · n⌉ — carry noise z·Δ₂ between
   * them, on a grid fine enough that the sum wraps with probability below 10^−6.
   *
   * @throws IllegalArgumentException when t leaves no honest carrier or the calibration fails (see
   *     {@link #calibrate})
   */
  public static DistributedDiscreteGaussian forSecureAggregation(int modelDimension, double clip,
      double noiseMultiplier, int cohort, int threshold, double corruptFraction) {
    int carriers = noiseCarriers(threshold, (int) Math.ceil(corruptFraction * cohort));
    return calibrate(RandomizedHadamard.paddedDimension(modelDimension), clip, Math.exp(-0.5), 32, cohort, carriers,
        noiseMultiplier, 1e-6);
  }

  /**
   * σ = z Δ₂/√n_min: the per-client scale with which n_min survivors carry noise of total scale
   * √n_min σ = z Δ₂, i.e. noise multiplier z relative to the rounded sensitivity.
   *
   * @param noiseMultiplier z &gt; 0
   * @param l2Sensitivity Δ₂ &gt; 0, in grid units
   * @param minimumSurvivors n_min ≥ 1
   */
  public static double localSigmaForNoiseMultiplier(
      double noiseMultiplier, double l2Sensitivity, int minimumSurvivors) {
    if (!(noiseMultiplier > 0) || !(l2Sensitivity > 0) || minimumSurvivors < 1) {
      throw new IllegalArgumentException("need z > 0, Delta_2 > 0 and n_min >= 1, got " + noiseMultiplier
          + ", " + l2Sensitivity + ", " + minimumSurvivors);
    }
    return noiseMultiplier * l2Sensitivity / Math.sqrt(minimumSurvivors);
  }

  /**
   * n_min for SecAgg+: a sum the server can unmask has at least t survivors ({@code SecAggServer}
   * fails closed below the threshold), of whom at most {@code corruptClients} may collude with the
   * server, whose noise therefore protects no one.
   *
   * @param threshold t, the SecAgg+ Shamir threshold (the fewest survivors a released sum has)
   * @param corruptClients an upper bound on the clients colluding with the server
   * @return t − corruptClients
   * @throws IllegalArgumentException when that is below 1
   */
  public static int noiseCarriers(int threshold, int corruptClients) {
    if (corruptClients < 0 || threshold - corruptClients < 1) {
      throw new IllegalArgumentException("threshold " + threshold + " minus corrupt clients "
          + corruptClients + " leaves no honest noise carrier");
    }
    return threshold - corruptClients;
  }

  /**
   * τ(σ, m) = 10 Σ_{k=1}^{m−1} exp(−2π² σ² k/(k+1)) of Proposition 14 (0 for m = 1: a single
   * discrete Gaussian).
   *
   * @param sigma σ &gt; 0, in grid units
   * @param summands m ≥ 1
   */
  public static double tau(double sigma, int summands) {
    if (!(sigma > 0) || summands < 1) {
      throw new IllegalArgumentException("need sigma > 0 and summands >= 1, got " + sigma + ", " + summands);
    }
    double a = 2 * Math.PI * Math.PI * sigma * sigma;
    double sum = 0;
    for (int k = summands - 1; k >= 1; k--) { // smallest terms first
      sum += Math.exp(-a * k / (k + 1.0));
    }
    return 10 * sum;
  }

  /**
   * Proposition 14's bound on D_α(X + Δ ‖ X) for X a sum of m independent d-dimensional N_Z(0, σ²)
   * and an integer shift with ‖Δ‖₂ ≤ l2, ‖Δ‖₁ ≤ l1 (formula in the class documentation).
   *
   * @param alpha α ≥ 1 (may be infinite: the bound is then infinite)
   * @param l2 Δ₂ ≥ 0
   * @param l1 Δ₁ ≥ 0
   * @param sigma σ ≥ 1/2
   * @param summands m ≥ 1
   * @param dimension d ≥ 1
   */
  public static double rdpBound(
      double alpha, double l2, double l1, double sigma, int summands, int dimension) {
    if (!(alpha >= 1)) {
      throw new IllegalArgumentException("alpha must be at least 1, got " + alpha);
    }
    if (!(l2 >= 0) || !(l1 >= 0) || dimension < 1) {
      throw new IllegalArgumentException("need l2, l1 >= 0 and dimension >= 1");
    }
    if (!(sigma >= MIN_LOCAL_SIGMA)) {
      throw new IllegalArgumentException("sigma must be at least 1/2 (Proposition 14), got " + sigma);
    }
    return bound(alpha, l2, l1, sigma, summands, dimension, tau(sigma, summands));
  }

  private static double bound(
      double alpha, double l2, double l1, double sigma, int summands, int dimension, double t) {
    double sd = Math.sqrt(summands) * sigma; // the scale of the sum
    double r2 = l2 / sd; // Delta_2 / (sqrt(m) sigma)
    double r1 = l1 / sd; // Delta_1 / (sqrt(m) sigma)
    double first = alpha * r2 * r2 / 2 + t * dimension;
    double second = alpha / 2 * (r2 * r2 + 2 * r1 * t + t * t * dimension);
    double root = r2 + t * Math.sqrt(dimension);
    double third = alpha / 2 * root * root;
    return Math.min(first, Math.min(second, third));
  }

  /**
   * The general Poisson-subsampled RDP bound of Zhu &amp; Wang (ICML 2019, Theorem 5), as the DDG
   * authors' accounting applies it: for an integer order α ≥ 2 and a mechanism with RDP ε(ℓ) at the
   * integer orders ℓ = 2..α, sampling each record independently with probability q gives
   *
   * <pre>
   *   ε'(α) ≤ 1/(α−1) · log( (1−q)^(α−1) (αq − q + 1) + C(α,2) q² (1−q)^(α−2) e^{ε(2)}
   *                          + 3 Σ_{ℓ=3}^{α} C(α,ℓ) q^ℓ (1−q)^(α−ℓ) e^{(ℓ−1) ε(ℓ)} ),
   * </pre>
   *
   * evaluated in log space. Returns ε(α) itself for q = 1.
   *
   * @param rdp ε(ℓ), called at ℓ = 2..α
   * @param alpha an integer order ≥ 2
   * @param q the sampling rate in (0, 1]
   */
  public static double poissonSubsampledRdp(DoubleUnaryOperator rdp, int alpha, double q) {
    Objects.requireNonNull(rdp, "rdp");
    if (alpha < 2) {
      throw new IllegalArgumentException("alpha must be an integer >= 2, got " + alpha);
    }
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("q must be in (0, 1], got " + q);
    }
    if (q == 1) {
      return rdp.applyAsDouble(alpha);
    }
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double[] logTerms = new double[alpha];
    logTerms[0] = (alpha - 1) * log1mQ + Math.log(alpha * q - q + 1);
    logTerms[1] = logBinomial(alpha, 2) + 2 * logQ + (alpha - 2) * log1mQ + rdp.applyAsDouble(2);
    for (int l = 3; l <= alpha; l++) {
      logTerms[l - 1] = Math.log(3) + logBinomial(alpha, l) + l * logQ + (alpha - l) * log1mQ
          + (l - 1) * rdp.applyAsDouble(l);
    }
    return logSumExp(logTerms) / (alpha - 1);
  }

  /** d', the (padded) dimension. */
  public int dimension() {
    return dimension;
  }

  /** c, the L2 clip in model units. */
  public double clip() {
    return clip;
  }

  /** γ, the grid step in model units. */
  public double granularity() {
    return granularity;
  }

  /** β, the conditional rounding parameter. */
  public double beta() {
    return beta;
  }

  /** b: the aggregate is computed modulo 2^b. */
  public int bits() {
    return bits;
  }

  /** n, the upper bound on the number of summed clients. */
  public int expectedClients() {
    return expectedClients;
  }

  /** n_min, the fewest honest noise carriers in a sum the server can unmask. */
  public int minimumSurvivors() {
    return minimumSurvivors;
  }

  /** σ, each client's discrete Gaussian scale, in grid units. */
  public double localSigma() {
    return localSigma;
  }

  /** σγ, each client's noise scale in model units. */
  public double localSigmaInModelUnits() {
    return localSigma * granularity;
  }

  /** c/γ, the clip in grid units. */
  public double scaledClip() {
    return clip / granularity;
  }

  /** Δ₂ in grid units: {@link ConditionalRandomizedRounding#normBound}(c/γ, d', β). */
  public double l2Sensitivity() {
    return l2;
  }

  /** Δ₁ = min{Δ₂², √d' Δ₂} in grid units. */
  public double l1Sensitivity() {
    return l1;
  }

  /** The rounding that enforces {@link #l2Sensitivity}, with the default number of attempts. */
  public ConditionalRandomizedRounding rounding() {
    return new ConditionalRandomizedRounding(granularity, clip, dimension, beta);
  }

  /** √n_min σ / Δ₂: the noise multiplier that n_min survivors carry. */
  public double noiseMultiplier() {
    return Math.sqrt(minimumSurvivors) * localSigma / l2;
  }

  /** τ(σ, n_min). */
  public double tau() {
    return taus[minimumSurvivors];
  }

  /** The RDP ε(α) of one round without subsampling, with n_min noise carriers: rdp(α, n_min). */
  public double rdp(double alpha) {
    if (!(alpha >= 1)) {
      throw new IllegalArgumentException("alpha must be at least 1, got " + alpha);
    }
    return rdpCache.computeIfAbsent(alpha, a -> rdp(a, minimumSurvivors));
  }

  /**
   * The RDP ε(α) of one round without subsampling when {@code noiseCarriers} honest clients' noise is
   * in the released sum: min over m' = 1..noiseCarriers of Proposition 14 with m' summands, Δ₂, Δ₁
   * and d' (a sum over m carriers is a post-processing — adding independent noise — of a sum over any
   * m' ≤ m of them). Non-increasing in noiseCarriers.
   *
   * @param alpha α ≥ 1
   * @param noiseCarriers m ≥ 1
   */
  public double rdp(double alpha, int noiseCarriers) {
    if (!(alpha >= 1)) {
      throw new IllegalArgumentException("alpha must be at least 1, got " + alpha);
    }
    if (noiseCarriers < 1) {
      throw new IllegalArgumentException("noiseCarriers must be at least 1, got " + noiseCarriers);
    }
    double a = 2 * Math.PI * Math.PI * localSigma * localSigma;
    double best = Double.POSITIVE_INFINITY;
    double t = 0;
    for (int m = 1; m <= noiseCarriers; m++) {
      if (m <= minimumSurvivors) {
        t = taus[m];
      } else {
        t += 10 * Math.exp(-a * (m - 1) / m);
      }
      best = Math.min(best, bound(alpha, l2, l1, localSigma, m, dimension, t));
    }
    return best;
  }

  /**
   * ρ such that one round (n_min carriers, no subsampling) is ρ-zCDP, i.e. ε(α) ≤ ρα for all α ≥ 1;
   * derived from Proposition 14 as stated in the class documentation (minimized, like {@link
   * #rdp(double, int)}, over m' = 1..n_min summands).
   */
  public double zcdpRho() {
    double best = Double.POSITIVE_INFINITY;
    for (int m = 1; m <= minimumSurvivors; m++) {
      double t = taus[m];
      double sd = Math.sqrt(m) * localSigma;
      double r2 = l2 / sd;
      double r1 = l1 / sd;
      double root = r2 + t * Math.sqrt(dimension);
      best = Math.min(best, Math.min(r2 * r2 / 2 + t * dimension,
          Math.min((r2 * r2 + 2 * r1 * t + t * t * dimension) / 2, root * root / 2)));
    }
    return best;
  }

  /** The unamplified per-round curve ε(α) at each order (each ≥ 1), for an RDP accountant. */
  public double[] rdpCurve(double[] orders) {
    Objects.requireNonNull(orders, "orders");
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      out[i] = rdp(orders[i]);
    }
    return out;
  }

  /**
   * The per-round curve under Poisson client sampling with rate q, as the paper's accounting computes
   * it: at each order α, min{ε(α), Zhu–Wang Theorem 5 at ⌈α⌉}, where rounding a fractional order up
   * is sound because Rényi divergence is non-decreasing in its order. Compose over T rounds by
   * multiplying by T.
   *
   * @param orders RDP orders, each &gt; 1
   * @param samplingRate q in (0, 1]; 1 returns {@link #rdpCurve(double[])}
   */
  public double[] rdpCurve(double[] orders, double samplingRate) {
    Objects.requireNonNull(orders, "orders");
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + samplingRate);
    }
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      double alpha = orders[i];
      if (!(alpha > 1)) {
        throw new IllegalArgumentException("orders must exceed 1, got " + alpha);
      }
      double plain = rdp(alpha);
      if (samplingRate == 1 || Double.isInfinite(alpha) || alpha > Integer.MAX_VALUE / 2) {
        out[i] = plain;
      } else {
        int integer = Math.max(2, (int) Math.ceil(alpha));
        out[i] = Math.min(plain, poissonSubsampledRdp(this::rdp, integer, samplingRate));
      }
    }
    return out;
  }

  /**
   * The bound 2 d' exp(−(2^(b−1) − n)² / (2v)), v = (nc/γ)²/d' + nσ², on the probability that some
   * coordinate of the aggregate of n clients wraps modulo 2^b (derivation in the class
   * documentation); capped at 1.
   */
  public double wrapProbability() {
    return wrapBound(dimension, clip / granularity, expectedClients, bits, localSigma);
  }

  /**
   * The paper's heuristic choice of γ (§4.4, Eq. 61 of the arXiv version as the authors' code cites
   * it; {@code heuristic_scale_factor} there, flatness ρ = 1, norm growth n): the γ at which k
   * standard deviations of an aggregate coordinate, treated as Gaussian, fill the modular range,
   * 2^b γ = 2k √(n²c²/d + (γ²/4 + σ²) n) with σ the local noise scale in model units, i.e.
   * γ = 2k √(n²c²/d + nσ²) / √(2^(2b) − nk²). Not a bound: see {@link #wrapProbability} for one.
   *
   * @param clip c &gt; 0
   * @param dimension d ≥ 1
   * @param bits b ≥ 1
   * @param clients n ≥ 1
   * @param localSigmaModelUnits σ ≥ 0 in model units
   * @param stddevs k &gt; 0
   * @throws IllegalArgumentException when 2^(2b) ≤ n k² (too few bits for n clients)
   */
  public static double heuristicGranularity(double clip, int dimension, int bits, int clients,
      double localSigmaModelUnits, double stddevs) {
    if (!(clip > 0) || dimension < 1 || bits < 1 || clients < 1 || !(localSigmaModelUnits >= 0)
        || !(stddevs > 0)) {
      throw new IllegalArgumentException("parameter out of range");
    }
    double range = Math.pow(2, 2.0 * bits);
    double rounding = clients * stddevs * stddevs;
    if (range <= rounding) {
      throw new IllegalArgumentException(bits + " bits are too few for " + clients + " clients at "
          + stddevs + " standard deviations");
    }
    double signal = (double) clients * clients * clip * clip / dimension
        + clients * localSigmaModelUnits * localSigmaModelUnits;
    return 2 * stddevs * Math.sqrt(signal) / Math.sqrt(range - rounding);
  }

  static double wrapBound(int dimension, double scaledClip, int clients, int bits, double sigma) {
    double margin = Math.scalb(1.0, bits - 1) - clients;
    if (margin <= 0) {
      return 1;
    }
    double signal = clients * scaledClip;
    double v = signal * signal / dimension + clients * sigma * sigma;
    double log = Math.log(2.0 * dimension) - margin * margin / (2 * v);
    return Math.min(1, Math.exp(log));
  }

  private static double l1Bound(double l2, int dimension) {
    return Math.min(l2 * l2, Math.sqrt(dimension) * l2);
  }

  private static double logBinomial(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }

  private static double logSumExp(double[] xs) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : xs) {
      max = Math.max(max, x);
    }
    if (Double.isInfinite(max)) {
      return max;
    }
    double s = 0;
    for (double x : xs) {
      s += Math.exp(x - max);
    }
    return max + Math.log(s);
  }

  @Override
  public String toString() {
    return "DistributedDiscreteGaussian[dimension=" + dimension + ", clip=" + clip + ", granularity="
        + granularity + ", beta=" + beta + ", bits=" + bits + ", expectedClients=" + expectedClients
        + ", minimumSurvivors=" + minimumSurvivors + ", localSigma=" + localSigma + ", l2Sensitivity="
        + l2 + ", l1Sensitivity=" + l1 + "]";
  }
}
