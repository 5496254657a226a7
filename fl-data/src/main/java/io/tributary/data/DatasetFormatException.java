package io.tributary.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Signals that a dataset file exists but its contents are not what the format promises.
 *
 * <p>The message always starts with the offending file's path, followed by what was expected and what
 * was found, e.g. {@code /data/train-images-idx3-ubyte: truncated IDX payload: header promises 47040000
 * bytes, found 1024}. It is a checked {@link IOException} because a malformed file is an I/O-level
 * condition callers are expected to handle or report, just like a missing file.
 *
 * <p>Instances are immutable and therefore thread-safe.
 */
public final class DatasetFormatException extends IOException {

  private final transient Path file;

  /**
   * Creates an exception for {@code file} with a human-readable {@code detail}.
   *
   * @param file the file whose contents are malformed; must not be null
   * @param detail what was expected and what was found; must not be null
   */
  public DatasetFormatException(Path file, String detail) {
    super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(detail, "detail"));
    this.file = file;
  }

  /**
   * Creates an exception for {@code file} with a human-readable {@code detail} and an underlying cause.
   *
   * @param file the file whose contents are malformed; must not be null
   * @param detail what was expected and what was found; must not be null
   * @param cause the lower-level failure (e.g. a {@link java.util.zip.ZipException}); may be null
   */
  public DatasetFormatException(Path file, String detail, Throwable cause) {
    super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(detail, "detail"), cause);
    this.file = file;
  }

  /**
   * Returns the file whose contents are malformed.
   *
   * @return the path given at construction; null only after Java deserialization, which drops it
   */
  public Path file() {
    return file;
  }
}
