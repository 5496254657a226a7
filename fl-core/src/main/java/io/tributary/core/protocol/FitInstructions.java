package io.tributary.core.protocol;

import io.tributary.core.config.ConfigValues;
import java.util.Objects;

/**
 * What a client is asked to do in one training task: the round, the task id and the typed config
 * (learning rate, epochs, batch size, ...). Immutable and thread-safe.
 */
public record FitInstructions(long round, String taskId, ConfigValues config) {
  public FitInstructions {
    if (round < 1) {
      throw new IllegalArgumentException("round must be >= 1, got " + round);
    }
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(config, "config");
  }
}
