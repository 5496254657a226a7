package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {

  @TempDir
  Path directory;

  @Test
  void defaultRoot_environmentSet_usesEnvironment() {
    assertEquals(Path.of("/srv/data"), DatasetCache.defaultRoot("/srv/data", "/home/ada"));
  }

  @Test
  void defaultRoot_environmentUnsetOrBlank_usesHomeCache() {
    Path expected = Path.of("/home/ada", ".cache", "tributary");
    assertEquals(expected, DatasetCache.defaultRoot(null, "/home/ada"));
    assertEquals(expected, DatasetCache.defaultRoot("  ", "/home/ada"));
  }

  @Test
  void defaultCache_anyEnvironment_rootIsAbsolute() {
    assertTrue(DatasetCache.defaultCache().root().isAbsolute());
  }

  @Test
  void datasetDirectory_validName_resolvedUnderRootWithoutCreating() {
    DatasetCache cache = new DatasetCache(directory.resolve("cache"));
    Path mnist = cache.datasetDirectory("mnist");
    assertEquals(directory.resolve("cache").resolve("mnist"), mnist);
    assertFalse(Files.exists(mnist));
  }

  @Test
  void datasetDirectory_traversalName_throws() {
    DatasetCache cache = new DatasetCache(directory);
    for (String name : new String[] {"..", "../x", ".hidden", "Mnist", "a/b", ""}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> cache.datasetDirectory(name), name);
      assertContainsAll(error.getMessage(), "'" + name + "'");
    }
  }

  @Test
  void constructor_relativeRoot_madeAbsolute() {
    assertTrue(new DatasetCache(Path.of("relative", "..", "cache")).root().isAbsolute());
    assertEquals(new DatasetCache(directory), new DatasetCache(directory.resolve(".")));
  }
}
