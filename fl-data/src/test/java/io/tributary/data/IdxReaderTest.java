package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir
  Path directory;

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(directory.resolve(name), content);
  }

  @Test
  void read_rawImages_returnsHeaderAndPayload() throws IOException {
    Path file = write("images", TestFiles.fiveImages());
    IdxArray array = IdxReader.read(file, IdxFormat.UNSIGNED_BYTE, 3);
    assertEquals(IdxFormat.UNSIGNED_BYTE, array.type());
    assertArrayEquals(new int[] {5, 3, 2}, array.dimensions());
    assertArrayEquals(TestFiles.pixels(30), array.data());
  }

  @Test
  void read_gzipWithoutGzSuffix_detectedByContent() throws IOException {
    Path raw = write("images", TestFiles.fiveImages());
    Path compressed = write("images-compressed", TestFiles.gzip(TestFiles.fiveImages()));
    assertEquals(IdxReader.read(raw), IdxReader.read(compressed));
  }

  @Test
  void read_rawFileWithGzSuffix_readAsRaw() throws IOException {
    Path file = write("images.gz", TestFiles.fiveImages());
    assertArrayEquals(new int[] {5, 3, 2}, IdxReader.read(file).dimensions());
  }

  @Test
  void read_intElements_keepsBigEndianBytes() throws IOException {
    byte[] payload = ByteBuffer.allocate(8).putInt(1).putInt(-2).array();
    Path file = write("ints", TestFiles.idx(IdxFormat.INT.magic(1), new int[] {2}, payload));
    IdxArray array = IdxReader.read(file);
    assertEquals(IdxFormat.INT, array.type());
    assertEquals(2, array.elementCount());
    assertEquals(-2, ByteBuffer.wrap(array.data()).getInt(4));
  }

  @Test
  void read_emptyDataset_returnsZeroElements() throws IOException {
    Path file = write("empty", TestFiles.idx(IdxFormat.MNIST_IMAGES_MAGIC, new int[] {0, 28, 28},
        new byte[0]));
    assertEquals(0, IdxReader.read(file).elementCount());
  }

  @Test
  void read_wrongMagic_throwsWithMagicAndPath() throws IOException {
    Path file = write("bad-magic", TestFiles.idx(0x12340803, new int[] {5, 3, 2},
        TestFiles.pixels(30)));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "bad IDX magic number 0x12340803",
        "expected bytes 00 00 <type> <ndims>", "0x00000803");
    assertEquals(file, error.file());
  }

  @Test
  void read_unsupportedTypeCode_throwsListingSupportedCodes() throws IOException {
    Path file = write("type7", TestFiles.idx(0x00000701, new int[] {1}, new byte[1]));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(),
        "unsupported IDX element type code 0x07", "0x00000701", "0x08 (unsigned byte)");
  }

  @Test
  void read_wrongDimensionCount_throwsExpectedAndFound() throws IOException {
    Path file = write("two-dims", TestFiles.idx(0x00000802, new int[] {5, 6}, new byte[30]));
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> IdxReader.read(file, IdxFormat.UNSIGNED_BYTE, 3));
    assertContainsAll(error.getMessage(), file.toString(),
        "wrong number of IDX dimensions: expected 3 (magic number 0x00000803), found 2"
            + " (magic number 0x00000802)");
  }

  @Test
  void read_unexpectedElementType_throwsExpectedAndFound() throws IOException {
    Path file = write("floats", TestFiles.idx(IdxFormat.FLOAT.magic(1), new int[] {1},
        new byte[4]));
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> IdxReader.read(file, IdxFormat.UNSIGNED_BYTE, 1));
    assertContainsAll(error.getMessage(), file.toString(),
        "expected unsigned byte (type code 0x08), found float (type code 0x0D");
  }

  @Test
  void read_truncatedMagic_throwsTruncatedHeader() throws IOException {
    Path file = write("two-bytes", new byte[] {0, 0});
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "truncated IDX header",
        "expected a 4-byte magic number, found only 2 bytes");
  }

  @Test
  void read_truncatedDimensionSizes_throwsTruncatedHeader() throws IOException {
    byte[] complete = TestFiles.fiveImages();
    Path file = write("short-header", Arrays.copyOf(complete, 10));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "truncated IDX header",
        "promises 3 dimension sizes (12 bytes), found only 6 bytes");
  }

  @Test
  void read_truncatedRawPayload_throwsPromisedAndFoundCounts() throws IOException {
    byte[] complete = TestFiles.fiveImages();
    Path file = write("short-payload", Arrays.copyOf(complete, complete.length - 18));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "truncated IDX payload",
        "header promises 30 bytes (5 x 3 x 2 unsigned bytes), found only 12");
  }

  @Test
  void read_truncatedGzipPayload_throwsAfterDecompression() throws IOException {
    byte[] complete = TestFiles.fiveImages();
    Path file = write("short-payload.gz", TestFiles.gzip(Arrays.copyOf(complete, 20)));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(),
        "truncated IDX payload (after gzip decompression)", "found only 4");
  }

  @Test
  void read_trailingGarbageRaw_throwsExtraByteCount() throws IOException {
    byte[] complete = TestFiles.fiveImages();
    Path file = write("long", Arrays.copyOf(complete, complete.length + 3));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "trailing garbage",
        "found 3 unexpected extra bytes");
  }

  @Test
  void read_trailingGarbageGzip_throwsExtraByteCount() throws IOException {
    byte[] complete = TestFiles.fiveImages();
    Path file = write("long.gz", TestFiles.gzip(Arrays.copyOf(complete, complete.length + 7)));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(),
        "trailing garbage after IDX payload (after gzip decompression)",
        "found 7 unexpected extra bytes");
  }

  @Test
  void read_corruptGzipBody_throwsCorruptGzip() throws IOException {
    byte[] compressed = TestFiles.gzip(TestFiles.fiveImages());
    // Keep the 10-byte gzip header and overwrite the deflate stream with an invalid block type.
    for (int index = 10; index < compressed.length - 8; index++) {
      compressed[index] = (byte) 0xFF;
    }
    Path file = write("corrupt.gz", compressed);
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "corrupt gzip data");
  }

  @Test
  void read_truncatedGzipStream_throwsTruncatedGzip() throws IOException {
    byte[] compressed = TestFiles.gzip(TestFiles.fiveImages());
    Path file = write("cut.gz", Arrays.copyOf(compressed, compressed.length - 4));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "truncated gzip stream");
  }

  @Test
  void read_headerPromisingHugePayload_throwsTooLargeWithoutAllocating() throws IOException {
    Path file = write("huge.gz", TestFiles.gzip(TestFiles.idx(IdxFormat.MNIST_IMAGES_MAGIC,
        new int[] {100_000, 1000, 1000}, new byte[0])));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString(), "payload larger than",
        "100000 x 1000 x 1000");
  }

  @Test
  void read_missingFile_throwsNoSuchFile() {
    Path file = directory.resolve("absent");
    NoSuchFileException error =
        assertThrows(NoSuchFileException.class, () -> IdxReader.read(file));
    assertContainsAll(error.getMessage(), file.toString());
  }
}
