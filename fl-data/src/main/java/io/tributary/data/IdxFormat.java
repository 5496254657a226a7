package io.tributary.data;

import java.util.Optional;

/**
 * Element types of the IDX file format (the format MNIST and Fashion-MNIST are distributed in).
 *
 * <p>An IDX file starts with a big-endian 32-bit magic number whose bytes are {@code 0, 0, type, ndims},
 * followed by {@code ndims} big-endian unsigned 32-bit dimension sizes and then the elements in
 * row-major order, each {@link #elementSize()} bytes, big-endian. MNIST images use
 * {@link #MNIST_IMAGES_MAGIC} (unsigned bytes, 3 dimensions) and labels {@link #MNIST_LABELS_MAGIC}
 * (unsigned bytes, 1 dimension).
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum IdxFormat {

  /** Type code {@code 0x08}: unsigned 8-bit integers (MNIST pixels and labels). */
  UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
  /** Type code {@code 0x09}: signed 8-bit integers. */
  SIGNED_BYTE(0x09, 1, "signed byte"),
  /** Type code {@code 0x0B}: signed 16-bit big-endian integers. */
  SHORT(0x0B, 2, "short"),
  /** Type code {@code 0x0C}: signed 32-bit big-endian integers. */
  INT(0x0C, 4, "int"),
  /** Type code {@code 0x0D}: 32-bit big-endian IEEE 754 floats. */
  FLOAT(0x0D, 4, "float"),
  /** Type code {@code 0x0E}: 64-bit big-endian IEEE 754 doubles. */
  DOUBLE(0x0E, 8, "double");

  /** Magic number of an MNIST image file: unsigned bytes, 3 dimensions (count, rows, columns). */
  public static final int MNIST_IMAGES_MAGIC = 0x00000803;

  /** Magic number of an MNIST label file: unsigned bytes, 1 dimension (count). */
  public static final int MNIST_LABELS_MAGIC = 0x00000801;

  private final int typeCode;
  private final int elementSize;
  private final String description;

  IdxFormat(int typeCode, int elementSize, String description) {
    this.typeCode = typeCode;
    this.elementSize = elementSize;
    this.description = description;
  }

  /**
   * Returns the type code stored in the third byte of the magic number.
   *
   * @return the type code, e.g. {@code 0x08} for {@link #UNSIGNED_BYTE}
   */
  public int typeCode() {
    return typeCode;
  }

  /**
   * Returns the size of one element in bytes.
   *
   * @return 1, 2, 4 or 8
   */
  public int elementSize() {
    return elementSize;
  }

  /**
   * Returns a short human-readable name used in error messages, e.g. {@code "unsigned byte"}.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * Computes the magic number of a file holding elements of this type with {@code dimensions} axes.
   *
   * @param dimensions the number of dimensions, 0..255
   * @return the magic number, e.g. {@code 0x00000803} for unsigned bytes with 3 dimensions
   * @throws IllegalArgumentException if {@code dimensions} does not fit in one byte
   */
  public int magic(int dimensions) {
    if (dimensions < 0 || dimensions > 0xFF) {
      throw new IllegalArgumentException(
          "IDX dimension count must be in 0..255 (it is stored in one byte), got " + dimensions);
    }
    return (typeCode << 8) | dimensions;
  }

  /**
   * Looks up the element type for a type code.
   *
   * @param typeCode the third byte of an IDX magic number
   * @return the matching type, or empty if the code is not one of the six defined by the format
   */
  public static Optional<IdxFormat> fromTypeCode(int typeCode) {
    for (IdxFormat format : values()) {
      if (format.typeCode == typeCode) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }

  /**
   * Lists the supported type codes for error messages, e.g. {@code "0x08 (unsigned byte), ..."}.
   *
   * @return a comma-separated list of every type code with its description
   */
  static String supportedTypeCodes() {
    StringBuilder text = new StringBuilder();
    for (IdxFormat format : values()) {
      if (text.length() > 0) {
        text.append(", ");
      }
      text.append(String.format("0x%02X (%s)", format.typeCode, format.description));
    }
    return text.toString();
  }
}
