package io.tributary.core.protocol;

import io.tributary.core.config.ConfigValues;
import java.util.Objects;

/**
 * What a client is asked to do in one training task: the round, the task id, the typed config
 * (learning rate, epochs, batch size, proximal μ, ...) and, for SCAFFOLD, a gradient correction.
 *
 * <p>The gradient correction, when present, is a vector in the model's flat layout that the
 * trainer adds to every local gradient: SCAFFOLD's {@code c − c_i} (server minus client control
 * variate), so each local step is {@code w ← w − η·(∇f(w) + c − c_i)}. It is handed over, not
 * copied: callers must not change it while a fit runs. Otherwise immutable and thread-safe.
 *
 * @param gradientCorrection null for none
 */
public record FitInstructions(long round, String taskId, ConfigValues config, float[] gradientCorrection) {
  public FitInstructions {
    if (round < 1) {
      throw new IllegalArgumentException("round must be >= 1, got " + round);
    }
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(config, "config");
  }

  /** Instructions without a gradient correction. */
  public FitInstructions(long round, String taskId, ConfigValues config) {
    this(round, taskId, config, null);
  }

  /** Whether the trainer must add {@link #gradientCorrection} to every gradient. */
  public boolean hasGradientCorrection() {
    return gradientCorrection != null;
  }
}
