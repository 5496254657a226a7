package io.tributary.server;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.model.ModelLayout;

/**
 * One step of the server's update pipeline, between "the upload is complete, in order, checksummed
 * and every value is finite" and "fold it into the round's aggregate". Later features join here:
 * unmasking (secure aggregation), decryption, decompression, norm checks and clipping.
 *
 * <p>A stage sees the whole update as little-endian float32 bytes in a staging buffer and may
 * rewrite it in place; after the last stage the server re-checks that every value is finite and in
 * range. A stage that throws {@link InvalidUpdateException} rejects the upload with
 * INVALID_ARGUMENT, and nothing of it reaches the aggregate. Stages run concurrently for different
 * uploads, so implementations must be thread-safe.
 */
public interface UpdateStage {
  /** Short name for logs and error messages. */
  String name();

  /**
   * Inspects and possibly transforms one complete update.
   *
   * @param update the update's bytes, {@code 4 * context.layout().totalElements()} long
   */
  void process(Context context, byte[] update) throws InvalidUpdateException;

  /** What a stage knows about the update it processes. */
  record Context(String clientId, long round, long numExamples, long localSteps, ModelLayout layout) {}
}
