package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetSpecTest {

  private static final FileSpec FILE = new FileSpec("a", "00".repeat(32));

  @Test
  void constructor_mutableLists_copied() {
    List<FileSpec> files = new ArrayList<>(List.of(FILE));
    DatasetSpec spec = new DatasetSpec("tiny", files, new ArrayList<>());
    files.clear();
    assertEquals(List.of(FILE), spec.files());
    assertThrows(UnsupportedOperationException.class, () -> spec.files().clear());
  }

  @Test
  void constructor_noFiles_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSpec("tiny", List.of(), List.of()));
    assertContainsAll(error.getMessage(), "'tiny'", "at least one file");
  }

  @Test
  void constructor_duplicateFileName_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSpec("tiny", List.of(FILE, new FileSpec("a", "11".repeat(32))),
            List.of()));
    assertContainsAll(error.getMessage(), "'a' more than once");
  }

  @Test
  void constructor_nameWithSeparator_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSpec("../mnist", List.of(FILE), List.of()));
    assertContainsAll(error.getMessage(), "'../mnist'");
  }
}
