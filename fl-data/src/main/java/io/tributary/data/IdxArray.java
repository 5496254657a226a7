package io.tributary.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * The decoded contents of one IDX file: element type, dimension sizes and the raw element bytes.
 *
 * <p>{@link #data()} returns the backing array itself, not a copy, because MNIST training images are
 * 47 MB and copying them on every access would be wasteful. Callers must not modify it; as long as
 * nobody does, instances are immutable and safe to share between threads.
 *
 * <p>Elements wider than one byte are kept in the file's big-endian byte order; use
 * {@link java.nio.ByteBuffer#wrap(byte[])} to decode them.
 */
public final class IdxArray {

  private final IdxFormat type;
  private final int[] dimensions;
  private final byte[] data;

  /**
   * Wraps already-validated contents; only {@link IdxReader} creates instances, after checking that
   * {@code data.length} equals the product of the dimensions times the element size.
   */
  IdxArray(IdxFormat type, int[] dimensions, byte[] data) {
    this.type = Objects.requireNonNull(type, "type");
    this.dimensions = dimensions.clone();
    this.data = Objects.requireNonNull(data, "data");
  }

  /**
   * Returns the element type.
   *
   * @return the type decoded from the magic number
   */
  public IdxFormat type() {
    return type;
  }

  /**
   * Returns the number of dimensions.
   *
   * @return the fourth byte of the magic number, 0..255
   */
  public int dimensionCount() {
    return dimensions.length;
  }

  /**
   * Returns the size of one dimension.
   *
   * @param axis 0-based dimension index; for MNIST images 0 = count, 1 = rows, 2 = columns
   * @return the size along {@code axis}
   * @throws IndexOutOfBoundsException if {@code axis} is not in {@code 0..dimensionCount()-1}
   */
  public int dimension(int axis) {
    Objects.checkIndex(axis, dimensions.length);
    return dimensions[axis];
  }

  /**
   * Returns a copy of all dimension sizes.
   *
   * @return a fresh array the caller may modify
   */
  public int[] dimensions() {
    return dimensions.clone();
  }

  /**
   * Returns the number of elements, the product of all dimension sizes (1 for zero dimensions).
   *
   * @return the element count
   */
  public int elementCount() {
    return data.length / type.elementSize();
  }

  /**
   * Returns the raw element bytes in row-major order (the shared backing array; do not modify).
   *
   * @return the backing array, {@code elementCount() * type().elementSize()} bytes long
   */
  public byte[] data() {
    return data;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IdxArray that
        && type == that.type
        && Arrays.equals(dimensions, that.dimensions)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type.hashCode() + Arrays.hashCode(dimensions)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxArray[" + type.description() + ", dimensions=" + Arrays.toString(dimensions) + "]";
  }
}
