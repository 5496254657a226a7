package io.tributary.core.aggregate;

/**
 * An update that cannot be aggregated: wrong size, a NaN or infinite value, a value beyond the
 * accumulator's range, or an aggregation weight out of range. The message says which and where.
 */
public final class InvalidUpdateException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidUpdateException(String message) {
    super(message);
  }
}
