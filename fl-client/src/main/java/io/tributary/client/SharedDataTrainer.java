package io.tributary.client;

/**
 * A {@link Trainer} over a shared, read-only dataset that can be pointed at another client's rows
 * between fits. The simulation engine keeps one such trainer (with its buffers) per worker thread
 * and moves it from virtual client to virtual client, instead of building one per client: memory
 * stays O(workers × model) whatever the population size.
 *
 * <p>Not thread-safe, like every trainer: one worker uses it at a time.
 */
public interface SharedDataTrainer extends Trainer {
  /**
   * Trains on these rows of the shared dataset from the next fit on; the array is copied.
   *
   * @throws IllegalArgumentException if a row is out of range or holds an invalid label or feature
   */
  void useTrainingRows(int[] rows);

  /**
   * Trains on these rows of other arrays from the next fit on — for clients whose data is generated
   * on demand into a worker's own buffers. The arrays are kept, not copied; the caller must not change
   * them while the trainer uses them.
   *
   * @throws IllegalArgumentException if the arrays do not fit the model or a row is out of range
   */
  void useTrainingData(float[] x, int[] labels, int[] rows);
}
