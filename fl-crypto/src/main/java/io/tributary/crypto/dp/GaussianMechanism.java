package io.tributary.crypto.dp;

/**
 * The Gaussian mechanism for real vectors without a floating-point sampler: each coordinate is snapped
 * to the grid gℤ and then moved by g·Z with Z ~ N_Z(0, (σ/g)²) drawn exactly by {@link
 * DiscreteGaussian}. The output is thus the discrete Gaussian mechanism of Canonne, Kamath and Steinke
 * (NeurIPS 2020) applied to the integer vector x/g rounded, scaled back by g, and inherits its exact
 * guarantee instead of the leaky one of a textbook floating-point Gaussian (Mironov, CCS 2012; Jin et
 * al., IEEE S&amp;P 2022).
 *
 * <p><b>Snapping.</b> Deterministic rounding to the nearest multiple of g (ties to even): R(v) =
 * g·rint(v/g). The granularity must be a power of two, so v/g and the final scaling are exact in
 * binary floating point and the per-coordinate error |R(v) − v| ≤ g/2 holds exactly. Values that are
 * NaN, infinite, or so large that v/g exceeds 2^52 are rejected.
 *
 * <p><b>Sensitivity.</b> Snapping moves a d-dimensional vector by at most g·√d/2 in L2 norm, and two
 * neighbouring inputs can be moved in opposite directions, so by the triangle inequality
 * ‖R(x) − R(x')‖₂ ≤ ‖x − x'‖₂ + g·√d: an L2 sensitivity Δ becomes Δ' = Δ + g·√d ({@link
 * #adjustedSensitivity}). The mechanism then satisfies ½(Δ'/σ_eff)²-concentrated DP, i.e. Rényi DP
 * ε(α) = αΔ'²/(2σ_eff²) for every α > 1, where σ_eff ≥ σ is {@link #effectiveSigma}: CKS 2020 show
 * that the Rényi divergence of order α between discrete Gaussians of parameter σ_Z with integer means
 * μ, ν is at most α(μ − ν)²/(2σ_Z²), divergences of independent coordinates add, and here the integer
 * vectors R(x)/g are at most Δ'/g apart with σ_Z = σ_eff/g.
 * {@link #defaultGranularity} picks g small enough that g·√d is at most 2^−10 of Δ.
 *
 * <p><b>Effective σ.</b> The discrete parameter σ/g is rounded up to 30 significant bits ({@link
 * DiscreteGaussian#fastSigmaAtLeast}) so that the sampler runs in 64-bit arithmetic; σ_eff = g times
 * that parameter exceeds σ by a relative 2^−29 at most. Accounting at the requested σ stays valid
 * (more noise never costs privacy); {@link #effectiveSigma} is the exact value used.
 *
 * <p>Immutable and thread-safe; the randomness comes from the {@link RandomBits} passed to each call.
 */
public final class GaussianMechanism {
  /** {@link #defaultGranularity} keeps σ/g at least 2^10 and g·√d at most 2^−10 of the sensitivity. */
  public static final int DEFAULT_RESOLUTION_BITS = 10;

  /** Grid indices stay below 2^52 in magnitude, so they and their sums with noise are exact doubles. */
  private static final double MAX_INDEX = 0x1p52;

  private final double sigma;
  private final double granularity;
  private final double discreteSigma;

