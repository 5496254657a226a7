package io.tributary.client;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;

/**
 * An outbound step between local training and the upload: clipping, local DP noise, compression,
 * masking. Mods run in the order they were added to {@link FlClient.Builder#mod}; each receives the
 * previous one's result. Pairs with a server-side {@code UpdateStage} or strategy wrapper that
 * writes the config keys the mod reads from {@link FitInstructions#config()}.
 */
@FunctionalInterface
public interface ClientMod {
  /** Returns the (possibly transformed) result to pass on; must keep the delta's length. */
  FitResult apply(FitResult result, ModelWeights global, FitInstructions instructions);
}
