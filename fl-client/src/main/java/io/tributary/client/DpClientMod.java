package io.tributary.client;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.RandomBits;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The client's half of DP-FedAvg: when the round config asks for DP clipping ({@link
 * DpClipping#CLIP}, written by the server's {@code PrivateStrategy}), clips a copy of the delta to
 * the round's L2 norm C (or each tensor to C/√L), adds the client's own Gaussian noise under local DP
 * ({@link DpClipping#LOCAL_STDDEV}, drawn from a {@link SecureRandom}), and adds the metric {@link
 * DpClipping#UNCLIPPED} (1.0 when the update was within C, else 0.0) that adaptive clipping reads on
 * the server. Rounds without DP pass through unchanged.
 *
 * <p>{@link FlClient} runs this mod itself after the app's own mods whenever a round asks for DP
 * clipping, on both the plain upload and the secure aggregation path, so a client cannot forget it
 * (unless the app added a {@code DpClientMod} among its own mods: then that one runs, in its place).
 * A delta with a NaN or infinite value cannot be clipped (its norm is meaningless): it is passed on
 * unchanged, without the metric, for the upload's own checks to refuse (the server refuses a
 * non-finite plain upload, and secure aggregation refuses it before masking).
 *
 * <p>Not thread-safe (one {@link FlClient} thread uses it).
 */
public final class DpClientMod implements ClientMod {
  private static final Logger LOG = Logger.getLogger(DpClientMod.class.getName());
  private final SecureRandom random;

  /** A mod that draws local noise from {@code random}. */
  public DpClientMod(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  public FitResult apply(FitResult result, ModelWeights global, FitInstructions instructions) {
    ConfigValues config = instructions.config();
    if (!DpClipping.requested(config)) {
      return result;
    }
    float[] delta = result.delta().clone();
    boolean unclipped;
    try {
      unclipped = DpClipping.apply(delta, global.layout(), config, RandomBits.fromSecureRandom(random));
    } catch (IllegalArgumentException e) {
      LOG.warning(() -> "round " + instructions.round() + ": DP clipping impossible, the update is sent as it is for"
          + " the upload's checks to refuse: " + e.getMessage());
      return result;
    }
    Map<String, Double> metrics = new HashMap<>(result.metrics());
    metrics.put(DpClipping.UNCLIPPED, unclipped ? 1.0 : 0.0);
    return new FitResult(delta, result.numExamples(), result.localSteps(), metrics);
  }
}
