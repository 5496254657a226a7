package io.tributary.client.cli;

import io.tributary.client.FlClient;
import io.tributary.client.Trainer;
import io.tributary.client.train.ConvTrainer;
import io.tributary.client.train.DenseTrainer;
import io.tributary.client.train.Dl4jModel;
import io.tributary.client.train.Dl4jTrainer;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.Architectures;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.data.DatasetCache;
import io.tributary.data.Mnist;
import io.tributary.data.MnistDataset;
import io.tributary.data.MnistFetcher;
import io.tributary.data.MnistSplits;
import io.tributary.data.partition.Partition;
import io.tributary.data.partition.Partitioners;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fl client}: joins a server's rounds and trains on one partition of MNIST — the reference
 * client for demos and tests of a real deployment.
 */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    version = "Tributary client 0.1.0 (protocol fl.v1)",
    description = {
      "Runs a Tributary client: checks in with a server, trains the model it receives on a",
      "partition of MNIST and uploads the weight delta, until the server says training is over."
    })
public final class ClientCommand implements Callable<Integer> {
  @Option(names = "--server", description = "Server address host:port (default ${DEFAULT-VALUE}).")
  String server = "localhost:8080";

  @Option(names = "--client-id", description = "This client's id (default: client-<pid>).")
  String clientId;

  @Option(names = "--model", description = "Model: mnist-2nn, mnist-cnn or mlp:784-...-10 (default ${DEFAULT-VALUE}).")
  String model = "mnist-2nn";

  @Option(names = "--trainer", description = "Trainer: lean (DenseTrainer or ConvTrainer, on the --backend) or dl4j"
      + " (DL4J's MultiLayerNetwork, about ten times slower; any model) (default ${DEFAULT-VALUE}).")
  String trainer = "lean";

  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the MNIST IDX files (default: fetch into the dataset cache).")
  Path data;

  @Option(names = "--partition", description = "iid or shards (McMahan's pathological non-IID; default ${DEFAULT-VALUE}).")
  String partition = "iid";

  @Option(names = "--num-partitions", description = "Number of partitions of the training set (default ${DEFAULT-VALUE}).")
  int numPartitions = 10;

  @Option(names = "--partition-index", description = "Which partition this client holds (default ${DEFAULT-VALUE}).")
  int partitionIndex;

  @Option(names = "--partition-seed", description = "Seed of the partitioning; all clients must agree (default ${DEFAULT-VALUE}).")
  long partitionSeed = 1;

  @Option(names = "--shards-per-client", description = "Shards per client for --partition shards (default ${DEFAULT-VALUE}).")
  int shardsPerClient = 2;

  @Option(names = "--backend", description = "Training backend: blas (native OpenBLAS) or java (default ${DEFAULT-VALUE}).")
  String backend = "blas";

  @Option(names = "--threads", description = "Training threads (default ${DEFAULT-VALUE}).")
  int threads = 1;

  @Option(names = "--report-evaluation", description = "Evaluate each global model on the local data and report it.")
  boolean reportEvaluation;

  @Option(names = "--secure-aggregation", description = "Enrol a fresh Ed25519 identity key at check-in, so that"
      + " this client can take part in secure aggregation (needed by a server with secure-aggregation: true).")
  boolean secureAggregation;

  @Option(names = "--max-unavailable", description = "Give up after the server was unreachable this many seconds (default ${DEFAULT-VALUE}).")
  long maxUnavailableSeconds = 300;

