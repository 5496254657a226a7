package io.tributary.core.strategy;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named vectors a server optimizer carries from round to round (momentum, first and second
 * moments): allocated at the model's size on the first round and filled with their initial values,
 * copied out for checkpoints and copied back in after their names, lengths and values are checked.
 *
 * <p>Memory: one float per model parameter per vector. Not thread-safe: the owning strategy holds its
 * lock around every call.
 */
final class ServerState {
  /**
   * One vector: its name, the value it starts at and the least value it may hold.
   *
   * @param min inclusive lower bound ({@code Double.NEGATIVE_INFINITY} for none)
   */
  record Vector(String name, float initialValue, double min) {}

  private final String strategy;
  private final List<Vector> specs;
  private float[][] vectors;

  /**
   * @param strategy the owner's {@link Strategy#name()}, for messages
   */
  ServerState(String strategy, Vector... specs) {
    this.strategy = strategy;
    this.specs = List.of(specs);
  }

  /**
   * Allocates the vectors at {@code parameters} values each on the first call; later calls check
   * that the model still has that size.
   *
   * @throws IllegalStateException when a restored state or an earlier round had another size
   */
  void prepare(int parameters) {
    if (vectors == null) {
      vectors = new float[specs.size()][parameters];
      for (int k = 0; k < vectors.length; k++) {
        Arrays.fill(vectors[k], specs.get(k).initialValue());
      }
    } else if (vectors[0].length != parameters) {
      throw new IllegalStateException(strategy + " server state has " + vectors[0].length
          + " values per vector but the model has " + parameters + " parameters");
    }
  }

  /** Whether the strategy keeps any vector at all. */
  boolean hasVectors() {
    return !specs.isEmpty();
  }

  /** The live vector {@code k} (in constructor order), updated in place; {@link #prepare} first. */
  float[] vector(int k) {
    return vectors[k];
  }

  /** Copies of the vectors by name, in constructor order; empty before the first round. */
  Map<String, float[]> snapshot() {
    if (vectors == null) {
      return Map.of();
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int k = 0; k < vectors.length; k++) {
      out.put(specs.get(k).name(), vectors[k].clone());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Replaces the vectors with copies of {@code state}'s, or forgets them when it is empty.
   *
   * @throws IllegalArgumentException naming the vector (and element) at fault: an unknown or
   *     missing name, a null or empty vector, lengths that differ, a value that is not finite or
   *     below its bound; nothing changes then
   */
  void restore(Map<String, float[]> state) {
    if (state.isEmpty()) {
      vectors = null;
      return;
    }
    List<String> expected = specs.stream().map(Vector::name).toList();
    for (String name : state.keySet()) {
      if (!expected.contains(name)) {
        throw new IllegalArgumentException(
            strategy + " server state has no vector '" + name + "' (expected " + expected + ")");
      }
    }
    float[][] copies = new float[specs.size()][];
    for (int k = 0; k < copies.length; k++) {
      Vector spec = specs.get(k);
      float[] given = state.get(spec.name());
      if (given == null) {
        throw new IllegalArgumentException(strategy + " server state lacks vector '" + spec.name()
            + "' (expected " + expected + ")");
      }
      // Checked on a copy, so that a caller changing its arrays meanwhile cannot slip a bad value in.
      float[] values = given.clone();
      if (values.length == 0) {
        throw new IllegalArgumentException(
            strategy + " server state vector '" + spec.name() + "' is empty");
      }
      if (k > 0 && values.length != copies[0].length) {
        throw new IllegalArgumentException(strategy + " server state vector '" + spec.name() + "' has "
            + values.length + " values but '" + specs.get(0).name() + "' has " + copies[0].length);
      }
      String bound = spec.min() > Double.NEGATIVE_INFINITY ? " and >= " + spec.min() : "";
      for (int i = 0; i < values.length; i++) {
        float v = values[i];
        if (!Float.isFinite(v) || v < spec.min()) {
          throw new IllegalArgumentException(strategy + " server state vector '" + spec.name() + "'["
              + i + "] must be finite" + bound + ", got " + v);
        }
      }
      copies[k] = values;
    }
    vectors = copies;
  }
}
