package io.tributary.server.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.aggregate.robust.RobustAggregator;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.protocol.ClientFailure;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.protocol.RoundResults;
import io.tributary.core.strategy.Scaffold;
import io.tributary.core.strategy.Seeds;
import io.tributary.core.strategy.Strategy;
import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.dp.DistributedDpCodec;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.DpSpec;
import io.tributary.crypto.dp.PrivateStrategy;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggException;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.SecureUpdateCodec;
import io.tributary.proto.convert.SecAggWire;
import io.tributary.proto.v1.SecAggSetup;
import io.tributary.server.CentralEvaluator;
import io.tributary.server.RoundListener;
import io.tributary.server.RoundSummary;
import io.tributary.server.ServerConfig;
import io.tributary.server.UpdatePipeline;
import io.tributary.server.UpdateStage;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the rounds: waits for check-ins, selects a seeded cohort, hands out tasks and the model,
 * accepts validated uploads into one streaming accumulator, closes the round at quorum or deadline,
 * aggregates through the strategy, evaluates and moves on.
 *
 * <p>Each update is folded with the strategy's {@link Strategy#aggregationWeight} and {@link
 * Strategy#updateMultiplier} (FedNova: 1/‖a_i‖₁, from the upload header's {@code
 * accumulation_norm}, or the local steps when the client reports none), both taken when the upload
 * begins, so a client whose values the strategy refuses is rejected before it sends its data.
 *
 * <p>SCAFFOLD ({@link Scaffold}) adds control variates to the wire: each download carries the
 * server's control variate c after the model, and each upload must carry the client's Δc_i after its
 * delta. Δc_i is checked as it arrives (finite, within ±{@link UpdateAccumulator#DEFAULT_MAX_ABS_VALUE},
 * the bound the simulation engine uses) and, once the whole upload is valid, folded with weight 1
 * into a second accumulator; when the round closes the coordinator calls {@link
 * Scaffold#updateControl} with it before {@link Strategy#aggregateFit}, and the next round's
 * downloads carry the new c. An upload that lacks Δc_i in a SCAFFOLD round, or carries one in any
 * other, is refused with INVALID_ARGUMENT before its data is read. A failed round discards the
 * control deltas with the rest; c then stays as it was.
 *
 * <p>Memory: O(model) for the streaming weighted mean, plus one staging buffer per upload slot.
 * SCAFFOLD doubles both: a second O(model) accumulator for Δc_i and a second staging buffer per slot
 * (an upload is staged whole, Δc_i included, before anything is folded).
 * When the strategy names a {@link Strategy#robustAggregator()} (median, trimmed mean, Krum), the
 * coordinator also keeps a float copy of every accepted update of the round, O(K·model) for K
 * updates, combines them with the aggregator when the round closes and hands the strategy the result
 * ({@link AggregatedUpdate#ofCombined}). An update is copied only when it is committed, after every
 * check, so a rejected, replayed or partial upload leaves no trace there either. If the aggregator
 * refuses the round's updates (Krum with fewer than 2f + 3 after dropouts), the round fails as one
 * without quorum does: the global model stays unchanged and the round is retried with a new cohort,
 * up to {@code max-round-attempts} times.
 *
 * <p>Thread-safety: all round state is guarded by this object's monitor; folds into the accumulator
 * run concurrently under the read side of {@code foldLock}, and closing a round takes the write
 * side, so a round never closes in the middle of a fold and an update is either wholly in the
 * aggregate (and the robust aggregator's list) or not at all. The gRPC threads call {@link
 * #checkIn}, {@link #beginUpload}, {@link #commitUpload}; the round thread calls {@link #runRounds}.
 *
 * <p><b>Secure aggregation</b> ({@link ServerConfig#secureAggregation()}): clients enrol an Ed25519
 * identity key at check-in (the first key a client presents is registered; another key later is
 * refused with UNAUTHENTICATED, and no key at all with FAILED_PRECONDITION). Each round's task then
 * carries the round's {@link RoundSetup} — the cohort, their identity keys, k, t, the quantizer and a
 * graph seed — and the updates come only through the SecAgg+ stages ({@link SecureRound}); a plain
 * upload is refused with FAILED_PRECONDITION, and neither the accumulator nor the update pipeline is
 * used: the server never holds an individual update. At the end the masked sum is decoded into the
 * weighted mean and handed to the strategy as {@link AggregatedUpdate#ofCombined}. A round that fails
 * closed is treated as one without quorum: the model stays as it was and the round is retried with a
 * new cohort, up to {@code max-round-attempts}.
 *
 * <p><b>Differential privacy</b> ({@link ServerConfig#dp()} on): the strategy is wrapped in {@link
 * PrivateStrategy} (DP-FedAvg: fixed denominator q·N, central noise from a fresh {@link SecureRandom}
 * each round, adaptive clipping, an RDP accountant), whose {@link PrivateStrategy#configureFit} puts
 * the clip norm into every round's config for the clients' {@link DpClipping}. Cohorts are Poisson
 * samples, as the accountant assumes: once every one of {@code total-clients} has checked in, or the
 * selection timeout has passed with at least one, each fresh client joins the round independently
 * with probability q = clients-per-round / total-clients (a {@link SecureRandom} coin), so the cohort's
 * size varies around q·N. Clients that have not checked in cannot be sampled: their inclusion
 * probability is then below q, which only strengthens their guarantee (the accountant still charges
 * q), but the cohort is smaller than q·N on average and the fixed denominator shrinks the step. An
 * empty sample (or, with secure aggregation, one of fewer than 3) skips the round: it counts as run,
 * the model stays as it was and no ε is spent. A round needs min(min-reports, cohort) updates ({@link
 * ServerConfig#quorum}). Before each round the coordinator asks {@link
 * PrivateStrategy#budgetExhausted()} and, when the round would spend more than {@code
 * dp-epsilon-budget}, finishes training there (successfully, with the reason in {@link
 * #finishReason()}). Under central DP the server also clips every plain upload to the round's C
 * itself (a no-op for an honest client), so that a client that skipped its clipping cannot break the
 * sensitivity; under secure aggregation it cannot, and relies on the clients' clipping. With adaptive
 * clipping each plain upload must carry the metric {@link DpClipping#UNCLIPPED} (0 or 1), else it is
 * refused with INVALID_ARGUMENT. Each {@link RoundSummary} carries the ε spent so far and its δ.
 */
public final class RoundCoordinator {
  private static final Logger LOG = Logger.getLogger(RoundCoordinator.class.getName());
  private static final long CLIENT_FRESHNESS_MS = 60_000;
  private static final long WAITING_RETRY_MS = 200;

  /** Where a round is. */
  public enum Phase {
    WAITING_FOR_CLIENTS,
    COLLECTING,
    AGGREGATING,
    FINISHED
  }

  /** A client's task within one round. */
  public enum TaskStatus {
    ASSIGNED,
    UPLOADING,
    ACCEPTED
  }

  /** One selected client's task. Fields are guarded by the coordinator's monitor. */
  public static final class TaskState {
    final String taskId;
    final String clientId;
    final long round;
    TaskStatus status = TaskStatus.ASSIGNED;
    int rejectedUploads;

    TaskState(String taskId, String clientId, long round) {
      this.taskId = taskId;
      this.clientId = clientId;
      this.round = round;
    }

    public String taskId() {
      return taskId;
    }

    public String clientId() {
      return clientId;
    }

    public long round() {
      return round;
    }
  }

  /** An accepted update held for the robust aggregator: its values and aggregation weight. */
  private record BufferedUpdate(String clientId, float[] values, long weight) {}

  /**
   * The global model of the current round in wire form, shared read-only by all downloads.
   *
   * @param controlVariates whether {@code bytes} carries SCAFFOLD's server control variate c after the
   *     model, in the same layout
   * @param bytes the model's little-endian float32 values, then c's when {@code controlVariates}
   * @param sha256 the SHA-256 of all of {@code bytes}
   */
  public record ModelSnapshot(
      long round, long version, ModelLayout layout, boolean controlVariates, byte[] bytes, byte[] sha256) {}

  /** What the server tells a client that checks in. */
  public sealed interface CheckInOutcome permits TaskOffer, Retry, Done {}

  /** A task to run now. */
  public record TaskOffer(
      TaskState task, ModelSnapshot model, ConfigValues config, long deadlineUnixMs, String strategy,
      SecAggSetup secureAggregation)
      implements CheckInOutcome {}

  /** Nothing to do yet: come back later. */
  public record Retry(long delayMs, String reason) implements CheckInOutcome {}

  /** Training is over. */
  public record Done(String reason, long finalModelVersion) implements CheckInOutcome {}

  private final ServerConfig config;
  private final Strategy strategy;
  private final CentralEvaluator evaluator;
  private final RoundListener listener;
  private final Clock clock;
  private final StagingPool staging;
  private final UpdatePipeline pipeline;
  private final RobustAggregator robustAggregator;
  /** The strategy when it keeps control variates; else null. */
  private final Scaffold scaffold;
  /** Staging buffers for the control part of uploads (Δc_i), one per upload slot; null without SCAFFOLD. */
  private final StagingPool controlStaging;
  private final SecureRandom taskIds = new SecureRandom();
  /** DP-FedAvg around the configured strategy when {@code dp} is on (then also {@link #strategy}); else null. */
  private final PrivateStrategy privacy;
  /** The coins of DP's Poisson sampling; guarded by this. */
  private final SecureRandom sampling = new SecureRandom();
  private final ReentrantReadWriteLock foldLock = new ReentrantReadWriteLock();
  /** Plain uploads folded into the accumulator since start (a secure round must fold none). */
  private final AtomicInteger plainUpdatesFolded = new AtomicInteger();
  /** Whether the strategy weighs every update 1 (then SecAgg clients send weight 1). */
  private final boolean uniformWeights;

  // Guarded by this.
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final java.util.Set<String> toldDone = new java.util.HashSet<>();
  private final Map<String, TaskState> tasksById = new HashMap<>();
  private final Map<String, TaskState> taskByClient = new HashMap<>();
  private final List<ClientUpdate> accepted = new ArrayList<>();
  /** The round's accepted updates when a robust aggregator combines them; else always empty. */
  private final List<BufferedUpdate> buffered = new ArrayList<>();
  private final Map<String, Map<String, Double>> reportedMetrics = new TreeMap<>();
  private Phase phase = Phase.WAITING_FOR_CLIENTS;
  private long round = 1;
  private int attempt;
  private long deadlineUnixMs;
  private ConfigValues roundConfig = ConfigValues.empty();
  private ModelWeights global;
  private ModelSnapshot snapshot;
  private UpdateAccumulator accumulator;
  /** The round's Δc_i, each folded with weight 1; null without SCAFFOLD or between rounds. */
  private UpdateAccumulator controlAccumulator;
  private String finishReason = "";
  private volatile boolean stopRequested;
  private final List<RoundSummary> history = new ArrayList<>();
  /** Registered Ed25519 identity keys, by client id. */
  private final Map<String, byte[]> identityKeys = new HashMap<>();
  /** The current secure aggregation round; null without secure aggregation or between rounds. */
  private SecureRound secureRound;
  /** Distributed DP: the round's noise codec (its sum is decoded with it); null otherwise. */
  private DistributedDpCodec secureNoise;
  private SecAggSetup secureSetupWire;

  public RoundCoordinator(
      ServerConfig config,
      Strategy strategy,
      ModelWeights initial,
      CentralEvaluator evaluator,
      RoundListener listener,
      List<UpdateStage> stages,
      Clock clock) {
    if (!initial.layout().equals(config.model().layout())) {
      throw new IllegalArgumentException(
          "initial model layout " + initial.layout() + " does not match model " + config.model().name());
    }
    if (!initial.allFinite()) {
      throw new IllegalArgumentException("initial model contains NaN or infinite values");
    }
    this.config = config;
    this.privacy = config.dp().enabled() ? privatize(config, strategy) : null;
    this.strategy = privacy != null ? privacy : strategy;
    strategy = this.strategy;
    this.evaluator = evaluator;
    this.listener = listener;
    this.clock = clock;
    this.pipeline = new UpdatePipeline(stages);
    this.robustAggregator = strategy.robustAggregator().orElse(null);
    this.scaffold = strategy instanceof Scaffold s ? s : null;
    if (scaffold != null && scaffold.totalClients() < config.clientsPerRound()) {
      throw new IllegalArgumentException("scaffold's federation of " + scaffold.totalClients()
          + " clients is smaller than a round's " + config.clientsPerRound());
    }
    if (config.secureAggregation() && (robustAggregator != null || scaffold != null)) {
      throw new IllegalArgumentException("strategy " + strategy.name() + " needs individual updates, which secure"
          + " aggregation hides from the server");
    }
    this.uniformWeights = strategy.aggregationWeight(7, 1) == 1;
    int modelBytes = Math.toIntExact(initial.layout().totalBytes());
    this.staging = new StagingPool(config.uploadSlots(), modelBytes);
    this.controlStaging = scaffold != null ? new StagingPool(config.uploadSlots(), modelBytes) : null;
    setGlobal(initial, 0);
  }

  /**
   * {@code inner} wrapped in DP-FedAvg: N = total-clients, q·N = clients-per-round, uniform weights
   * (total weight N), central noise from a fresh {@link SecureRandom} each round.
   */
  private static PrivateStrategy privatize(ServerConfig config, Strategy inner) {
    DpSpec spec = config.dp();
    if (spec.capped()) {
      throw new IllegalArgumentException("'dp-weighting: capped' needs the federation's total weight, which the"
          + " server does not know");
    }
    PrivateStrategy p = new PrivateStrategy(inner, spec, config.totalClients(), config.clientsPerRound(),
        config.totalClients(), config.model().layout().totalElements(),
        round -> RandomBits.fromSecureRandom(new SecureRandom()));
    LOG.info(() -> "differential privacy: " + p + ", δ = " + p.delta());
    return p;
  }

  /** Publishes the model (and, with SCAFFOLD, the strategy's current c) for the downloads. */
  private synchronized void setGlobal(ModelWeights weights, long version) {
    global = weights;
    byte[] bytes = TensorCodec.toBytes(weights.toArray());
    if (scaffold != null) {
      byte[] control = TensorCodec.toBytes(scaffold.serverControl(weights.size()));
      byte[] both = Arrays.copyOf(bytes, bytes.length + control.length);
      System.arraycopy(control, 0, both, bytes.length, control.length);
      bytes = both;
    }
    snapshot = new ModelSnapshot(round, version, weights.layout(), scaffold != null, bytes,
        TensorCodec.sha256().digest(bytes));
  }

  public synchronized ModelWeights globalModel() {
    return global;
  }

  public synchronized long modelVersion() {
    return snapshot.version();
  }

  public synchronized Phase phase() {
    return phase;
  }

  public synchronized long currentRound() {
    return round;
  }

  public synchronized List<RoundSummary> history() {
    return List.copyOf(history);
  }

  /** Why training finished (empty while it runs): the rounds done, the privacy budget, a failure. */
  public synchronized String finishReason() {
    return finishReason;
  }

  /**
   * The DP-FedAvg wrapper's ledger ({@link PrivateStrategy#ledger()}: the clip norm and the
   * accountant's state), to keep with the model; empty when {@code dp} is off.
   */
  public Optional<String> privacyLedger() {
    return Optional.ofNullable(privacy).map(PrivateStrategy::ledger);
  }

  /**
   * Restores a ledger kept with the model this run starts from, before the first round, so that the ε
   * spent goes on from where it was rather than from 0.
   *
   * @throws IllegalStateException when {@code dp} is off or a round has already run
   * @throws IllegalArgumentException when the ledger is malformed
   */
  public synchronized void restorePrivacyLedger(String ledger) {
    if (privacy == null) {
      throw new IllegalStateException("a privacy ledger, but 'dp' is off");
    }
    if (round != 1 || phase != Phase.WAITING_FOR_CLIENTS) {
      throw new IllegalStateException("a privacy ledger is restored before the first round only");
    }
    privacy.restoreLedger(ledger);
  }

  public ModelLayout layout() {
    return config.model().layout();
  }

  /** Asks {@link #runRounds} to stop after the current wait; the round in progress is abandoned. */
  public void requestStop() {
    stopRequested = true;
    synchronized (this) {
      notifyAll();
    }
  }

  /**
   * After the rounds, waits up to {@code timeoutMs} until every client seen recently has been told
   * that training is finished. Returns true if all were told.
   */
  public synchronized boolean awaitFarewells(long timeoutMs) throws InterruptedException {
    long end = clock.millis() + timeoutMs;
    while (true) {
      long now = clock.millis();
      boolean all = lastSeen.entrySet().stream()
          .allMatch(e -> toldDone.contains(e.getKey()) || now - e.getValue() > CLIENT_FRESHNESS_MS);
      if (all || now >= end) {
        return all;
      }
      wait(Math.min(100, end - now));
    }
  }

  // ---------------------------------------------------------------- client-facing operations

  /** A client without an identity key asks for work. */
  public synchronized CheckInOutcome checkIn(String clientId) throws StatusException {
    return checkIn(clientId, new byte[0]);
  }

  /**
   * A client asks for work, presenting its Ed25519 identity key (empty for none).
   *
   * @throws StatusException INVALID_ARGUMENT for a key that is not 32 bytes; UNAUTHENTICATED when the
   *     client registered another key; FAILED_PRECONDITION when secure aggregation is on and it has none
   */
  public synchronized CheckInOutcome checkIn(String clientId, byte[] identityKey) throws StatusException {
    if (identityKey.length != 0) {
      if (identityKey.length != 32) {
        throw Status.INVALID_ARGUMENT.withDescription("identity_key must be a 32-byte Ed25519 public key, got "
            + identityKey.length + " bytes").asException();
      }
      byte[] registered = identityKeys.get(clientId);
      if (registered == null) {
        identityKeys.put(clientId, identityKey.clone());
      } else if (!MessageDigest.isEqual(registered, identityKey)) {
        throw Status.UNAUTHENTICATED.withDescription("client '" + clientId
            + "' registered another identity key").asException();
      }
    } else if (config.secureAggregation() && !identityKeys.containsKey(clientId)) {
      throw Status.FAILED_PRECONDITION.withDescription("this server runs secure aggregation: check in with an"
          + " Ed25519 identity key (identity_key)").asException();
    }
    if (phase == Phase.FINISHED) {
      toldDone.add(clientId);
      notifyAll();
      return new Done(finishReason, snapshot.version());
    }
    lastSeen.put(clientId, clock.millis());
    notifyAll();
    TaskState task = taskByClient.get(clientId);
    if (phase == Phase.COLLECTING && task != null && secureRound != null) {
      if (secureRound.canJoin(clientId)) {
        return new TaskOffer(task, snapshot, roundConfig, deadlineUnixMs, strategy.name(), secureSetupWire);
      }
      return new Retry(retryUntilNextRound(), "secure aggregation round " + round + " is in progress");
    }
    if (phase == Phase.COLLECTING && task != null) {
      if (task.status == TaskStatus.ASSIGNED || task.status == TaskStatus.UPLOADING) {
        return new TaskOffer(task, snapshot, roundConfig, deadlineUnixMs, strategy.name(), null);
      }
      return new Retry(retryUntilNextRound(), "your update for round " + round + " was accepted");
    }
    if (phase == Phase.COLLECTING) {
      return new Retry(retryUntilNextRound(), "round " + round + " is in progress without you");
    }
    return new Retry(WAITING_RETRY_MS, "waiting for round " + round + " to start");
  }

  private long retryUntilNextRound() {
    long left = deadlineUnixMs - clock.millis();
    return Math.max(WAITING_RETRY_MS, Math.min(1000, left));
  }

  /** The model a task should download. */
  public synchronized ModelSnapshot modelFor(String clientId, long roundId, String taskId)
      throws StatusException {
    TaskState task = lookUpTask(clientId, roundId, taskId);
    if (task.status == TaskStatus.ACCEPTED) {
      throw Status.ALREADY_EXISTS
          .withDescription("task " + taskId + " is complete; its update was accepted")
          .asException();
    }
    return snapshot;
  }

  /**
   * The secure aggregation round a client's SecAgg message belongs to, after the checks of {@link
   * #lookUpTask}.
   *
   * @throws StatusException as {@link #lookUpTask}, or FAILED_PRECONDITION when the round does not use
   *     secure aggregation
   */
  public synchronized SecureRoundHandle secureRoundFor(String clientId, long roundId, String taskId)
      throws StatusException {
    lookUpTask(clientId, roundId, taskId);
    if (secureRound == null) {
      throw Status.FAILED_PRECONDITION.withDescription("round " + roundId + " does not use secure aggregation;"
          + " upload with UploadUpdate").asException();
    }
    return new SecureRoundHandle(secureRound);
  }

  /** A client's view of the current secure aggregation round, for the gRPC service. */
  public static final class SecureRoundHandle {
    private final SecureRound round;

    SecureRoundHandle(SecureRound round) {
      this.round = round;
    }

    /** The length of every encoded input: the model's parameters plus one. */
    public int dimension() {
      return round.setup().dimension();
    }

    /** Hands a client's stage message to the round; blocks until the stage closes. */
    public io.tributary.proto.v1.SecAggReply submit(String client, io.tributary.proto.v1.SecAggStage stage,
        Object message) throws StatusException {
      return round.submit(client, stage, message);
    }
  }

  /** Plain uploads folded into an accumulator since the server started (for tests and metrics). */
  public int plainUpdatesFolded() {
    return plainUpdatesFolded.get();
  }

  /** Checks who may touch a task: known client, current open round, its own task. */
  private TaskState lookUpTask(String clientId, long roundId, String taskId) throws StatusException {
    if (!lastSeen.containsKey(clientId)) {
      throw Status.UNAUTHENTICATED
          .withDescription("unknown client '" + clientId + "': check in first")
          .asException();
    }
    if (phase == Phase.FINISHED) {
      throw Status.FAILED_PRECONDITION.withDescription("training is finished").asException();
    }
    if (roundId != round || phase != Phase.COLLECTING) {
      String now = phase == Phase.COLLECTING ? "round " + round + " is collecting" : "round " + round
          + " is " + phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      throw Status.FAILED_PRECONDITION
          .withDescription("stale round " + roundId + ": " + now)
          .asException();
    }
    TaskState task = tasksById.get(taskId);
    if (task == null || task.round != roundId) {
      throw Status.NOT_FOUND
          .withDescription("no task '" + taskId + "' in round " + roundId)
          .asException();
    }
    if (!task.clientId.equals(clientId)) {
      throw Status.PERMISSION_DENIED
          .withDescription("task '" + taskId + "' belongs to another client, not '" + clientId + "'")
          .asException();
    }
    return task;
  }

  /**
   * The checked context of an upload in progress; holds a staging buffer (two with SCAFFOLD: the
   * delta's and Δc_i's) until released.
   */
  public final class UploadTicket {
    final TaskState task;
    final long round;
    final byte[] buffer;
    final byte[] controlBuffer;
    final long weight;
    final long numExamples;
    final long localSteps;
    final double accumulationNorm;
    final double multiplier;
    private boolean open = true;

    UploadTicket(TaskState task, byte[] buffer, byte[] controlBuffer, long weight, long numExamples,
        long localSteps, double accumulationNorm, double multiplier) {
      this.task = task;
      this.round = task.round;
      this.buffer = buffer;
      this.controlBuffer = controlBuffer;
      this.weight = weight;
      this.numExamples = numExamples;
      this.localSteps = localSteps;
      this.accumulationNorm = accumulationNorm;
      this.multiplier = multiplier;
    }

    /** The staging buffer of the update (the weight delta): the model's size. */
    public byte[] buffer() {
      return buffer;
    }

    /** The staging buffer of the control part (SCAFFOLD's Δc_i), the model's size; null without one. */
    public byte[] controlBuffer() {
      return controlBuffer;
    }

    /** Bytes of the whole upload: the delta, then Δc_i when there is one. */
    public long totalBytes() {
      return buffer.length + (controlBuffer == null ? 0L : controlBuffer.length);
    }

    public TaskState task() {
      return task;
    }

    /** Gives the staging buffer back and, unless the update was accepted, lets the client retry. */
    public void release(String reason) {
      synchronized (RoundCoordinator.this) {
        if (!open) {
          return;
        }
        open = false;
        if (task.status == TaskStatus.UPLOADING) {
          task.status = TaskStatus.ASSIGNED;
          task.rejectedUploads++;
          LOG.info(() -> "round " + round + ": upload from " + task.clientId + " rejected: " + reason);
        }
      }
      staging.release(buffer);
      if (controlBuffer != null) {
        controlStaging.release(controlBuffer);
      }
    }
  }

  /**
   * Starts an upload: checks the caller, round, task and the update's header, takes the update's
   * aggregation weight and multiplier from the strategy, and reserves a staging buffer. The task is
   * marked as uploading so that a concurrent duplicate is refused.
   *
   * @param controlLayout the layout of the control part (SCAFFOLD's Δc_i) the upload declares after
   *     the delta; null when it declares none. It must be present, in the model's layout, exactly when
   *     the strategy keeps control variates, and {@code totalBytes} must then cover both parts
   * @param accumulationNorm the client's FedNova ‖a_i‖₁; 0 when it reported none, and then its local
   *     steps stand for it
   * @throws StatusException INVALID_ARGUMENT when the header is malformed, lacks the control part the
   *     strategy needs (or carries one it does not), or the strategy refuses the update's values
   *     (FedNova: an accumulation norm below 1), among others; nothing changes then
   */
  public UploadTicket beginUpload(
      String clientId,
      long roundId,
      String taskId,
      long modelVersion,
      ModelLayout updateLayout,
      ModelLayout controlLayout,
      long totalBytes,
      long numExamples,
      long localSteps,
      double accumulationNorm)
      throws StatusException {
    TaskState task;
    long weight;
    double norm;
    double multiplier;
    synchronized (this) {
      task = lookUpTask(clientId, roundId, taskId);
      if (secureRound != null) {
        throw Status.FAILED_PRECONDITION.withDescription("round " + roundId + " uses secure aggregation: send the"
            + " update through SecAggExchange, never in the clear").asException();
      }
      switch (task.status) {
        case ACCEPTED -> throw Status.ALREADY_EXISTS
            .withDescription("duplicate upload: the update for task " + taskId + " was already accepted")
            .asException();
        case UPLOADING -> throw Status.FAILED_PRECONDITION
            .withDescription("another upload for task " + taskId + " is in progress")
            .asException();
        default -> {}
      }
      if (modelVersion != snapshot.version()) {
        throw Status.FAILED_PRECONDITION
            .withDescription("update was trained on model version " + modelVersion
                + ", round " + round + " uses version " + snapshot.version())
            .asException();
      }
      String shapeError = LayoutCheck.describeMismatch(snapshot.layout(), updateLayout);
      if (shapeError != null) {
        throw Status.INVALID_ARGUMENT.withDescription("wrong update shape: " + shapeError).asException();
      }
      checkControlPart(controlLayout);
      long modelBytes = snapshot.layout().totalBytes();
      if (scaffold == null && totalBytes != modelBytes) {
        throw Status.INVALID_ARGUMENT
            .withDescription("update declares " + totalBytes + " bytes, the model has " + modelBytes)
            .asException();
      }
      if (scaffold != null && totalBytes != 2 * modelBytes) {
        throw Status.INVALID_ARGUMENT
            .withDescription("update declares " + totalBytes + " bytes; the delta and the control part need "
                + 2 * modelBytes + " (" + modelBytes + " each)")
            .asException();
      }
      if (numExamples <= 0) {
        throw Status.INVALID_ARGUMENT
            .withDescription("num_examples must be positive, got " + numExamples)
            .asException();
      }
      weight = strategy.aggregationWeight(numExamples, localSteps);
      if (weight <= 0 || weight > accumulator.maxTotalWeight()) {
        throw Status.INVALID_ARGUMENT
            .withDescription("aggregation weight " + weight + " is outside 1.." + accumulator.maxTotalWeight())
            .asException();
      }
      if (!(accumulationNorm >= 0) || !Double.isFinite(accumulationNorm)) {
        throw Status.INVALID_ARGUMENT
            .withDescription("accumulation_norm must be finite and >= 0 (0 = not reported), got " + accumulationNorm)
            .asException();
      }
      norm = accumulationNorm == 0 ? (double) localSteps : accumulationNorm;
      try {
        multiplier = strategy.updateMultiplier(numExamples, localSteps, norm);
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT.withDescription("update refused by strategy " + strategy.name() + ": "
            + e.getMessage()).asException();
      }
      if (!(multiplier > 0 && multiplier <= 1)) {
        throw Status.INVALID_ARGUMENT
            .withDescription("strategy " + strategy.name() + " gave update multiplier " + multiplier
                + ", outside (0, 1], for accumulation norm " + norm)
            .asException();
      }
      task.status = TaskStatus.UPLOADING;
    }
    // The delta's buffer first, then the control part's: every upload takes them in this order and
    // holds both until it ends, so no two uploads can wait on each other.
    byte[] buffer = acquire(staging);
    byte[] controlBuffer = buffer != null && controlStaging != null ? acquire(controlStaging) : null;
    if (buffer == null || (controlStaging != null && controlBuffer == null)) {
      if (buffer != null) {
        staging.release(buffer);
      }
      synchronized (this) {
        task.status = TaskStatus.ASSIGNED;
      }
      throw Status.RESOURCE_EXHAUSTED
          .withDescription("all " + config.uploadSlots() + " upload slots are busy; retry shortly")
          .asException();
    }
    return new UploadTicket(task, buffer, controlBuffer, weight, numExamples, localSteps, norm, multiplier);
  }

  /** A buffer from {@code pool}, or null when none freed up in time or the thread was interrupted. */
  private static byte[] acquire(StagingPool pool) {
    try {
      return pool.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The control part must be declared, in the model's layout, exactly when the strategy keeps c. */
  private void checkControlPart(ModelLayout controlLayout) throws StatusException {
    if (scaffold != null && controlLayout == null) {
      throw Status.INVALID_ARGUMENT
          .withDescription("missing control part: strategy " + strategy.name() + " needs the client's control"
              + " variate delta (control_tensors) after the update")
          .asException();
    }
    if (scaffold == null && controlLayout != null) {
      throw Status.INVALID_ARGUMENT
          .withDescription("unexpected control part: strategy " + strategy.name() + " keeps no control variates,"
              + " but the upload declares control_tensors")
          .asException();
    }
    if (controlLayout != null) {
      String shapeError = LayoutCheck.describeMismatch(snapshot.layout(), controlLayout);
      if (shapeError != null) {
        throw Status.INVALID_ARGUMENT.withDescription("wrong control part shape: " + shapeError).asException();
      }
    }
  }

  /** Checks a chunk's values (finite, in range) before it is accepted into the staging buffer. */
  public void validateChunk(byte[] bytes, int offset, int firstElement, int count) throws StatusException {
    try {
      accumulator().validateRange(bytes, offset, firstElement, count);
    } catch (InvalidUpdateException e) {
      throw Status.INVALID_ARGUMENT.withDescription("invalid update: " + e.getMessage()).asException();
    }
  }

  /**
   * Checks a chunk of the control part (SCAFFOLD's Δc_i) as {@link #validateChunk} checks the delta's:
   * {@code firstElement} counts from the start of the control part.
   */
  public void validateControlChunk(byte[] bytes, int offset, int firstElement, int count) throws StatusException {
    UpdateAccumulator acc;
    synchronized (this) {
      if (controlAccumulator == null) {
        throw Status.FAILED_PRECONDITION.withDescription("no round is collecting control variates").asException();
      }
      acc = controlAccumulator;
    }
    try {
      acc.validateRange(bytes, offset, firstElement, count);
    } catch (InvalidUpdateException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription("invalid control part (control variate delta): " + e.getMessage())
          .asException();
    }
  }

  private synchronized UpdateAccumulator accumulator() throws StatusException {
    if (accumulator == null) {
      throw Status.FAILED_PRECONDITION.withDescription("no round is collecting").asException();
    }
    return accumulator;
  }

  /**
   * Folds a complete, validated upload into the round's aggregate (and, with a robust aggregator,
   * keeps a copy of it for the round's close; with SCAFFOLD, folds its Δc_i with weight 1 into the
   * round's control accumulator) and marks the task accepted. The client's metrics are
   * recorded with {@link FitResult#ACCUMULATION_NORM} set to the norm its multiplier was taken from,
   * whatever the trailer said, so that the strategy's server step (FedNova's τ_eff) agrees with the
   * fold. The ticket stays the caller's to release.
   */
  public void commitUpload(UploadTicket ticket, Map<String, Double> metrics) throws StatusException {
    if (pipeline.hasStages()) {
      runStages(ticket);
    }
    if (privacy != null) {
      checkPrivateUpload(ticket, metrics);
    }
    float[] copy = null;
    if (robustAggregator != null) {
      copy = TensorCodec.fromBytes(ticket.buffer);
      if (ticket.multiplier != 1.0) {
        for (int i = 0; i < copy.length; i++) {
          copy[i] = (float) (copy[i] * ticket.multiplier);
        }
      }
    }
    Map<String, Double> recorded = new HashMap<>(metrics);
    recorded.put(FitResult.ACCUMULATION_NORM, ticket.accumulationNorm);
    foldLock.readLock().lock();
    try {
      UpdateAccumulator acc;
      UpdateAccumulator controlAcc;
      synchronized (this) {
        if (phase != Phase.COLLECTING || round != ticket.round) {
          throw Status.FAILED_PRECONDITION
              .withDescription("round " + ticket.round + " closed before the upload completed")
              .asException();
        }
        if (ticket.task.status != TaskStatus.UPLOADING) {
          throw Status.FAILED_PRECONDITION.withDescription("task is no longer uploading").asException();
        }
        acc = accumulator;
        controlAcc = controlAccumulator;
      }
      try {
        plainUpdatesFolded.incrementAndGet();
        acc.add(ticket.buffer, 0, ticket.weight, ticket.multiplier);
      } catch (InvalidUpdateException e) {
        throw Status.INVALID_ARGUMENT.withDescription("invalid update: " + e.getMessage()).asException();
      }
      if (ticket.controlBuffer != null) {
        try {
          // Cannot fail: the values were checked chunk by chunk, the size matches, and weight 1 per
          // update for at most clients-per-round updates stays far below the weight bound.
          controlAcc.add(ticket.controlBuffer, 0, 1);
        } catch (InvalidUpdateException e) {
          throw new IllegalStateException("control part passed its checks but could not be folded", e);
        }
      }
      synchronized (this) {
        // Nothing can fail from here on: the update is in the sum, so it joins the list too.
        ticket.task.status = TaskStatus.ACCEPTED;
        if (copy != null) {
          buffered.add(new BufferedUpdate(ticket.task.clientId, copy, ticket.weight));
        }
        accepted.add(new ClientUpdate(
            ticket.task.clientId, ticket.round, ticket.numExamples, ticket.localSteps, ticket.weight, recorded));
        LOG.fine(() -> "round " + round + ": accepted update from " + ticket.task.clientId);
        notifyAll();
      }
    } finally {
      foldLock.readLock().unlock();
    }
  }

  /**
   * DP's checks of a plain upload: with adaptive clipping the client's unclipped bit must be 0 or 1;
   * under central DP the update is clipped to the round's C here too ({@link DpClipping#clip}, a
   * no-op for an update the client clipped), so that the sum's sensitivity holds whatever a client
   * sent. Local DP updates carry the client's noise and are left alone.
   */
  private void checkPrivateUpload(UploadTicket ticket, Map<String, Double> metrics) throws StatusException {
    DpSpec spec = privacy.spec();
    if (spec.adaptiveClip()) {
      Double bit = metrics.get(DpClipping.UNCLIPPED);
      if (bit == null || !(bit == 0 || bit == 1)) {
        throw Status.INVALID_ARGUMENT.withDescription("adaptive clipping needs the metric '" + DpClipping.UNCLIPPED
            + "' (0 or 1) with every update, got " + bit).asException();
      }
    }
    ConfigValues roundSettings;
    synchronized (this) {
      roundSettings = roundConfig;
    }
    if (spec.placement() != DpSpec.Placement.CENTRAL || !DpClipping.requested(roundSettings)) {
      return;
    }
    float[] values = TensorCodec.fromBytes(ticket.buffer);
    boolean within;
    try {
      within = DpClipping.clip(values, layout(), roundSettings.get(DpClipping.CLIP),
          roundSettings.get(DpClipping.PER_LAYER));
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription("invalid update: " + e.getMessage()).asException();
    }
    if (!within) {
      LOG.info(() -> "round " + ticket.round + ": the update of " + ticket.task.clientId + " exceeded the clip norm "
          + roundSettings.get(DpClipping.CLIP) + "; clipped on the server");
      TensorCodec.encode(values, 0, values.length, ticket.buffer, 0);
    }
  }

  /** Runs the update pipeline's stages over a staged update, then re-checks every value. */
  private void runStages(UploadTicket ticket) throws StatusException {
    UpdateStage.Context context = new UpdateStage.Context(ticket.task.clientId, ticket.round, ticket.numExamples,
        ticket.localSteps, layout());
    try {
      pipeline.process(context, ticket.buffer, accumulator());
    } catch (InvalidUpdateException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
    }
  }

  /** Records metrics a client reports about its task (e.g. local evaluation). */
  public synchronized void reportMetrics(String clientId, long roundId, String taskId, Map<String, Double> metrics)
      throws StatusException {
    if (!lastSeen.containsKey(clientId)) {
      throw Status.UNAUTHENTICATED.withDescription("unknown client '" + clientId + "'").asException();
    }
    TaskState task = tasksById.get(taskId);
    if (task == null || task.round != roundId || !task.clientId.equals(clientId)) {
      throw Status.NOT_FOUND
          .withDescription("no task '" + taskId + "' of client '" + clientId + "' in round " + roundId)
          .asException();
    }
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      if (!Double.isFinite(e.getValue())) {
        throw Status.INVALID_ARGUMENT
            .withDescription("metric '" + e.getKey() + "' is not finite: " + e.getValue())
            .asException();
      }
    }
    reportedMetrics.put(clientId, Map.copyOf(metrics));
  }

  // ---------------------------------------------------------------- the round loop

  /**
   * Runs all rounds; returns when they are done, when a round failed too often, or on {@link
   * #requestStop()}. Returns true on success.
   */
  public boolean runRounds() {
    boolean ok = true;
    String message = "completed " + config.rounds() + " rounds";
    try {
      while (currentRound() <= config.rounds() && !stopRequested) {
        if (privacy != null && privacy.budgetExhausted()) {
          message = String.format(java.util.Locale.ROOT, "privacy budget: round %d would spend more than"
              + " dp-epsilon-budget ε = %s (spent so far: %.6g at δ = %.3g)", currentRound(),
              config.dp().epsilonBudget().getAsDouble(), privacy.epsilon(), privacy.delta());
          LOG.info(message);
          break;
        }
        long startNanos = System.nanoTime();
        List<String> cohort = awaitCohort();
        if (cohort == null) {
          break;
        }
        if (privacy != null && (cohort.isEmpty() || config.secureAggregation() && cohort.size() < 3)) {
          skipRound(cohort.isEmpty() ? "no client was sampled (Poisson sampling at q = " + privacy.samplingRate() + ")"
              : "only " + cohort.size() + " clients were sampled, secure aggregation needs 3");
          continue;
        }
        openRound(cohort);
        boolean completed;
        if (config.secureAggregation()) {
          completed = runSecureRound(cohort, startNanos);
          if (stopRequested) {
            break;
          }
        } else {
          awaitCollection();
          if (stopRequested) {
            break;
          }
          completed = closeAndAggregate(cohort, startNanos);
        }
        if (!completed) {
          if (attempt >= config.maxRoundAttempts()) {
            ok = false;
            message = "round " + currentRound() + " failed " + attempt + " times; giving up";
            break;
          }
        }
      }
      if (stopRequested && ok && currentRound() <= config.rounds()) {
        ok = false;
        message = "stopped before round " + currentRound();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
      message = "interrupted";
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "round loop failed", e);
      ok = false;
      message = "round loop failed: " + e;
    }
    synchronized (this) {
      phase = Phase.FINISHED;
      finishReason = message;
      tasksById.clear();
      taskByClient.clear();
      buffered.clear();
      accumulator = null;
      controlAccumulator = null;
      if (secureRound != null) {
        secureRound.abandon("training is finished: " + message);
        secureRound = null;
      }
      notifyAll();
    }
    listener.onFinished(ok, message);
    return ok;
  }

  private synchronized List<String> awaitCohort() throws InterruptedException {
    phase = Phase.WAITING_FOR_CLIENTS;
    attempt++;
    long start = clock.millis();
    long lastLog = start;
    // After a failed attempt, only clients heard from since it failed are candidates: a client that
    // vanished mid-round (the usual reason the attempt failed) still looks fresh by its last check-in,
    // and selecting it again would fail the retry the same way.
    long seenSince = attempt > 1 ? start : Long.MIN_VALUE;
    while (!stopRequested) {
      long now = clock.millis();
      List<String> fresh = new ArrayList<>();
      for (Map.Entry<String, Long> e : new TreeMap<>(lastSeen).entrySet()) {
        if (now - e.getValue() <= CLIENT_FRESHNESS_MS && e.getValue() >= seenSince) {
          fresh.add(e.getKey());
        }
      }
      boolean timedOut = now - start >= config.selectionTimeout().toMillis();
      if (privacy != null) {
        if (fresh.size() >= config.totalClients() || (timedOut && !fresh.isEmpty())) {
          return samplePoisson(fresh);
        }
      } else if (fresh.size() >= config.clientsPerRound()
          || (timedOut && fresh.size() >= config.minReports())) {
        return sample(fresh, Math.min(config.clientsPerRound(), fresh.size()));
      }
      if (now - lastLog >= 10_000) {
        lastLog = now;
        int have = fresh.size();
        int want = privacy != null ? config.totalClients() : config.clientsPerRound();
        LOG.info(() -> "round " + round + ": waiting for clients (" + have + " of " + want + " checked in)");
      }
      wait(100);
    }
    return null;
  }

  /**
   * DP's Poisson sampling: each candidate joins independently with probability q (a {@link
   * SecureRandom} coin); the cohort may be empty. More candidates than total-clients (a federation
   * larger than declared) could give a cohort beyond what secure aggregation's quantizer was sized
   * for: it is then cut to N at random, which only lowers each client's inclusion probability.
   */
  private List<String> samplePoisson(List<String> candidates) {
    double q = privacy.samplingRate();
    List<String> cohort = new ArrayList<>();
    for (String c : candidates) {
      if (sampling.nextDouble() < q) {
        cohort.add(c);
      }
    }
    if (candidates.size() > config.totalClients()) {
      LOG.warning(() -> "round " + round + ": " + candidates.size() + " clients checked in, more than total-clients "
          + config.totalClients() + " (the N of the privacy accounting)");
      if (cohort.size() > config.totalClients()) {
        java.util.Collections.shuffle(cohort, sampling);
        cohort = new ArrayList<>(cohort.subList(0, config.totalClients()));
      }
    }
    return cohort;
  }

  /** A DP round whose sample cannot run: it counts as run, with the model unchanged and no ε spent. */
  private void skipRound(String reason) {
    long skipped;
    int tried;
    synchronized (this) {
      skipped = round;
      tried = attempt;
      round++;
      attempt = 0;
      phase = Phase.WAITING_FOR_CLIENTS;
      notifyAll();
    }
    LOG.info(() -> "round " + skipped + " skipped, model unchanged: " + reason);
    listener.onRoundFailed(skipped, tried, "skipped: " + reason);
  }

  /** Seeded sampling without replacement from the sorted candidates (partial Fisher–Yates). */
  private List<String> sample(List<String> sortedCandidates, int n) {
    SplittableRandom rng = new SplittableRandom(Seeds.derive(config.seed(), round * 1_000 + attempt));
    List<String> pool = new ArrayList<>(sortedCandidates);
    for (int i = 0; i < n; i++) {
      int j = i + rng.nextInt(pool.size() - i);
      String t = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, t);
    }
    return new ArrayList<>(pool.subList(0, n));
  }

  private synchronized void openRound(List<String> cohort) {
    tasksById.clear();
    taskByClient.clear();
    accepted.clear();
    buffered.clear();
    reportedMetrics.clear();
    HexFormat hex = HexFormat.of();
    for (String client : cohort) {
      byte[] id = new byte[16];
      taskIds.nextBytes(id);
      TaskState t = new TaskState(hex.formatHex(id), client, round);
      tasksById.put(t.taskId, t);
      taskByClient.put(client, t);
    }
    roundConfig = strategy.configureFit(round);
    deadlineUnixMs = clock.millis() + config.roundDeadline().toMillis();
    if (config.secureAggregation()) {
      SecAggParameters parameters = config.secAggParameters(cohort.size());
      Map<String, byte[]> keys = new HashMap<>();
      for (String c : cohort) {
        keys.put(c, identityKeys.get(c));
      }
      long graphSeed = Seeds.derive(Seeds.derive(config.seed(), -20), round * 1_000 + attempt);
      SecureUpdateCodec codec = secureCodec(parameters);
      secureNoise = null;
      if (privacy != null && config.dp().placement() == DpSpec.Placement.DISTRIBUTED) {
        // Distributed DP: calibrated for this cohort and its threshold, so that the fewest honest
        // survivors the server could unmask carry the noise; each client adds its share before masking.
        DistributedDiscreteGaussian mechanism = DistributedDiscreteGaussian.forSecureAggregation(global.size(),
            privacy.clip(), config.dp().noiseMultiplier(), cohort.size(), parameters.threshold(),
            config.secAggCorruptFraction());
        privacy.useDistributedMechanism(mechanism);
        secureNoise = new DistributedDpCodec(mechanism, global.size(),
            DistributedDpCodec.rotationSeed(graphSeed, round));
      } else {
        codec.checkCapacity(cohort.size());
      }
      int length = secureNoise != null ? secureNoise.length() : codec.length();
      RoundSetup setup = new RoundSetup(round, cohort, parameters, graphSeed, length, keys);
      secureRound = new SecureRound(setup, Math.max(1, Runtime.getRuntime().availableProcessors()), clock,
          config.secAggStageTimeout().toMillis(), deadlineUnixMs);
      SecAggSetup.Builder wire = SecAggWire.toWire(setup, uniformWeights, config.secAggStageTimeout().toMillis())
          .toBuilder().setAccumulationNorm(codec.carriesAccumulationNorm());
      if (secureNoise != null) {
        wire.setDistributedDp(SecAggWire.toWire(secureNoise.parameters(), config.dp().noiseMultiplier()));
      }
      secureSetupWire = wire.build();
      accumulator = null;
      controlAccumulator = null;
      LOG.info(() -> "round " + round + ": secure aggregation with " + parameters);
    } else {
      openAccumulators();
    }
    snapshot = new ModelSnapshot(round, snapshot.version(), snapshot.layout(), snapshot.controlVariates(),
        snapshot.bytes(), snapshot.sha256());
    phase = Phase.COLLECTING;
    LOG.info(() -> "round " + round + ": selected " + cohort.size() + " clients, deadline in "
        + config.roundDeadline().toSeconds() + " s");
    notifyAll();
  }

  private void openAccumulators() {
    accumulator = new UpdateAccumulator(global.layout(), UpdateAccumulator.DEFAULT_FRACTION_BITS,
        config.maxAbsUpdateValue());
    // Δc_i is a gradient estimate, not a step: it gets the simulation engine's bound, not the update's.
    controlAccumulator = scaffold != null ? new UpdateAccumulator(global.layout()) : null;
  }

  /**
   * Runs the SecAgg+ stages of the open round and, when they succeed, aggregates the decoded mean;
   * a round that fails closed is failed like one without quorum.
   */
  private boolean runSecureRound(List<String> cohort, long startNanos) throws InterruptedException {
    SecureRound secure;
    DistributedDpCodec noise;
    long closedRound;
    synchronized (this) {
      secure = secureRound;
      noise = secureNoise;
      closedRound = round;
    }
    int[] sum;
    try {
      sum = secure.run(() -> stopRequested);
    } catch (SecAggException e) {
      return failRound(closedRound, "secure aggregation failed closed: " + e.getMessage());
    } catch (InterruptedException e) {
      if (stopRequested) {
        return false;
      }
      throw e;
    }
    List<String> survivors = secure.survivors();
    SecureUpdateCodec.Decoded decoded = null;
    AggregatedUpdate noisy = null;
    try {
      if (noise != null) {
        // Distributed DP: the survivors' clipped sum plus their noise shares, never without the noise.
        DistributedDpCodec.Decoded d = noise.decode(sum, survivors.size());
        if (d.nearWrapFraction() > 0.01) {
          LOG.warning(() -> "round " + closedRound + ": " + d.nearWrapFraction() + " of the noisy sum's coordinates lie"
              + " near the 2^31 wrap-around: the sum may have wrapped");
        }
        noisy = AggregatedUpdate.ofMean(layout(), d.mean(), d.summands(), survivors.size());
      } else {
        decoded = secureCodec(secure.setup().parameters()).decode(sum);
      }
    } catch (IllegalArgumentException e) {
      return failRound(closedRound, "secure aggregation gave an undecodable sum: " + e.getMessage());
    }
    long totalWeight = noisy != null ? noisy.totalWeight() : decoded.totalWeight();
    RoundResults results;
    synchronized (this) {
      phase = Phase.AGGREGATING;
      List<ClientUpdate> successes = new ArrayList<>();
      for (String u : survivors) {
        // The server knows who is in the sum, never what each sent: no examples, steps or weight apiece.
        successes.add(new ClientUpdate(u, closedRound, 0, 0, 0, Map.of()));
      }
      List<ClientFailure> failures = new ArrayList<>();
      for (String c : secure.missing()) {
        failures.add(new ClientFailure(c, closedRound, "dropped out of the secure aggregation round"));
      }
      results = new RoundResults(closedRound, successes, failures);
      secureRound = null;
      secureSetupWire = null;
    }
    if (survivors.size() < config.quorum(cohort.size())) {
      return failRound(closedRound, "only " + survivors.size() + " of " + cohort.size()
          + " clients completed secure aggregation (min-reports " + config.quorum(cohort.size()) + ")");
    }
    AggregatedUpdate aggregate = noisy != null ? noisy
        : AggregatedUpdate.ofMean(layout(), decoded.mean(), decoded.totalWeight(), survivors.size());
    if (decoded != null && decoded.meanAccumulationNorm().isPresent()) {
      aggregate = aggregate.withMeanAccumulationNorm(decoded.meanAccumulationNorm().getAsDouble());
    }
    return commitRound(cohort, closedRound, aggregate, null, results, totalWeight, startNanos);
  }

  /** The layout of a secure round's masked vectors: the update, its weight, and τ_eff's sum for FedNova. */
  private SecureUpdateCodec secureCodec(SecAggParameters parameters) {
    return new SecureUpdateCodec(parameters.quantizer(), global.size(), strategy.needsAccumulationNorm());
  }

  private synchronized void awaitCollection() throws InterruptedException {
    while (!stopRequested) {
      long left = deadlineUnixMs - clock.millis();
      boolean allIn = tasksById.values().stream().allMatch(t -> t.status == TaskStatus.ACCEPTED);
      if (allIn || left <= 0) {
        return;
      }
      wait(Math.min(left, 200));
    }
  }

  private boolean closeAndAggregate(List<String> cohort, long startNanos) {
    AggregatedUpdate aggregate;
    AggregatedUpdate controlDeltas;
    RoundResults results;
    long closedRound;
    List<BufferedUpdate> updates;
    foldLock.writeLock().lock();
    try {
      synchronized (this) {
        phase = Phase.AGGREGATING;
        closedRound = round;
        List<ClientFailure> failures = new ArrayList<>();
        for (String c : cohort) {
          TaskState t = taskByClient.get(c);
          if (t.status != TaskStatus.ACCEPTED) {
            failures.add(new ClientFailure(c, round, t.rejectedUploads > 0
                ? "no valid update before the deadline (" + t.rejectedUploads + " rejected)"
                : "no update before the deadline"));
          }
        }
        results = new RoundResults(round, accepted, failures);
        aggregate = accumulator.snapshot();
        controlDeltas = controlAccumulator == null ? null : controlAccumulator.snapshot();
        updates = new ArrayList<>(buffered);
        buffered.clear();
      }
    } finally {
      foldLock.writeLock().unlock();
    }
    if (results.successes().size() < config.quorum(cohort.size()) || aggregate.updates() == 0) {
      return failRound(closedRound, "only " + results.successes().size() + " of " + cohort.size()
          + " clients sent a valid update (min-reports " + config.quorum(cohort.size()) + ")");
    }
    long totalWeight = aggregate.totalWeight();
    if (robustAggregator != null) {
      Optional<AggregatedUpdate> combined = combine(closedRound, updates);
      if (combined.isEmpty()) {
        return false;
      }
      aggregate = combined.get();
    }
    return commitRound(cohort, closedRound, aggregate, controlDeltas, results, totalWeight, startNanos);
  }

  /** Hands the round's aggregate to the strategy, evaluates and publishes the new model. */
  private boolean commitRound(List<String> cohort, long closedRound, AggregatedUpdate aggregate,
      AggregatedUpdate controlDeltas, RoundResults results, long totalWeight, long startNanos) {
    ModelWeights previous = globalModel();
    if (scaffold != null) {
      // c ← c + (|S|/N)·mean Δc_i; setGlobal below publishes the new c with the new model.
      scaffold.updateControl(controlDeltas);
    }
    ModelWeights next = strategy.aggregateFit(closedRound, previous, aggregate, results);
    if (!next.allFinite()) {
      // The accumulator bounds every value, so this means a strategy bug; keep the old model.
      throw new IllegalStateException("strategy " + strategy.name() + " produced a non-finite model");
    }
    EvaluateResult eval = evaluator == null ? null : evaluator.evaluate(next);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    RoundSummary summary;
    synchronized (this) {
      long version = snapshot.version() + 1;
      setGlobal(next, version);
      summary = new RoundSummary(
          closedRound,
          attempt,
          cohort.size(),
          results.successes().size(),
          results.failures(),
          totalWeight,
          mergedMetrics(results),
          eval == null ? Double.NaN : eval.loss(),
          eval == null ? Double.NaN : eval.accuracy(),
          seconds,
          version,
          HexFormat.of().formatHex(snapshot.sha256()),
          cohortHash(results),
          privacy == null ? Double.NaN : privacy.epsilon(),
          privacy == null ? Double.NaN : privacy.delta());
      history.add(summary);
      tasksById.clear();
      taskByClient.clear();
      accumulator = null;
      controlAccumulator = null;
      round++;
      attempt = 0;
      phase = Phase.WAITING_FOR_CLIENTS;
      notifyAll();
    }
    LOG.info(() -> "round " + summary.round() + ": aggregated " + summary.accepted() + " of " + summary.selected()
        + " updates (total weight " + summary.totalWeight() + ")"
        + (summary.failures().isEmpty() ? "" : ", failures: " + summary.failures())
        + String.format(java.util.Locale.ROOT, ", eval loss %.4f accuracy %.4f, model v%d sha256 %.12s",
            summary.evalLoss(), summary.evalAccuracy(), summary.modelVersion(), summary.modelSha256())
        + (privacy == null ? "" : String.format(java.util.Locale.ROOT, ", ε = %.4g at δ = %.3g, next clip norm %.4g",
            summary.epsilon(), summary.delta(), privacy.clip())));
    listener.onRoundCompleted(summary);
    return true;
  }

  /**
   * The round's updates combined by the robust aggregator, in client-id order so that the result does
   * not depend on the order they arrived in; empty, with the round failed, when the aggregator refuses
   * them.
   */
  private Optional<AggregatedUpdate> combine(long closedRound, List<BufferedUpdate> updates) {
    updates.sort(Comparator.comparing(BufferedUpdate::clientId));
    List<float[]> values = new ArrayList<>(updates.size());
    long[] weights = new long[updates.size()];
    for (int i = 0; i < weights.length; i++) {
      values.add(updates.get(i).values());
      weights[i] = updates.get(i).weight();
    }
    try {
      float[] combined = robustAggregator.aggregate(values, weights);
      return Optional.of(AggregatedUpdate.ofCombined(layout(), combined, updates.size()));
    } catch (IllegalArgumentException e) {
      failRound(closedRound, "aggregator " + robustAggregator.name() + " refused the round's " + updates.size()
          + " updates: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Ends the current attempt at {@code closedRound} without touching the global model. */
  private boolean failRound(long closedRound, String reason) {
    LOG.warning(() -> "round " + closedRound + " attempt " + attempt + " failed: " + reason);
    synchronized (this) {
      tasksById.clear();
      taskByClient.clear();
      buffered.clear();
      accumulator = null;
      controlAccumulator = null;
      if (secureRound != null) {
        secureRound.abandon(reason);
        secureRound = null;
        secureSetupWire = null;
      }
      phase = Phase.WAITING_FOR_CLIENTS;
    }
    listener.onRoundFailed(closedRound, attempt, reason);
    return false;
  }

  private Map<String, Double> mergedMetrics(RoundResults results) {
    Map<String, Double> m = new LinkedHashMap<>(results.weightedMetrics());
    synchronized (this) {
      if (!reportedMetrics.isEmpty()) {
        Map<String, double[]> sums = new TreeMap<>();
        reportedMetrics.values().forEach(r -> r.forEach((k, v) -> {
          double[] a = sums.computeIfAbsent("client_" + k, x -> new double[2]);
          a[0] += v;
          a[1]++;
        }));
        sums.forEach((k, a) -> m.put(k, a[0] / a[1]));
      }
    }
    return m;
  }

  private static String cohortHash(RoundResults results) {
    MessageDigest md = TensorCodec.sha256();
    results.successes().stream().map(ClientUpdate::clientId).sorted().forEach(id -> {
      md.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      md.update((byte) 0);
    });
    return HexFormat.of().formatHex(md.digest());
  }

  /** The number of staging buffers currently lent out (for tests and metrics). */
  public int stagingInUse() {
    return staging.inUse();
  }
}
