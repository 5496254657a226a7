package io.tributary.data;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link DatasetFetcher} needs to know about one dataset: its cache directory name, its
 * files with their SHA-256 digests, and the sources to try in order.
 *
 * <p>Immutable and thread-safe; the lists are unmodifiable copies.
 *
 * @param name cache subdirectory name, lowercase letters, digits, {@code .}, {@code _}, {@code -},
 *     e.g. {@code mnist}
 * @param files the files that must all be present and verified; at least one, names unique
 * @param sources where to get missing files, tried in order; may be empty (cache-only)
 */
public record DatasetSpec(String name, List<FileSpec> files, List<DatasetSource> sources) {

  /**
   * Validates and copies the fields.
   *
   * @throws IllegalArgumentException if the name is not a valid cache directory name, there are no
   *     files, or two files share a name
   */
  public DatasetSpec {
    DatasetCache.validateDatasetName(Objects.requireNonNull(name, "name"));
    files = List.copyOf(files);
    sources = List.copyOf(sources);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + name + "' must list at least one file");
    }
    Set<String> seen = new HashSet<>();
    for (FileSpec file : files) {
      if (!seen.add(file.name())) {
        throw new IllegalArgumentException(
            "dataset '" + name + "' lists file '" + file.name() + "' more than once");
      }
    }
  }
}
