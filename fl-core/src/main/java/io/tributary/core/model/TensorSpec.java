package io.tributary.core.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Name and shape of one float32 tensor of a model.
 *
 * <p>Immutable and thread-safe. Shapes are row-major; a scalar has shape {@code []} and one element.
 */
public final class TensorSpec {
  private final String name;
  private final int[] shape;
  private final int elements;

  private TensorSpec(String name, int[] shape) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tensor name must be non-empty");
    }
    long n = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' has non-positive dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("tensor '" + name + "' is too large: " + Arrays.toString(shape));
      }
    }
    this.name = name;
    this.shape = shape.clone();
    this.elements = (int) n;
  }

  /** A tensor named {@code name} with the given row-major shape. */
  public static TensorSpec of(String name, int... shape) {
    return new TensorSpec(name, shape);
  }

  public String name() {
    return name;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int dim(int i) {
    return shape[i];
  }

  /** Number of float32 elements. */
  public int elements() {
    return elements;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
