package io.tributary.core.model;

import java.util.Arrays;

/**
 * A model's parameters: named float32 tensors laid out by a {@link ModelLayout} in one flat array.
 *
 * <p>Immutable and thread-safe: the constructor copies its input and {@link #toArray()} returns a
 * copy. Hot paths that only read use {@link #copyInto(float[])} or {@link #get(int)}.
 */
public final class ModelWeights {
  private final ModelLayout layout;
  private final float[] values;

  private ModelWeights(ModelLayout layout, float[] values) {
    this.layout = layout;
    this.values = values;
  }

  /** Weights with the given layout; {@code values} is copied. */
  public static ModelWeights of(ModelLayout layout, float[] values) {
    if (values.length != layout.totalElements()) {
      throw new IllegalArgumentException(
          "layout has " + layout.totalElements() + " parameters but " + values.length + " values were given");
    }
    return new ModelWeights(layout, values.clone());
  }

  /** All-zero weights of the given layout. */
  public static ModelWeights zeros(ModelLayout layout) {
    return new ModelWeights(layout, new float[layout.totalElements()]);
  }

  /** Wraps an array the caller hands over and never touches again (no copy). */
  static ModelWeights adopt(ModelLayout layout, float[] values) {
    if (values.length != layout.totalElements()) {
      throw new IllegalArgumentException("size mismatch");
    }
    return new ModelWeights(layout, values);
  }

  public ModelLayout layout() {
    return layout;
  }

  public int size() {
    return values.length;
  }

  public float get(int i) {
    return values[i];
  }

  /** A copy of the flat parameter vector. */
  public float[] toArray() {
    return values.clone();
  }

  /** Copies the flat parameter vector into {@code dst} (at least {@link #size()} long). */
  public void copyInto(float[] dst) {
    System.arraycopy(values, 0, dst, 0, values.length);
  }

  /** A copy of tensor {@code name}. */
  public float[] tensor(String name) {
    int i = layout.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no tensor named '" + name + "' in " + layout);
    }
    int off = layout.offset(i);
    return Arrays.copyOfRange(values, off, off + layout.tensor(i).elements());
  }

  /** {@code this + scale * delta}, element-wise, computed in float32. */
  public ModelWeights plus(float[] delta, float scale) {
    if (delta.length != values.length) {
      throw new IllegalArgumentException(
          "delta has " + delta.length + " values, model has " + values.length);
    }
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i] + scale * delta[i];
    }
    return new ModelWeights(layout, out);
  }

  /** {@code this - other}, element-wise. */
  public float[] minus(ModelWeights other) {
    if (!other.layout.equals(layout)) {
      throw new IllegalArgumentException("layouts differ: " + layout + " vs " + other.layout);
    }
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i] - other.values[i];
    }
    return out;
  }

  /** True when every value is finite (no NaN or infinity). */
  public boolean allFinite() {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /** Bit-exact equality of layout and values. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ModelWeights m) || !m.layout.equals(layout)) {
      return false;
    }
    for (int i = 0; i < values.length; i++) {
      if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(m.values[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return 31 * layout.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "ModelWeights" + layout;
  }
}
