package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GzipTest {

  @TempDir
  Path directory;

  @Test
  void isGzip_compressedFileWithoutGzSuffix_true() throws IOException {
    Path file = Files.write(directory.resolve("plain-name"), TestFiles.gzip(new byte[] {1, 2}));
    assertTrue(Gzip.isGzip(file));
  }

  @Test
  void isGzip_rawFileWithGzSuffix_false() throws IOException {
    Path file = Files.write(directory.resolve("looks.gz"), new byte[] {0, 0, 8, 1});
    assertFalse(Gzip.isGzip(file));
  }

  @Test
  void isGzip_oneByteFile_false() throws IOException {
    Path file = Files.write(directory.resolve("tiny"), new byte[] {0x1f});
    assertFalse(Gzip.isGzip(file));
  }

  @Test
  void openPossiblyCompressed_compressedAndRaw_yieldSameContent() throws IOException {
    byte[] content = TestFiles.pixels(1000);
    Path compressed = Files.write(directory.resolve("a"), TestFiles.gzip(content));
    Path raw = Files.write(directory.resolve("b"), content);
    try (InputStream first = Gzip.openPossiblyCompressed(compressed);
        InputStream second = Gzip.openPossiblyCompressed(raw)) {
      assertArrayEquals(content, first.readAllBytes());
      assertArrayEquals(content, second.readAllBytes());
    }
  }
}
