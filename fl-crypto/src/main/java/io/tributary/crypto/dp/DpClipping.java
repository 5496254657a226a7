package io.tributary.crypto.dp;

import io.tributary.core.config.ConfigKey;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelLayout;

/**
 * The client's half of DP-FedAvg, shared by the client SDK's mod and the simulation engine: the keys
 * the server's {@link PrivateStrategy} writes into the round config, clipping to them, the unclipped
 * bit of adaptive clipping, and local noise. One implementation, wherever the client runs.
 */
public final class DpClipping {
  /** The L2 norm C a client clips its update to this round (absent: no DP). */
  public static final ConfigKey<Double> CLIP = ConfigKey.ofDouble("dp_clip", 0);
  /** Clip each tensor to C/√L instead of the whole update to C. */
  public static final ConfigKey<Boolean> PER_LAYER = ConfigKey.ofBoolean("dp_per_layer", false);
  /** Local DP: the standard deviation of the Gaussian noise the client adds itself (0: none). */
  public static final ConfigKey<Double> LOCAL_STDDEV = ConfigKey.ofDouble("dp_local_stddev", 0);
  /** The metric a client reports: 1 when its update was not clipped (‖Δ‖ ≤ C), else 0. */
  public static final String UNCLIPPED = "dp_unclipped";

  private DpClipping() {}

  /** Whether the round config asks for DP clipping. */
  public static boolean requested(ConfigValues config) {
    return config.contains(CLIP.name());
  }

  /**
   * The L2 norm of {@code v[from, to)}, accumulated in double over four interleaved partial sums (four
   * independent chains of additions instead of one, so the CPU overlaps them; the order is fixed, so
   * the result is the same on every run).
   */
  public static double norm(float[] v, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      s0 += (double) v[i] * v[i];
      s1 += (double) v[i + 1] * v[i + 1];
      s2 += (double) v[i + 2] * v[i + 2];
      s3 += (double) v[i + 3] * v[i + 3];
    }
    for (; i < to; i++) {
      s0 += (double) v[i] * v[i];
    }
    return Math.sqrt((s0 + s1) + (s2 + s3));
  }

  /**
   * Scales {@code delta} in place to L2 norm at most C — the whole vector, or with {@code perLayer}
   * each tensor of {@code layout} to C/√L, which bounds the whole by C too.
   *
   * @return whether the update was left as it was (every norm within its bound): the b_i of adaptive
   *     clipping
   * @throws IllegalArgumentException when C is not positive, or the update holds a NaN or infinity
   *     (its norm would be meaningless: such an update must be refused before clipping)
   */
  public static boolean clip(float[] delta, ModelLayout layout, double clip, boolean perLayer) {
    if (!(clip > 0)) {
      throw new IllegalArgumentException("clip norm must be positive, got " + clip);
    }
    if (!perLayer || layout.size() == 1) {
      return clipRange(delta, 0, delta.length, clip);
    }
    double bound = clip / Math.sqrt(layout.size());
    boolean untouched = true;
    for (int t = 0; t < layout.size(); t++) {
      int from = layout.offset(t);
      untouched &= clipRange(delta, from, from + layout.tensor(t).elements(), bound);
    }
    return untouched;
  }

  private static boolean clipRange(float[] v, int from, int to, double bound) {
    double norm = norm(v, from, to);
    if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException("update has a NaN or infinite value: its norm is " + norm);
    }
    if (norm <= bound) {
      return true;
    }
    double scale = bound / norm;
    for (int i = from; i < to; i++) {
      v[i] = (float) (v[i] * scale);
    }
    // float rounding may leave the norm a hair above the bound: shrink until it is not.
    while (norm(v, from, to) > bound) {
      for (int i = from; i < to; i++) {
        v[i] = Math.nextDown(Math.abs(v[i])) * Math.signum(v[i]);
      }
    }
    return false;
  }

  /**
   * The client's step for a round: clips {@code delta} in place as the config says and, under local
   * DP, adds its own Gaussian noise.
   *
   * @param bits the noise source (a fresh {@code RandomBits.fromSecureRandom} in production, a seeded
   *     one in simulation); used only under local DP
   * @return the unclipped bit b_i
   */
  public static boolean apply(float[] delta, ModelLayout layout, ConfigValues config, RandomBits bits) {
    boolean unclipped = clip(delta, layout, config.get(CLIP), config.get(PER_LAYER));
    double local = config.get(LOCAL_STDDEV);
    if (local > 0) {
      GaussianMechanism.withDefaultGranularity(local, config.get(CLIP), delta.length).addNoise(delta, bits);
    }
    return unclipped;
  }
}
