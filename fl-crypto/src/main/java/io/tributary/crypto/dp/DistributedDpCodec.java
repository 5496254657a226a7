package io.tributary.crypto.dp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The layout and the client/server transforms of the vector a client masks in a secure round with
 * <em>distributed</em> differential privacy: the distributed discrete Gaussian mechanism (DDG) of
 * Kairouz, Liu &amp; Steinke, "The Distributed Discrete Gaussian Mechanism for Federated Learning with
 * Secure Aggregation" (ICML 2021, arXiv:2102.06387), on top of this project's SecAgg+ (sums of
 * {@code int[]} modulo 2^32). It is the DP analogue of {@code secagg.SecureUpdateCodec}: clients call
 * {@link #encode}, mask the result with {@code SecAggClient}, the server unmasks the survivors' sum
 * with {@code SecAggServer} and calls {@link #decode}. Parameters, privacy accounting and the choice of
 * γ are {@link DistributedDiscreteGaussian}'s; docs/dp/distributed-dgauss.md has the derivations.
 *
 * <pre>
 *   [ z_1 … z_d' | 1 ]      z = x̃ + N mod 2^32 (two's complement), d' = padded dimension
 * </pre>
 *
 * <p><b>Client</b> ({@link #encode}; the client procedure of the paper's §4, step by step):
 *
 * <ol>
 *   <li>refuse a NaN or infinite coordinate (before drawing any randomness: a diverged client must
 *       not send anything, and the server cannot inspect a masked vector);
 *   <li><b>clip</b>: x ← x · min(1, c/‖x‖₂), so ‖x‖₂ ≤ c (the reported {@link Encoded#norm} is ‖x‖₂
 *       before clipping, for the client's adaptive-clipping bit and logs; it is <em>not</em> sent);
 *   <li><b>flatten</b>: y = (1/√d') H D x, the {@link RandomizedHadamard} rotation whose signs D come
 *       from the public per-round seed (zero-padding x to d'), which preserves ‖·‖₂;
 *   <li><b>scale and round</b>: x̃ = {@link ConditionalRandomizedRounding} of y/γ, re-drawn until
 *       ‖x̃‖₂ ≤ Δ₂ (coins from {@code bits::nextLong}), so that one client's contribution to the sum
 *       has L2 norm at most {@link DistributedDiscreteGaussian#l2Sensitivity() Δ₂} with certainty;
 *   <li><b>perturb</b>: z = x̃ + N, N a vector of d' independent exact N_Z(0, σ²) samples
 *       ({@link DiscreteGaussian}, from the same {@link RandomBits}, after the rounding's coins);
 *   <li><b>modular reduction</b>: each z_i is reduced modulo 2^32 into an {@code int}: Java's
 *       narrowing of a {@code long} keeps the low 32 bits, i.e. the two's-complement residue, so a
 *       negative z_i needs no offset;
 *   <li>append the <b>count</b> 1.
 * </ol>
 *
 * <p><b>Server</b> ({@link #decode}; the paper's server procedure): with S the survivors' sum modulo
 * 2^32 (masks removed), (1) check the count coordinate against the number of survivors summed; (2)
 * <b>modular clipping</b>: read each S_i as a <em>signed</em> 32-bit integer, i.e. the residue in
 * [−2^31, 2^31) — this is the true sum Σ_j z_ij whenever that lies in the range; (3) un-flatten, D
 * (1/√d') H S, and truncate to the first d coordinates (the padding coordinates carry only rounding
 * and noise); (4) multiply by γ. The result is the noisy <em>sum</em> Σ_j clip(x_j) + γ·(rounding
 * error) + γ·D(1/√d')H·ΣN_j; the caller divides by its fixed denominator. The decoder uses nothing
 * but the unmasked sum and public parameters.
 *
 * <p><b>Noise.</b> The sampler is run at σ' = {@link DiscreteGaussian#fastSigmaAtLeast}(σ) ≥ σ, which
 * exceeds the calibrated σ by a relative 2^−29 at most and keeps the exact sampler on its 64-bit
 * path; more noise than accounted for never weakens the privacy guarantee, and the wrap-around bound
 * moves by the same negligible factor. Each coordinate of the decoded sum of n clients then carries
 * noise of variance at most n σ'² γ² ({@link #noiseStddevInModelUnits(int)}): the noise of the d'
 * rotated coordinates is independent, each a sum of n discrete Gaussians of variance below σ'², and
 * the inverse rotation is orthogonal, so after it the coordinates are uncorrelated with that same
 * variance (not independent: a sum of discrete Gaussians is not rotation-invariant).
 *
 * <p><b>Weights are uniform.</b> Unlike {@code SecureUpdateCodec}, which folds a client weight w into
 * the coordinates, every client here contributes its clipped update with weight 1: DP needs a bound
 * on one client's contribution <em>after</em> weighting, which Δ₂ is only for w = 1 (a weight w ≤ W
 * would multiply the sensitivity by W, for which the noise would have to be calibrated). The count
 * coordinate is therefore the number of summands, which the server knows anyway from the survivor
 * set (SecAgg+ reveals who participates): it is a sanity check, not information, and carries no noise.
 * A mask left in, a survivor's input missing or counted twice, or a client encoding with a different
 * codec, make it differ from the survivor count with overwhelming probability; a malicious client can
 * of course write any count (and any vector): the check catches accidents, not attacks.
 *
 * <p><b>Wrap-around.</b> A coordinate of the aggregate whose true value leaves [−2^31, 2^31) comes
 * back shifted by a multiple of 2^32, and the decoder <em>cannot</em> tell in general: every residue
 * is a legitimate sum. {@link DistributedDiscreteGaussian#calibrate} chose γ so that the probability
 * of any wrap among n ≤ {@link DistributedDiscreteGaussian#expectedClients() expectedClients}
 * summands is below its target (summing more clients than that voids the bound). As a cheap symptom,
 * {@link Decoded#nearWrapFraction} is the fraction of the d' signed coordinates with |S_i| &gt;
 * {@link #NEAR_WRAP_THRESHOLD} = 2^30: a healthy aggregate has almost none ({@link
 * #nearWrapProbabilityBound} bounds the expected fraction), a wrapped one typically several, and a sum
 * with a mask left in about one half (uniform residues). The caller logs a warning when it is
 * noticeably above the bound. Wrap-around is a correctness failure only: the reduction is
 * post-processing and costs no privacy.
 *
 * <p><b>The rotation seed</b> is public and must be the same for all clients and the server of a
 * round, and fixed independently of the clients' data. Privacy does not depend on it (clipping
 * precedes the rotation, which preserves the norm, so Δ₂ holds for every D); a badly chosen seed
 * could only raise the wrap-around probability. {@link #rotationSeed(long, long)} derives it from the
 * round's SecAgg+ graph seed, which every client already receives, so no extra message is needed.
 *
 * <p>Immutable and thread-safe; the {@link RandomBits} a caller passes to {@link #encode} is not
 * (one per thread or simulated client).
 */
public final class DistributedDpCodec {
  /** The modulus of this project's SecAgg+ sums is 2^32. */
  public static final int MODULUS_BITS = 32;

  /** Signed aggregate coordinates with |S_i| above 2^30 count towards {@link Decoded#nearWrapFraction}. */
  public static final long NEAR_WRAP_THRESHOLD = 1L << 30;

  private static final byte[] ROTATION_DOMAIN =
      "tributary/dp/distributed-dp-codec/rotation-seed/v1\0".getBytes(StandardCharsets.US_ASCII);

  private final DistributedDiscreteGaussian parameters;
  private final int dimension;
  private final int paddedDimension;
  private final byte[] rotationSeed;
  private final RandomizedHadamard rotation;
  private final ConditionalRandomizedRounding rounding;
  /** σ' in grid units, the sampler's exact scale; 0 for the noise-free test codec. */
  private final double noiseSigma;

  /**
   * What a client sends (to be masked) and keeps.
   *
   * @param values the {@link #length()} values to mask, modulo 2^32
   * @param clipped whether the update's norm exceeded the clip c (the adaptive-clipping bit)
   * @param norm ‖update‖₂ before clipping, in model units; local only, never sent
   */
  public record Encoded(int[] values, boolean clipped, double norm) {
    /** Validates and keeps the array as given (no copy). */
    public Encoded {
      Objects.requireNonNull(values, "values");
    }
  }

  /**
   * What the server learns from the unmasked sum.
   *
   * @param noisySum the d coordinates of Σ_j clip(x_j) plus rounding error and noise, in model units
   *     (a sum: divide by the round's denominator for a mean)
   * @param summands the count coordinate, equal to the number of survivors summed
   * @param nearWrapFraction the fraction of the d' signed aggregate coordinates with |S_i| &gt; 2^30
   *     (a wrap-around symptom, see the class documentation)
   */
  public record Decoded(double[] noisySum, int summands, double nearWrapFraction) {
    /** Validates and keeps the array as given (no copy). */
    public Decoded {
      Objects.requireNonNull(noisySum, "noisySum");
    }

    /** The noisy sum over its summands: the mean a server aggregates (in float, as models are). */
    public float[] mean() {
      float[] mean = new float[noisySum.length];
      for (int i = 0; i < mean.length; i++) {
        mean[i] = (float) (noisySum[i] / summands);
      }
      return mean;
    }
  }

  /**
   * The codec of one round.
   *
   * @param parameters the round's calibrated DDG parameters; their {@link
   *     DistributedDiscreteGaussian#dimension() dimension} must be d' = {@link
   *     RandomizedHadamard#paddedDimension(int)}(d) and their modulus 2^32
   * @param dimension d, the model's number of parameters (the length of an update)
   * @param rotationSeed the round's public rotation seed, e.g. {@link #rotationSeed(long, long)}
   *     (copied)
   * @throws IllegalArgumentException when d is out of [1, 2^30], the parameters are for another
   *     padded dimension or modulus, or σ is outside the sampler's range
   */
  public DistributedDpCodec(DistributedDiscreteGaussian parameters, int dimension, byte[] rotationSeed) {
    this(parameters, dimension, rotationSeed, true);
  }

  /**
   * As the public constructor; {@code addNoise = false} gives a codec that skips step 5 (no noise),
   * for tests of the deterministic part of the pipeline only. It offers no privacy.
   */
  DistributedDpCodec(DistributedDiscreteGaussian parameters, int dimension, byte[] rotationSeed,
      boolean addNoise) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(rotationSeed, "rotationSeed");
    int padded = RandomizedHadamard.paddedDimension(dimension); // validates d
    if (parameters.dimension() != padded) {
      throw new IllegalArgumentException("the parameters are for padded dimension "
          + parameters.dimension() + ", but d = " + dimension + " pads to d' = " + padded);
    }
    if (parameters.bits() != MODULUS_BITS) {
      throw new IllegalArgumentException("SecAgg+ sums modulo 2^" + MODULUS_BITS
          + ", but the parameters were calibrated for 2^" + parameters.bits());
    }
    this.dimension = dimension;
    this.paddedDimension = padded;
    this.rotationSeed = rotationSeed.clone();
    this.rotation = RandomizedHadamard.fromSeed(dimension, this.rotationSeed);
    this.rounding = parameters.rounding();
    if (addNoise) {
      this.noiseSigma = DiscreteGaussian.fastSigmaAtLeast(parameters.localSigma()); // validates σ
    } else {
      this.noiseSigma = 0;
    }
  }

  /**
   * The public rotation seed of a round: SHA-256 of the ASCII domain string {@code
   * "tributary/dp/distributed-dp-codec/rotation-seed/v1"} followed by a zero byte, then the 8
   * big-endian bytes of {@code graphSeed} and of {@code round} (32 bytes). The graph seed is the one
   * the server fixes for the round's SecAgg+ graph ({@code RoundSetup.graphSeed()}) before any update
   * is computed, and every client receives it, so clients derive the seed themselves; the domain
   * string keeps the signs unrelated to the graph's own use of that seed.
   */
  public static byte[] rotationSeed(long graphSeed, long round) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ROTATION_DOMAIN);
      sha.update(ByteBuffer.allocate(16).putLong(graphSeed).putLong(round).array());
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** The length of the masked vector: d' + 1 (the rotated coordinates and the count). */
  public int length() {
    return paddedDimension + 1;
  }

  /** d, the length of an update and of the decoded sum. */
  public int dimension() {
    return dimension;
  }

  /** d', the padded, rotated dimension. */
  public int paddedDimension() {
    return paddedDimension;
  }

  /** The round's calibrated parameters. */
  public DistributedDiscreteGaussian parameters() {
    return parameters;
  }

  /** A copy of the round's public rotation seed. */
  public byte[] rotationSeed() {
    return rotationSeed.clone();
  }

  /**
   * σ', the scale each client's discrete Gaussian is sampled at, in grid units: the calibrated σ
   * rounded up to the sampler's fast path (see the class documentation); 0 for a noise-free test
   * codec.
   */
  public double noiseSigma() {
    return noiseSigma;
  }

  /**
   * √n σ' γ: the standard deviation scale, in model units, of the noise in each coordinate of the
   * decoded sum of n clients (the discrete Gaussian's variance is slightly below σ'², so this is an
   * upper bound on the standard deviation). For logs.
   *
   * @param summands n ≥ 1
   */
  public double noiseStddevInModelUnits(int summands) {
    if (summands < 1) {
      throw new IllegalArgumentException("summands must be at least 1, got " + summands);
    }
    return Math.sqrt(summands) * noiseSigma * parameters.granularity();
  }

  /**
   * A bound on the expected {@link Decoded#nearWrapFraction} of a wrap-free aggregate of n clients:
   * P[|S_i| &gt; 2^30] ≤ 2 exp(−(2^30 − n)²/(2v)), v = (nc/γ)²/d' + nσ'², by the sub-Gaussian argument
   * of {@link DistributedDiscreteGaussian#wrapProbability} for one coordinate and threshold 2^30.
   *
   * @param summands n ≥ 1
   */
  public double nearWrapProbabilityBound(int summands) {
    if (summands < 1) {
      throw new IllegalArgumentException("summands must be at least 1, got " + summands);
    }
    double margin = NEAR_WRAP_THRESHOLD - (double) summands;
    if (margin <= 0) {
      return 1;
    }
    double signal = summands * parameters.scaledClip();
    double v = signal * signal / paddedDimension + summands * noiseSigma * noiseSigma;
    return v == 0 ? 0 : Math.min(1, 2 * Math.exp(-margin * margin / (2 * v)));
  }

  /**
   * Encodes one client's update as described in the class documentation (clip, rotate, scale,
   * conditionally round, add discrete Gaussian noise, reduce modulo 2^32, append the count 1).
   *
   * @param update the client's update, d finite values (not changed)
   * @param bits the client's private randomness for rounding and noise ({@link
   *     RandomBits#fromSecureRandom} in production)
   * @return the {@link #length()} values to mask, whether the update was clipped and its norm
   * @throws IllegalArgumentException when the update's length is not d or a value is NaN or
   *     infinite (naming the first such coordinate) — both checked before anything is drawn from
   *     {@code bits}
   * @throws IllegalStateException when conditional rounding exhausts its attempts (probability at
   *     most β^1000 with a uniform bit source)
   */
  public Encoded encode(float[] update, RandomBits bits) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(bits, "bits");
    if (update.length != dimension) {
      throw new IllegalArgumentException(
          "update has " + update.length + " values, the model has d = " + dimension);
    }
    double squares = 0;
    for (int i = 0; i < dimension; i++) {
      float v = update[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("update coordinate " + i + " is " + v);
      }
      squares += (double) v * v; // finite floats: no overflow in double
    }
    double norm = Math.sqrt(squares);
    double clip = parameters.clip();
    boolean clipped = norm > clip;
    double scale = clipped ? clip / norm : 1;
    double[] x = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      x[i] = update[i] * scale;
    }
    // ConditionalRandomizedRounding tolerates the relative 1e-9 by which clipping and rotation in
    // floating point may overshoot c, and enforces Δ₂ exactly regardless.
    long[] rounded = rounding.round(rotation.rotate(x), bits::nextLong).values();
    int[] out = new int[length()];
    if (noiseSigma > 0) {
      DiscreteGaussian noise = DiscreteGaussian.of(noiseSigma, bits);
      for (int i = 0; i < paddedDimension; i++) {
        out[i] = (int) (rounded[i] + noise.sample()); // low 32 bits: the residue modulo 2^32
      }
    } else {
      for (int i = 0; i < paddedDimension; i++) {
        out[i] = (int) rounded[i];
      }
    }
    out[paddedDimension] = 1;
    return new Encoded(out, clipped, norm);
  }

  /**
   * Decodes the unmasked sum of the survivors' encodings as described in the class documentation.
   * Needs nothing but the sum and this codec's public parameters.
   *
   * @param sum Σ_j {@link Encoded#values} modulo 2^32 over the survivors, masks removed ({@link
   *     #length()} values)
   * @param expectedSummands the number of survivors whose inputs the server summed, ≥ 1
   * @return the noisy sum of the clipped updates (length d), the count, and the near-wrap fraction
   * @throws IllegalArgumentException when the sum has the wrong length, expectedSummands is below 1,
   *     or the count coordinate differs from expectedSummands (a mask left in, an input missing or
   *     counted twice, or a client that did not encode with this codec)
   */
  public Decoded decode(int[] sum, int expectedSummands) {
    Objects.requireNonNull(sum, "sum");
    if (sum.length != length()) {
      throw new IllegalArgumentException("sum has " + sum.length + " values, expected d' + 1 = "
          + length());
    }
    if (expectedSummands < 1) {
      throw new IllegalArgumentException("expectedSummands must be at least 1, got " + expectedSummands);
    }
    long count = Integer.toUnsignedLong(sum[paddedDimension]);
    if (count != expectedSummands) {
      throw new IllegalArgumentException("the count coordinate of the sum is " + count + ", but "
          + expectedSummands + " survivors were summed: a mask was not removed, an input is missing"
          + " or counted twice, or a client did not encode with this codec");
    }
    double[] y = new double[paddedDimension];
    int nearWrap = 0;
    for (int i = 0; i < paddedDimension; i++) {
      int s = sum[i]; // the signed reading: the residue in [-2^31, 2^31)
      if (Math.abs((long) s) > NEAR_WRAP_THRESHOLD) {
        nearWrap++;
      }
      y[i] = s;
    }
    double[] x = rotation.inverse(y); // grid units, truncated to d
    double gamma = parameters.granularity();
    for (int i = 0; i < dimension; i++) {
      x[i] *= gamma;
    }
    return new Decoded(x, expectedSummands, (double) nearWrap / paddedDimension);
  }

  @Override
  public String toString() {
    return "DistributedDpCodec[dimension=" + dimension + ", paddedDimension=" + paddedDimension
        + ", noiseSigma=" + noiseSigma + ", " + parameters + "]";
  }
}
