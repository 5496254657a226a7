package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {

  @TempDir
  Path directory;

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(directory.resolve(name), content);
  }

  /** Reads every regular file of {@code archive} into a map from name to content. */
  private static Map<String, byte[]> readAll(Path archive) throws IOException {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    TarReader.forEachRegularFile(archive,
        (entry, content) -> contents.put(entry.name(), content.readAllBytes()));
    return contents;
  }

  @Test
  void forEachRegularFile_tgzWithMixedEntries_deliversRegularFilesOnly() throws IOException {
    byte[] exactBlock = TestFiles.pixels(512);
    byte[] overBlock = TestFiles.pixels(513);
    byte[] tar = new TestFiles.Tar()
        .directory("package/")
        .file("package/package.json", text("{\"name\":\"x\"}"))
        .symlink("package/link", "package.json")
        .file("package/data/empty", new byte[0])
        .file("package/data/exact", exactBlock)
        .file("package/data/over", overBlock)
        .build();
    Map<String, byte[]> contents = readAll(write("x.tgz", TestFiles.gzip(tar)));
    assertEquals(List.of("package/package.json", "package/data/empty", "package/data/exact",
        "package/data/over"), new ArrayList<>(contents.keySet()));
    assertArrayEquals(text("{\"name\":\"x\"}"), contents.get("package/package.json"));
    assertEquals(0, contents.get("package/data/empty").length);
    assertArrayEquals(exactBlock, contents.get("package/data/exact"));
    assertArrayEquals(overBlock, contents.get("package/data/over"));
  }

  @Test
  void forEachRegularFile_uncompressedTar_readsEntries() throws IOException {
    byte[] tar = new TestFiles.Tar().file("a.txt", text("alpha")).build();
    assertArrayEquals(text("alpha"), readAll(write("plain.tar", tar)).get("a.txt"));
  }

  @Test
  void forEachRegularFile_ustarPrefix_joinedWithName() throws IOException {
    byte[] tar = new TestFiles.Tar().entry("file.bin", "deep/prefix", '0', text("x")).build();
    assertEquals(List.of("deep/prefix/file.bin"),
        new ArrayList<>(readAll(write("p.tar", tar)).keySet()));
  }

  @Test
  void forEachRegularFile_handlerReadsPartially_nextEntryStillAligned() throws IOException {
    byte[] tar = new TestFiles.Tar()
        .file("first", TestFiles.pixels(1000))
        .file("second", text("beta"))
        .build();
    Map<String, byte[]> seen = new LinkedHashMap<>();
    TarReader.forEachRegularFile(write("t.tar", tar), (entry, content) -> {
      seen.put(entry.name(), content.readNBytes(4));
      content.close(); // Closing an entry stream must not close the archive.
    });
    assertArrayEquals(text("beta"), seen.get("second"));
  }

  @Test
  void forEachRegularFile_missingEndMarker_tolerated() throws IOException {
    byte[] tar = new TestFiles.Tar().file("a", text("alpha")).buildWithoutEndMarker();
    assertArrayEquals(text("alpha"), readAll(write("no-end.tar", tar)).get("a"));
  }

  @Test
  void forEachRegularFile_badHeaderChecksum_throwsWithOffset() throws IOException {
    byte[] tar = new TestFiles.Tar().file("a", text("alpha")).file("b", text("beta")).build();
    tar[1024 + 1] = 'X'; // Corrupt the second header's name after its checksum was computed.
    Path archive = write("bad.tar", tar);
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> readAll(archive));
    assertContainsAll(error.getMessage(), archive.toString(),
        "corrupt tar header at offset 1024", "does not match computed checksum");
  }

  @Test
  void forEachRegularFile_truncatedEntryData_throwsPromisedAndFound() throws IOException {
    byte[] tar = new TestFiles.Tar().file("big", TestFiles.pixels(2000)).buildWithoutEndMarker();
    Path archive = write("cut.tgz", TestFiles.gzip(Arrays.copyOf(tar, 512 + 700)));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> readAll(archive));
    assertContainsAll(error.getMessage(), archive.toString(), "truncated tar entry 'big'",
        "header promises 2000 bytes, found only 700");
  }

  @Test
  void forEachRegularFile_truncatedHeader_throws() throws IOException {
    byte[] tar = new TestFiles.Tar().file("a", text("alpha")).buildWithoutEndMarker();
    Path archive = write("short.tar", Arrays.copyOf(tar, 1024 + 100));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> readAll(archive));
    assertContainsAll(error.getMessage(), "truncated tar header at offset 1024",
        "expected 512 bytes, found 100");
  }

  @Test
  void forEachRegularFile_nonOctalSize_throwsInvalidOctal() throws IOException {
    byte[] header = TestFiles.Tar.header("a", "", '0', 5);
    byte[] size = text("00000000x05\0");
    System.arraycopy(size, 0, header, 124, size.length);
    TestFiles.Tar.writeChecksum(header);
    Path archive = write("octal.tar", new TestFiles.Tar().raw(header).build());
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> readAll(archive));
    assertContainsAll(error.getMessage(), archive.toString(),
        "invalid octal size field '00000000x05\\x00'", "entry 'a'");
  }

  @Test
  void forEachRegularFile_corruptGzip_throwsCorruptGzip() throws IOException {
    byte[] compressed = TestFiles.gzip(new TestFiles.Tar().file("a", text("alpha")).build());
    for (int index = 10; index < compressed.length - 8; index++) {
      compressed[index] = (byte) 0xFF;
    }
    Path archive = write("bad.tgz", compressed);
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> readAll(archive));
    assertContainsAll(error.getMessage(), archive.toString(), "corrupt gzip data");
  }

  @Test
  void parseNumber_base256Size_decoded() throws IOException {
    byte[] header = new byte[512];
    header[124] = (byte) 0x80;
    header[131] = 0x02; // 2 << 32 = 8 GiB, beyond what 11 octal digits can hold.
    assertEquals(2L << 32,
        TarReader.parseNumber(Path.of("x.tar"), header, 124, 12, "size", 0, "big"));
  }

  @Test
  void parseNumber_spacePaddedOctal_decoded() throws IOException {
    byte[] header = new byte[512];
    System.arraycopy(text("   644 \0"), 0, header, 100, 8);
    assertEquals(0644, TarReader.parseNumber(Path.of("x.tar"), header, 100, 8, "mode", 0, "f"));
  }

  @Test
  void extract_selectedEntries_writtenUnderTarget() throws IOException {
    byte[] tar = new TestFiles.Tar()
        .file("package/data/one", text("1"))
        .file("package/readme", text("r"))
        .build();
    Path target = directory.resolve("out");
    Map<String, Path> extracted = TarReader.extract(write("x.tgz", TestFiles.gzip(tar)), target,
        name -> name.startsWith("package/data/"));
    Path one = target.resolve("package").resolve("data").resolve("one");
    assertEquals(Map.of("package/data/one", one), extracted);
    assertArrayEquals(text("1"), Files.readAllBytes(one));
    assertFalse(Files.exists(target.resolve("package").resolve("readme")));
  }

  @Test
  void extract_dotDotEntry_rejectedAsTraversal() throws IOException {
    byte[] tar = new TestFiles.Tar().file("package/../../evil", text("x")).build();
    Path archive = write("evil.tar", tar);
    Path target = directory.resolve("out");
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> TarReader.extract(archive, target, name -> true));
    assertContainsAll(error.getMessage(), archive.toString(),
        "unsafe tar entry name 'package/../../evil'", "path traversal guard");
    assertFalse(Files.exists(directory.resolve("evil")));
  }

  @Test
  void extract_absoluteEntry_rejectedAsTraversal() throws IOException {
    byte[] tar = new TestFiles.Tar().file("/etc/evil", text("x")).build();
    Path archive = write("abs.tar", tar);
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> TarReader.extract(archive, directory.resolve("out"), name -> true));
    assertContainsAll(error.getMessage(), "unsafe tar entry name '/etc/evil'");
  }
}
