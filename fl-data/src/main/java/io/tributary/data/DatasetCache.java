package io.tributary.data;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The root directory under which datasets are stored, one subdirectory per dataset.
 *
 * <p>The default root is {@code $TRIBUTARY_DATA} when that environment variable is set and not blank,
 * else {@code <user.home>/.cache/tributary}. Constructing a cache creates nothing on disk; fetchers
 * create directories when they first write. Immutable and thread-safe.
 */
public final class DatasetCache {

  /** Environment variable that overrides the default cache root. */
  public static final String ENVIRONMENT_VARIABLE = "TRIBUTARY_DATA";

  private static final Pattern DATASET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private final Path root;

  /**
   * Creates a cache rooted at {@code root}.
   *
   * @param root the cache root; made absolute so that messages show a full path
   */
  public DatasetCache(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  /**
   * Creates the cache at the default location (see the class documentation).
   *
   * @return a cache rooted at {@code $TRIBUTARY_DATA} or {@code ~/.cache/tributary}
   */
  public static DatasetCache defaultCache() {
    return new DatasetCache(
        defaultRoot(System.getenv(ENVIRONMENT_VARIABLE), System.getProperty("user.home")));
  }

  /**
   * Resolves the default root from an environment value and a home directory; separated from
   * {@link #defaultCache()} so the rule is testable without changing the process environment.
   */
  static Path defaultRoot(String environmentValue, String userHome) {
    if (environmentValue != null && !environmentValue.isBlank()) {
      return Path.of(environmentValue);
    }
    return Path.of(Objects.requireNonNull(userHome, "user.home"), ".cache", "tributary");
  }

  /**
   * Returns the cache root.
   *
   * @return an absolute, normalized path
   */
  public Path root() {
    return root;
  }

  /**
   * Returns the directory of one dataset, {@code root()/name}; it may not exist yet.
   *
   * @param datasetName lowercase letters, digits, {@code .}, {@code _}, {@code -}, not starting with
   *     {@code .}, e.g. {@code mnist}
   * @return the dataset directory
   * @throws IllegalArgumentException if the name is not valid
   */
  public Path datasetDirectory(String datasetName) {
    validateDatasetName(datasetName);
    return root.resolve(datasetName);
  }

  /** Rejects names that are not a single safe path segment (so a spec cannot escape the root). */
  static void validateDatasetName(String datasetName) {
    if (!DATASET_NAME.matcher(datasetName).matches()) {
      throw new IllegalArgumentException("dataset name must match " + DATASET_NAME.pattern()
          + " (lowercase, no separators), got '" + datasetName + "'");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DatasetCache that && root.equals(that.root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return "DatasetCache[" + root + "]";
  }
}