  private GaussianMechanism(double sigma, double granularity) {
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be positive and finite, got " + sigma);
    }
    checkPowerOfTwo(granularity);
    double ratio = sigma / granularity; // exact: g is a power of two (barring under/overflow, caught next)
    if (!(ratio >= DiscreteGaussian.MIN_SIGMA && ratio <= DiscreteGaussian.MAX_SIGMA)) {
      throw new IllegalArgumentException("sigma / granularity must lie in [2^-8, 2^40], got " + sigma + " / "
          + granularity + " = " + ratio);
    }
    this.sigma = sigma;
    this.granularity = granularity;
    this.discreteSigma = DiscreteGaussian.fastSigmaAtLeast(ratio);
  }

  private static void checkPowerOfTwo(double granularity) {
    if (!(granularity > 0) || Double.isInfinite(granularity)
        || granularity != Math.scalb(1.0, Math.getExponent(granularity))
        || Math.getExponent(granularity) < Double.MIN_EXPONENT) {
      throw new IllegalArgumentException("granularity must be a positive normal power of two, got " + granularity);
    }
  }

  /**
   * The mechanism with noise standard deviation {@code sigma} (real units) on the grid of spacing
   * {@code granularity}.
   *
   * @throws IllegalArgumentException if sigma is not positive and finite, granularity is not a power of
   *     two, or sigma/granularity is outside [2^−8, 2^40]
   */
  public static GaussianMechanism of(double sigma, double granularity) {
    return new GaussianMechanism(sigma, granularity);
  }

  /**
   * The mechanism on the {@link #defaultGranularity} grid for vectors of {@code dimension} coordinates
   * whose L2 sensitivity is {@code l2Sensitivity}.
   */
  public static GaussianMechanism withDefaultGranularity(double sigma, double l2Sensitivity, int dimension) {
    return new GaussianMechanism(sigma, defaultGranularity(sigma, l2Sensitivity, dimension));
  }

  /**
   * The largest power of two g with σ/g ≥ 2^10 and g·√d ≤ 2^−10·Δ: the grid resolves the noise
   * finely and snapping inflates the sensitivity by at most 0.1%.
   *
   * @throws IllegalArgumentException if an argument is not positive and finite, or no such g leaves
   *     σ/g ≤ 2^40
   */
  public static double defaultGranularity(double sigma, double l2Sensitivity, int dimension) {
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be positive and finite, got " + sigma);
    }
    checkSensitivity(l2Sensitivity, dimension);
    double bound = Math.min(sigma, l2Sensitivity / Math.sqrt(dimension)) * 0x1p-10;
    double g = Math.scalb(1.0, Math.getExponent(bound)); // largest power of two <= bound
    if (g == 0 || !(sigma / g <= DiscreteGaussian.MAX_SIGMA)) {
      throw new IllegalArgumentException("no grid fits sigma " + sigma + ", sensitivity " + l2Sensitivity
          + " and dimension " + dimension + " (sigma/granularity would exceed 2^40)");
    }
    return g;
  }

  private static void checkSensitivity(double l2Sensitivity, int dimension) {
    if (!(l2Sensitivity > 0) || Double.isInfinite(l2Sensitivity)) {
      throw new IllegalArgumentException("l2Sensitivity must be positive and finite, got " + l2Sensitivity);
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
  }

  /** The requested noise standard deviation. */
  public double sigma() {
    return sigma;
  }

  /** The grid spacing g. */
  public double granularity() {
    return granularity;
  }

  /** The standard-deviation parameter of the noise actually added: g·σ_Z ≥ {@link #sigma}. */
  public double effectiveSigma() {
    return discreteSigma * granularity;
  }

  /** σ_Z, the discrete Gaussian's parameter in grid units (σ/g rounded up to 30 significant bits). */
  public double discreteSigma() {
    return discreteSigma;
  }

  /**
   * The L2 sensitivity after snapping, Δ + g·√d (see the class notes), rounded up so that it is never
   * below the true bound.
   */
  public double adjustedSensitivity(double l2Sensitivity, int dimension) {
    checkSensitivity(l2Sensitivity, dimension);
    return Math.nextUp(l2Sensitivity + Math.nextUp(granularity * Math.nextUp(Math.sqrt(dimension))));
  }

  /** Snaps each value to the grid and adds g·N_Z(0, σ_Z²) noise, in place. */
  public void addNoise(double[] values, RandomBits bits) {
    DiscreteGaussian noise = DiscreteGaussian.of(discreteSigma, bits);
    for (int i = 0; i < values.length; i++) {
      values[i] = (gridIndex(values[i], i) + noise.sample()) * granularity;
    }
  }

  /**
   * Snaps each value to the grid and adds g·N_Z(0, σ_Z²) noise, in place. The result is computed in
   * double and rounded once to float, a post-processing step that costs no privacy.
   */
  public void addNoise(float[] values, RandomBits bits) {
    DiscreteGaussian noise = DiscreteGaussian.of(discreteSigma, bits);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((gridIndex(values[i], i) + noise.sample()) * granularity);
    }
  }

  /** The value snapped to the grid, as a multiple of g (exact: g is a power of two). */
  public double snap(double value) {
    return gridIndex(value, 0) * granularity;
  }

  /** rint(value/g), an integer-valued double of magnitude at most 2^52. */
  private double gridIndex(double value, int index) {
    double scaled = Math.rint(value / granularity);
    if (!(Math.abs(scaled) <= MAX_INDEX)) {
      throw new IllegalArgumentException("value " + value + " at index " + index
          + " is not finite or too large for the grid of spacing " + granularity);
    }
    return scaled;
  }
}
