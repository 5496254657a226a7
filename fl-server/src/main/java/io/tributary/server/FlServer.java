package io.tributary.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.strategy.Strategy;
import io.tributary.server.internal.FederatedLearningService;
import io.tributary.server.internal.RoundCoordinator;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The aggregation server: a gRPC endpoint speaking fl.v1 plus the thread that runs the rounds.
 *
 * <pre>{@code
 * try (FlServer server = FlServer.builder(config).evaluator(eval).listener(l).build().start()) {
 *   boolean ok = server.awaitRounds();
 *   ModelWeights model = server.globalModel();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the rounds and the endpoint.
 */
public final class FlServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FlServer.class.getName());
  private final ServerConfig config;
  private final RoundCoordinator coordinator;
  private final Server grpc;
  private final Thread roundThread;
  private volatile boolean succeeded;

  private FlServer(Builder b) {
    this.config = b.config;
    Strategy strategy = b.strategy != null ? b.strategy : strategyFor(config);
    ModelWeights initial = b.initialModel != null ? b.initialModel
        : config.initialModel().isPresent() ? readModel(config.model().layout(), config.initialModel().get())
        : config.model().initialize(config.seed());
    RoundListener listener = b.listener != null ? b.listener : new RoundListener() {};
    List<UpdateStage> stages = new ArrayList<>(b.stages);
    // Clipping comes last, so that it sees the update as it will be aggregated (after unmasking,
    // decryption or decompression stages).
    config.clipNorm().ifPresent(c -> stages.add(NormBoundStage.of(c)));
    this.coordinator = new RoundCoordinator(config, strategy, initial, b.evaluator, listener, stages,
        Clock.systemUTC());
    if (b.initialModel == null) {
      readPrivacyLedger(config).ifPresent(coordinator::restorePrivacyLedger);
    }
    this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .addService(new FederatedLearningService(coordinator))
        .maxInboundMessageSize(4 << 20)
        .build();
    this.roundThread = new Thread(() -> succeeded = coordinator.runRounds(), "tributary-rounds");
  }

  /**
   * Reads a model saved as little-endian float32 values in layout order (what {@code save-model}
   * writes).
   *
   * @throws IllegalArgumentException if the file cannot be read, has the wrong size or holds NaN/Inf
   */
  public static ModelWeights readModel(ModelLayout layout, Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("config 'initial-model': cannot read " + file + ": " + e, e);
    }
    if (bytes.length != layout.totalBytes()) {
      throw new IllegalArgumentException("config 'initial-model': " + file + " has " + bytes.length
          + " bytes, the model needs " + layout.totalBytes() + " (" + layout.totalElements() + " float32 values)");
    }
    ModelWeights w = ModelWeights.of(layout, TensorCodec.fromBytes(bytes));
    if (!w.allFinite()) {
      throw new IllegalArgumentException("config 'initial-model': " + file + " contains NaN or infinite values");
    }
    return w;
  }

  /** Where the privacy ledger of a model file is kept: next to it, with {@code .dp-ledger} appended. */
  public static Path privacyLedgerPath(Path model) {
    return model.resolveSibling(model.getFileName() + ".dp-ledger");
  }

  /**
   * With {@code dp} on and an {@code initial-model}, the privacy ledger saved next to it ({@link
   * #privacyLedgerPath}) by the run that wrote it, so that the ε spent goes on from there; empty
   * without DP or without an initial model. The server keeps no rounds across restarts: a run that
   * goes on from a saved model starts again at round 1, but with the ledger its accountant does not.
   *
   * @throws IllegalArgumentException when the ledger is missing or unreadable: a DP run must not start
   *     from a saved model with ε reset to 0
   */
  public static java.util.Optional<String> readPrivacyLedger(ServerConfig config) {
    if (!config.dp().enabled() || config.initialModel().isEmpty()) {
      return java.util.Optional.empty();
    }
    Path ledger = privacyLedgerPath(config.initialModel().get());
    if (!Files.isRegularFile(ledger)) {
      throw new IllegalArgumentException("config 'initial-model' with 'dp': " + ledger + " is missing; a DP run"
          + " goes on from a saved model only with the privacy ledger saved next to it (else the ε spent would"
          + " restart from 0)");
    }
    try {
      return java.util.Optional.of(Files.readString(ledger, java.nio.charset.StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new IllegalArgumentException("config 'initial-model': cannot read the privacy ledger " + ledger + ": "
          + e, e);
    }
  }

  /**
   * The strategy a config names, built by its {@link io.tributary.core.strategy.StrategySpec} with the
   * config's client-side values and {@link ServerConfig#totalClients()} as the federation's size
   * (which only SCAFFOLD reads).
   */
  public static Strategy strategyFor(ServerConfig config) {
    return config.strategySpec().create(config.learningRate(), config.localEpochs(), config.batchSize(),
        config.seed(), config.totalClients());
  }

  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  /** Binds the port and starts running rounds. */
  public FlServer start() throws IOException {
    grpc.start();
    LOG.info(() -> "listening on " + config.host() + ":" + port() + " — " + config.describe());
    roundThread.start();
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return grpc.getPort();
  }

  /** Waits until all rounds ran (true) or the server gave up (false). */
  public boolean awaitRounds() throws InterruptedException {
    roundThread.join();
    return succeeded;
  }

  /** Waits up to {@code timeoutMs} for the rounds; false on timeout. */
  public boolean awaitRounds(long timeoutMs) throws InterruptedException {
    roundThread.join(timeoutMs);
    return !roundThread.isAlive() && succeeded;
  }

  public ModelWeights globalModel() {
    return coordinator.globalModel();
  }

  public List<RoundSummary> history() {
    return coordinator.history();
  }

  /** Internal state, exposed for tests and operators' tooling. */
  public RoundCoordinator coordinator() {
    return coordinator;
  }

  /**
   * Keeps answering check-ins (with "finished") for up to {@code graceMs} so clients learn that
   * training is over, then stops.
   */
  @Override
  public void close() throws InterruptedException {
    coordinator.requestStop();
    roundThread.join(10_000);
    grpc.shutdown();
    if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
      grpc.shutdownNow();
    }
  }

  /** Collects the server's parts. Not thread-safe. */
  public static final class Builder {
    private final ServerConfig config;
    private Strategy strategy;
    private ModelWeights initialModel;
    private CentralEvaluator evaluator;
    private RoundListener listener;
    private final List<UpdateStage> stages = new ArrayList<>();

    private Builder(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Overrides the strategy the config names. With {@code dp} on, this strategy is wrapped in DP-FedAvg
     * like the configured one would be.
     */
    public Builder strategy(Strategy s) {
      this.strategy = Objects.requireNonNull(s);
      return this;
    }

    /** Starts from these weights instead of a fresh initialisation from the seed. */
    public Builder initialModel(ModelWeights w) {
      this.initialModel = Objects.requireNonNull(w);
      return this;
    }

    public Builder evaluator(CentralEvaluator e) {
      this.evaluator = e;
      return this;
    }

    public Builder listener(RoundListener l) {
      this.listener = l;
      return this;
    }

    /**
     * Appends a stage to the update pipeline (run in the order added, before the fold; the config's
     * {@code clip-norm} stage, when set, runs after all of them).
     */
    public Builder stage(UpdateStage stage) {
      stages.add(Objects.requireNonNull(stage));
      return this;
    }

    public FlServer build() {
      return new FlServer(this);
    }
  }
}
