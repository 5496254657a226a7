package io.tributary.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ordered list of tensors that make up a model: the layout of its flat parameter vector and of
 * its wire byte stream (tensors concatenated in this order, float32 little-endian).
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelLayout {
  private final List<TensorSpec> tensors;
  private final int[] offsets;
  private final int totalElements;

  private ModelLayout(List<TensorSpec> tensors) {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("a model layout needs at least one tensor");
    }
    Set<String> names = new HashSet<>();
    this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    this.offsets = new int[tensors.size()];
    long total = 0;
    for (int i = 0; i < tensors.size(); i++) {
      TensorSpec t = tensors.get(i);
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
      }
      offsets[i] = (int) total;
      total += t.elements();
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("model has more than 2^31 parameters");
      }
    }
    this.totalElements = (int) total;
  }

  public static ModelLayout of(List<TensorSpec> tensors) {
    return new ModelLayout(tensors);
  }

  public static ModelLayout of(TensorSpec... tensors) {
    return new ModelLayout(List.of(tensors));
  }

  public List<TensorSpec> tensors() {
    return tensors;
  }

  public int size() {
    return tensors.size();
  }

  public TensorSpec tensor(int i) {
    return tensors.get(i);
  }

  /** Index of the first element of tensor {@code i} in the flat parameter vector. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Index of the named tensor, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Total number of float32 parameters. */
  public int totalElements() {
    return totalElements;
  }

  /** Size of the wire byte stream: 4 bytes a parameter. */
  public long totalBytes() {
    return 4L * totalElements;
  }

  /** The tensor that holds flat element {@code element}, for error messages. */
  public String locate(long element) {
    for (int i = tensors.size() - 1; i >= 0; i--) {
      if (element >= offsets[i]) {
        return tensors.get(i).name() + "[" + (element - offsets[i]) + "]";
      }
    }
    return "element " + element;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelLayout m && m.tensors.equals(tensors);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode();
  }

  @Override
  public String toString() {
    return tensors + " (" + totalElements + " parameters)";
  }
}
