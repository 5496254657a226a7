package io.tributary.core.nn;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;

/**
 * A named model architecture: its parameter layout and its initialisation. Servers use it to create
 * the initial global model; trainers check that the model they receive has this layout.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface ModelArchitecture {
  /** Name used in configs, e.g. {@code mnist-2nn}. */
  String name();

  ModelLayout layout();

  /** Fresh weights drawn from {@code seed} (the same seed gives the same weights). */
  ModelWeights initialize(long seed);
}
