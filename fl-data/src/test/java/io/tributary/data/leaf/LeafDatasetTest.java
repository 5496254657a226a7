package io.tributary.data.leaf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.data.DatasetFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeafDatasetTest {

  @TempDir
  Path directory;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(directory.resolve(name), content);
  }

  /** Loads {@code content} as a single file and returns the error it raises. */
  private String loadError(String content) throws IOException {
    Path file = write("bad.json", content);
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> LeafDataset.loadFiles(List.of(file)));
    assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
    return error.getMessage();
  }

  private static void assertContains(String text, String part) {
    assertTrue(text.contains(part), "expected \"" + part + "\" in: " + text);
  }

  private static final String FEMNIST_A = "{\"users\": [\"f0\", \"f1\"], \"num_samples\": [2, 1],"
      + " \"hierarchies\": [\"w1\", \"w2\"],"
      + " \"user_data\": {\"f1\": {\"y\": [61], \"x\": [[0.5, 1.0, 0.0, 0.25]]},"
      + " \"f0\": {\"x\": [[1, 0, 0.9686274528503418, 0], [0, 0, 0, 1e-1]], \"y\": [3, 0]}}}";

  private static final String FEMNIST_B = "{\"user_data\": {\"g0\": {\"x\": [], \"y\": []}},"
      + " \"users\": [\"g0\"], \"num_samples\": [0]}";

  @Test
  void loadDirectory_numericFiles_usersInFileAndListOrderWithValues() throws IOException {
    write("b_train.json", FEMNIST_B);
    write("a_train.json", FEMNIST_A);
    write("notes.txt", "not a LEAF file");
    Files.createDirectory(directory.resolve("nested.json"));
    LeafDataset dataset = LeafDataset.loadDirectory(directory);
    assertEquals(LeafDataset.Kind.NUMERIC, dataset.kind());
    assertEquals(4, dataset.featureLength());
    assertEquals(3, dataset.numUsers());
    assertEquals(List.of("f0", "f1", "g0"), dataset.users().stream().map(LeafUser::id).toList());
    assertEquals(3, dataset.totalSamples());
    LeafUser f0 = dataset.user("f0");
    assertEquals(2, f0.size());
    assertArrayEquals(new float[] {1, 0, Float.parseFloat("0.9686274528503418"), 0, 0, 0, 0,
        0.1f}, f0.features());
    assertArrayEquals(new int[] {3, 0}, f0.labels());
    assertArrayEquals(new int[] {61}, dataset.user("f1").labels());
    assertEquals(0, dataset.user("g0").size());
    assertEquals(4, dataset.user("g0").featureLength());
    assertEquals("LeafDataset[kind=NUMERIC, users=3, samples=3, featureLength=4]",
        dataset.toString());
  }

  @Test
  void loadFiles_shakespeareText_mapsCharactersThroughLeafVocabulary() throws IOException {
    Path file = write("shakespeare.json", "{\"users\": [\"THE_TEMPEST_MIRANDA\"],"
        + " \"hierarchies\": [\"THE_TEMPEST\"], \"num_samples\": [2], \"user_data\":"
        + " {\"THE_TEMPEST_MIRANDA\": {\"x\": [\"O, I \", \"ve\\nsu\"], \"y\": [\"h\", \"}\"]}}}");
    LeafDataset dataset = LeafDataset.loadFiles(List.of(file));
    assertEquals(LeafDataset.Kind.TEXT, dataset.kind());
    assertEquals(5, dataset.featureLength());
    LeafUser user = dataset.user("THE_TEMPEST_MIRANDA");
    String vocabulary = LeafDataset.SHAKESPEARE_VOCABULARY;
    int[] expected = "O, I ve\nsu".chars().map(c -> vocabulary.indexOf(c)).toArray();
    assertArrayEquals(expected, user.characters());
    assertArrayEquals(new int[] {vocabulary.indexOf('h'), 79}, user.labels());
    // Spot-check LEAF's ALL_LETTERS positions.
    assertArrayEquals(new int[] {39, 8, 1, 33, 1, 74, 57, 0, 71, 73}, user.characters());
  }

  @Test
  void vocabulary_leafAllLetters_eightyDistinctCharacters() {
    String vocabulary = LeafDataset.SHAKESPEARE_VOCABULARY;
    assertEquals(80, vocabulary.length());
    assertEquals(80, vocabulary.chars().distinct().count());
    assertEquals(0, LeafDataset.vocabularyIndex('\n'));
    assertEquals(1, LeafDataset.vocabularyIndex(' '));
    assertEquals(25, LeafDataset.vocabularyIndex('A'));
    assertEquals(53, LeafDataset.vocabularyIndex('a'));
    assertEquals(79, LeafDataset.vocabularyIndex('}'));
    assertEquals(-1, LeafDataset.vocabularyIndex('{'));
    assertEquals(-1, LeafDataset.vocabularyIndex('é'));
  }

  @Test
  void loadFiles_gzipFile_readsLikeRaw() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(FEMNIST_A.getBytes(StandardCharsets.UTF_8));
    }
    Path compressed = Files.write(directory.resolve("a.json.gz"), bytes.toByteArray());
    Path raw = write("raw.json", FEMNIST_A);
    assertEquals(LeafDataset.loadFiles(List.of(raw)).users(),
        LeafDataset.loadFiles(List.of(compressed)).users());
  }

  @Test
  void loadFiles_numSamplesMismatch_throwsNamingUserCountsAndOffset() throws IOException {
    String content = "{\"users\": [\"a\", \"b\"], \"num_samples\": [1, 3], \"user_data\": {"
        + "\"a\": {\"x\": [[1]], \"y\": [0]}, \"b\": {\"x\": [[1], [2]], \"y\": [0, 1]}}}";
    int offset = content.indexOf("\"b\": {");
    assertContains(loadError(content), "\"num_samples\" entry 1 says user 'b' has 3 samples, but"
        + " its \"user_data\" entry (at byte offset " + offset + ") holds 2");
  }

  @Test
  void loadFiles_listedUserMissingFromUserData_throws() throws IOException {
    assertContains(loadError("{\"users\": [\"a\", \"ghost\"], \"num_samples\": [1, 1],"
        + " \"user_data\": {\"a\": {\"x\": [[1]], \"y\": [0]}}}"),
        "user 'ghost' (entry 1 of \"users\") has no entry in \"user_data\"");
  }

  @Test
  void loadFiles_unlistedUserWithSamples_throws() throws IOException {
    String content = "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\": {"
        + "\"a\": {\"x\": [[1]], \"y\": [0]}, \"extra\": {\"x\": [[2]], \"y\": [1]}}}";
    assertContains(loadError(content), "\"user_data\" has 1 samples for user 'extra' (at byte"
        + " offset " + content.indexOf("\"extra\"") + ") that \"users\" does not list");
  }

  @Test
  void loadFiles_unlistedEmptyUserAsLeafSplitWritesIt_ignored() throws IOException {
    Path file = write("split.json", "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1]], \"y\": [0]}, \"dropped\": {\"x\": [], \"y\": []}}}");
    LeafDataset dataset = LeafDataset.loadFiles(List.of(file));
    assertEquals(List.of("a"), dataset.users().stream().map(LeafUser::id).toList());
    assertThrows(IllegalArgumentException.class, () -> dataset.user("dropped"));
  }

  @Test
  void loadFiles_usersAndNumSamplesLengthsDiffer_throws() throws IOException {
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1, 2], \"user_data\": {}}"),
        "\"users\" lists 1 users but \"num_samples\" has 2 entries");
  }

  @Test
  void loadFiles_missingTopLevelKey_throwsNamingIt() throws IOException {
    assertContains(loadError("{\"users\": [], \"num_samples\": []}"),
        "the top-level object has no \"user_data\" key");
    assertContains(loadError("[]"), "expected a top-level object with \"users\","
        + " \"num_samples\" and \"user_data\", found an array at byte offset 0");
  }

  @Test
  void loadFiles_xAndYCountsDiffer_throws() throws IOException {
    String content = "{\"users\": [\"a\"], \"num_samples\": [2], \"user_data\":"
        + " {\"a\": {\"x\": [[1], [2]], \"y\": [0]}}}";
    assertContains(loadError(content), "user 'a' has 2 samples in \"x\" but 1 labels in \"y\","
        + " \"user_data\" entry at byte offset " + content.indexOf("\"a\": {"));
  }

  @Test
  void loadFiles_missingY_throws() throws IOException {
    String content = "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1]]}}}";
    assertContains(loadError(content), "\"user_data\" entry of user 'a' has no \"y\" array, at"
        + " byte offset " + content.indexOf("\"a\": {"));
  }

  @Test
  void loadFiles_featureLengthDiffers_throwsWithOffsetAndFirstSample() throws IOException {
    String content = "{\"users\": [\"a\"], \"num_samples\": [2], \"user_data\":"
        + " {\"a\": {\"x\": [[1, 2, 3], [4, 5]], \"y\": [0, 1]}}}";
    assertContains(loadError(content), "sample 1 of user 'a' has 2 values, expected 3 like"
        + " sample 0 of user 'a', at byte offset " + content.indexOf("[4, 5]"));
  }

  @Test
  void loadFiles_mixedKinds_throws() throws IOException {
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1, 2]], \"y\": [\"b\"]}}}"),
        "label 0 of user 'a' is text, but sample 0 of user 'a' is numeric; a dataset holds one"
            + " kind");
  }

  @Test
  void loadFiles_characterOutsideVocabulary_throwsNamingCharacterAndPosition()
      throws IOException {
    String content = "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [\"ab{d\"], \"y\": [\"e\"]}}}";
    assertContains(loadError(content), "character '{' (U+007B) at position 2 of sample 0 of"
        + " user 'a' is not in LEAF's 80-character Shakespeare vocabulary at byte offset "
        + content.indexOf("\"ab{d\""));
  }

  @Test
  void loadFiles_unknownCharactersMapped_outOfVocabularyIndex() throws IOException {
    Path file = write("oov.json", "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [\"a{\\u00e9\"], \"y\": [\"|\"]}}}");
    LeafUser user = LeafDataset.loadFiles(List.of(file),
        LeafDataset.UnknownCharacters.MAP_TO_OUT_OF_VOCABULARY).user("a");
    assertArrayEquals(new int[] {53, 80, 80}, user.characters());
    assertArrayEquals(new int[] {LeafDataset.OUT_OF_VOCABULARY}, user.labels());
    assertThrows(DatasetFormatException.class, () -> LeafDataset.loadDirectory(directory));
  }

  @Test
  void loadFiles_badLabels_throwNamingLabel() throws IOException {
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [\"ab\"], \"y\": [\"cd\"]}}}"),
        "label 0 of user 'a' is \"cd\" (2 characters), expected exactly one character");
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1]], \"y\": [-4]}}}"),
        "label 0 of user 'a' is -4, expected a class of at least 0");
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1]], \"y\": [1.5]}}}"), "expected an integer, found 1.5");
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1]], \"y\": [null]}}}"),
        "label 0 of user 'a' must be an integer or a one-character string, found null");
  }

  @Test
  void loadFiles_badSamples_throwNamingSample() throws IOException {
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [7], \"y\": [0]}}}"),
        "sample 0 of user 'a' must be an array of numbers or a string, found a number");
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
        + " {\"a\": {\"x\": [[1e39]], \"y\": [0]}}}"),
        "value 0 of sample 0 of user 'a' does not fit a finite float");
  }

  @Test
  void loadFiles_duplicatesWithinFile_throw() throws IOException {
    assertContains(loadError("{\"users\": [\"a\", \"a\"], \"num_samples\": [0, 0],"
        + " \"user_data\": {}}"), "user 'a' is listed twice in \"users\"");
    assertContains(loadError("{\"users\": [], \"users\": []}"), "duplicate key \"users\"");
    assertContains(loadError("{\"users\": [\"a\"], \"num_samples\": [0], \"user_data\":"
        + " {\"a\": {\"x\": [], \"y\": []}, \"a\": {\"x\": [], \"y\": []}}}"),
        "user 'a' appears twice in \"user_data\"");
  }

  @Test
  void loadFiles_sameUserInTwoFiles_throwsNamingBothFiles() throws IOException {
    Path first = write("1.json", FEMNIST_A);
    Path second = write("2.json", FEMNIST_A);
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> LeafDataset.loadFiles(List.of(first, second)));
    assertEquals(second + ": user 'f0' also appears in " + first
        + "; each user must be in one file", error.getMessage());
  }

  @Test
  void loadFiles_malformedJson_throwsWithOffset() throws IOException {
    assertContains(loadError("{\"users\": [\"a\",], \"num_samples\": [1]}"),
        "malformed JSON at byte offset 15: expected a value after ',' in an array, found ']'");
  }

  @Test
  void loadDirectory_noJsonFiles_throwsNoSuchFile() throws IOException {
    write("readme.txt", "x");
    NoSuchFileException error = assertThrows(NoSuchFileException.class,
        () -> LeafDataset.loadDirectory(directory));
    assertContains(error.getMessage(), "no .json or .json.gz files in this LEAF directory");
    assertThrows(NoSuchFileException.class,
        () -> LeafDataset.loadDirectory(directory.resolve("missing")));
  }

  @Test
  void user_unknownId_throwsNamingIt() throws IOException {
    LeafDataset dataset = LeafDataset.loadFiles(List.of(write("a.json", FEMNIST_A)));
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> dataset.user("nobody"));
    assertEquals("no user 'nobody' in this dataset of 2 users", error.getMessage());
  }

  @Test
  void loadFiles_noFiles_emptyNumericDataset() throws IOException {
    LeafDataset dataset = LeafDataset.loadFiles(List.of());
    assertEquals(0, dataset.numUsers());
    assertEquals(LeafDataset.Kind.NUMERIC, dataset.kind());
    assertEquals(0, dataset.featureLength());
  }
}
