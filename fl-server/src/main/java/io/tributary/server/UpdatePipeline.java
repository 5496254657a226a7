package io.tributary.server;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import java.util.List;

/**
 * The stages a complete update passes through before it is folded, and the final check after them:
 * the one implementation shared by the gRPC server and the in-process simulation engine.
 *
 * <p>Immutable and thread-safe when its stages are.
 */
public final class UpdatePipeline {
  private final List<UpdateStage> stages;

  public UpdatePipeline(List<UpdateStage> stages) {
    this.stages = List.copyOf(stages);
  }

  /** A pipeline without stages: only the final value check. */
  public static UpdatePipeline empty() {
    return new UpdatePipeline(List.of());
  }

  public boolean hasStages() {
    return !stages.isEmpty();
  }

  /**
   * Runs every stage over {@code update} (in place), then checks that the result is still the
   * model's size with every value finite and within the accumulator's range.
   *
   * @throws InvalidUpdateException naming the stage that refused the update, or the first bad value
   */
  public void process(UpdateStage.Context context, byte[] update, UpdateAccumulator accumulator)
      throws InvalidUpdateException {
    for (UpdateStage stage : stages) {
      try {
        stage.process(context, update);
      } catch (InvalidUpdateException e) {
        throw new InvalidUpdateException("update rejected by stage '" + stage.name() + "': " + e.getMessage());
      }
    }
    try {
      accumulator.validate(update, 0, update.length);
    } catch (InvalidUpdateException e) {
      throw new InvalidUpdateException(
          (stages.isEmpty() ? "invalid update: " : "invalid update after the pipeline stages: ") + e.getMessage());
    }
  }
}
