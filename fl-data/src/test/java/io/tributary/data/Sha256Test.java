package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

  @TempDir
  Path directory;

  @Test
  void ofBytes_standardTestVectors_matchPublishedDigests() {
    // FIPS 180-2 example "abc" and the empty message.
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Sha256.ofBytes("abc".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        Sha256.ofBytes(new byte[0]));
  }

  @Test
  void ofFile_multiBufferFile_matchesOfBytes() throws IOException {
    byte[] content = TestFiles.pixels(200_000);
    Path file = Files.write(directory.resolve("data"), content);
    assertEquals(Sha256.ofBytes(content), Sha256.ofFile(file));
  }

  @Test
  void toHex_bytes_lowercaseTwoCharactersEach() {
    assertEquals("00ff0a", Sha256.toHex(new byte[] {0, (byte) 0xFF, 10}));
  }
}