  @Override
  public Integer call() throws Exception {
    if (clientId == null) {
      clientId = "client-" + ProcessHandle.current().pid();
    }
    ModelArchitecture architecture;
    DenseTrainer.Backend trainBackend;
    boolean dl4j;
    try {
      architecture = Architectures.byName(model);
      trainBackend = switch (backend.toLowerCase(Locale.ROOT)) {
        case "blas" -> DenseTrainer.Backend.BLAS;
        case "java" -> DenseTrainer.Backend.JAVA;
        default -> throw new IllegalArgumentException("--backend must be blas or java, got " + backend);
      };
      dl4j = switch (trainer.toLowerCase(Locale.ROOT)) {
        case "lean" -> false;
        case "dl4j" -> true;
        default -> throw new IllegalArgumentException("--trainer must be lean or dl4j, got " + trainer);
      };
      if (!(architecture instanceof DenseNetwork) && !(architecture instanceof ConvNetwork)) {
        throw new IllegalArgumentException("unsupported model '" + model + "'");
      }
      if (partitionIndex < 0 || partitionIndex >= numPartitions) {
        throw new IllegalArgumentException("--partition-index must be in 0.." + (numPartitions - 1));
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    MnistSplits splits = data != null
        ? Mnist.loadDirectory(data)
        : MnistFetcher.fetchAndLoad(DatasetCache.defaultCache(), System.err);
    MnistDataset full = splits.train();
    int[] allLabels = full.intLabels();
    Partition p = switch (partition) {
      case "iid" -> Partitioners.iid(full.size(), numPartitions, partitionSeed);
      case "shards" -> Partitioners.shards(allLabels, numPartitions, shardsPerClient, partitionSeed);
      default -> throw new IllegalArgumentException("--partition must be iid or shards, got " + partition);
    };
    // Keep only this client's samples so the full training set can be garbage-collected.
    MnistDataset train = full.subset(p.indices(partitionIndex));
    splits = null;
    full = null;
    int[] labels = train.intLabels();
    int[] indices = new int[train.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    AutoCloseable trainer = newTrainer(architecture, dl4j, trainBackend, train.images(), labels, indices);
    try (trainer;
        FlClient client = FlClient.builder()
            .target(server)
            .clientId(clientId)
            .trainer((Trainer) trainer)
            .reportEvaluation(reportEvaluation)
            .secureAggregation(secureAggregation)
            .maxUnavailable(Duration.ofSeconds(maxUnavailableSeconds))
            .build()) {
      System.out.printf(Locale.ROOT, "%s: %d training samples (%s partition %d of %d), server %s%n",
          clientId, indices.length, partition, partitionIndex, numPartitions, server);
      FlClient.Outcome outcome = client.run();
      System.out.printf(Locale.ROOT, "%s: done after %d tasks: %s (model version %d)%n", clientId,
          outcome.tasksCompleted(), outcome.reason(), outcome.finalModelVersion());
      return 0;
    }
  }


  /**
   * The lean trainer of the architecture on {@code backend} ({@link DenseTrainer} or {@link
   * ConvTrainer}), or with {@code dl4j} DL4J's; training and local evaluation on the same rows.
   */
  private AutoCloseable newTrainer(
      ModelArchitecture architecture, boolean dl4j, DenseTrainer.Backend backend, float[] x, int[] labels,
      int[] rows) {
    if (dl4j) {
      Dl4jModel dl4jModel =
          architecture instanceof DenseNetwork dense ? Dl4jModel.dense(dense) : Dl4jModel.mnistCnn();
      return Dl4jTrainer.builder().model(dl4jModel).trainingData(x, labels, rows).evaluationData(x, labels, rows)
          .threads(threads).build();
    }
    if (architecture instanceof DenseNetwork dense) {
      return DenseTrainer.builder().network(dense).trainingData(x, labels, rows).evaluationData(x, labels, rows)
          .backend(backend).threads(threads).build();
    }
    return ConvTrainer.builder().network((ConvNetwork) architecture).trainingData(x, labels, rows)
        .evaluationData(x, labels, rows).backend(backend).threads(threads).build();
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    ConsoleHandler h = new ConsoleHandler();
    h.setFormatter(new SimpleFormatter());
    root.addHandler(h);
    root.setLevel(Level.parse(System.getenv().getOrDefault("TRIBUTARY_LOG_LEVEL", "INFO")));
    Logger.getLogger("io.grpc").setLevel(Level.WARNING);
    return new CommandLine(new ClientCommand()).execute(args);
  }
}
