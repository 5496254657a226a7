package io.tributary.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.protocol.Protocol;
import io.tributary.core.strategy.Scaffold;
import io.tributary.proto.convert.WireConversions;
import io.tributary.proto.v1.CheckInRequest;
import io.tributary.proto.v1.CheckInResponse;
import io.tributary.proto.v1.DataChunk;
import io.tributary.proto.v1.DownloadModelRequest;
import io.tributary.proto.v1.FederatedLearningGrpc;
import io.tributary.proto.v1.MetricsReport;
import io.tributary.proto.v1.ModelChunk;
import io.tributary.proto.v1.ModelHeader;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateEncoding;
import io.tributary.proto.v1.UpdateHeader;
import io.tributary.proto.v1.UpdateTrailer;
import io.tributary.proto.v1.UploadReceipt;
import io.grpc.stub.StreamObserver;
import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.dp.DistributedDpCodec;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.SecureUpdateCodec;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggClient;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggException;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import io.tributary.proto.convert.SecAggWire;
import io.tributary.proto.v1.SecAggEncryptedShares;
import io.tributary.proto.v1.SecAggMaskedInputChunk;
import io.tributary.proto.v1.SecAggMessage;
import io.tributary.proto.v1.SecAggReply;
import io.tributary.proto.v1.SecAggStage;
import io.tributary.proto.v1.SecAggKeyAdvertisement;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import java.util.logging.Logger;

/**
 * A federated-learning client: checks in with a server, and for each task it receives downloads the
 * global model, trains with its {@link Trainer}, and uploads the weight delta — all over fl.v1 gRPC,
 * always initiated by the client so it works behind NAT.
 *
 * <pre>{@code
 * try (FlClient client = FlClient.builder()
 *     .target("localhost:8080").clientId("device-17").trainer(trainer).build()) {
 *   FlClient.Outcome outcome = client.run();   // returns when the server says training is over
 * }
 * }</pre>
 *
 * <p>When the server is unreachable the client retries with exponential backoff and jitter, up to
 * {@link Builder#maxUnavailable}. Not thread-safe: one thread runs {@link #run()}.
 *
 * <p><b>SCAFFOLD.</b> When a task says the strategy keeps control variates ({@code
 * Task.control_variates}), the download carries the server's control variate c after the model; the
 * client trains with the gradient correction c − c_i ({@link Scaffold#correction}, handed to the
 * trainer as {@link FitInstructions#gradientCorrection()}), computes Δc_i = −c − Δ_i/(K·η_l) ({@link
 * Scaffold#controlDelta}) from the trainer's own delta and steps — before the mods, which change what
 * is uploaded, not what was learnt — and uploads Δc_i after the delta. Its own control variate c_i
 * becomes c_i + Δc_i only once the server has acknowledged the upload (a receipt, or ALREADY_EXISTS
 * for a retry of an upload that was already accepted), so a rejected upload leaves the client's state
 * as it was. c_i lives in this object's memory, one float per parameter, from 0 at the first SCAFFOLD
 * task: a client that is rebuilt (an app restart) starts again from c_i = 0, which SCAFFOLD tolerates —
 * its first correction is then c, as for a client that never took part. If a round fails on the server
 * after the upload was accepted, the server discards the round's Δc_i but the client keeps its c_i:
 * the two drift apart by one step, as with a client that dropped out after its upload.
 *
 * <p><b>Secure aggregation.</b> A client built with {@link Builder#secureAggregation} (or an {@link
 * Builder#identityKey}) presents its Ed25519 identity key at every check-in. When a task carries a
 * SecAgg setup, the client runs the SecAgg+ stages ({@link SecAggClient}, with a {@link SecureRandom})
 * through {@code SecAggExchange} instead of uploading: it advertises its keys and sends its shares
 * first, then downloads and trains, applies its mods, quantizes the delta with its weight — 1 under
 * uniform weighting, else min(examples, W), logged when W caps it — and sends the masked input, then
 * signs the survivor set and reveals its shares. A NaN or infinite value is refused before masking.
 * Any {@link SecAggException} or refused stage aborts the round for this client (it is logged, and the
 * client checks in again); the server then counts it as dropped.
 *
 * <p><b>Differential privacy.</b> When a round's config asks for DP clipping (the server runs
 * DP-FedAvg: {@code dp_clip} in the config), the client clips its update after its mods with {@link
 * DpClientMod} — to the round's L2 norm, with its own Gaussian noise under local DP — and reports
 * whether it was clipped (metric {@code dp_unclipped}, for adaptive clipping), on the plain and the
 * secure aggregation path alike.
 */
public final class FlClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FlClient.class.getName());
  private final String clientId;
  private final Trainer trainer;
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final FederatedLearningGrpc.FederatedLearningBlockingStub blocking;
  private final FederatedLearningGrpc.FederatedLearningStub async;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxUnavailable;
  private final boolean reportEvaluation;
  private final SplittableRandom jitter;
  private final Map<String, String> capabilities;
  private final java.util.List<ClientMod> mods;
  private int tasksCompleted;
  /** SCAFFOLD's c_i, this client's control variate; null = 0 (no SCAFFOLD task accepted yet). */
  private float[] clientControl;
  /** Pause after a refused upload before checking in again; doubles with each refusal in a row. */
  private long refusedBackoffMs;
  /** The Ed25519 identity for secure aggregation; null when the client takes no part in it. */
  private final SecAggCrypto.KeyPair identity;
  private final SecureRandom secureRandom = new SecureRandom();
  /** The least noise multiplier this client accepts for distributed DP (0: whatever the server set). */
  private final double minimumNoiseMultiplier;
  /**
   * DP-FedAvg's client half, run after the app's mods whenever a round asks for DP clipping; null when
   * the app added its own {@link DpClientMod}.
   */
  private final DpClientMod dpMod;

  private FlClient(Builder b) {
    this.clientId = b.clientId;
    this.trainer = b.trainer;
    this.ownsChannel = b.channel == null;
    this.channel = b.channel != null ? b.channel
        : ManagedChannelBuilder.forTarget(b.target).usePlaintext().maxInboundMessageSize(4 << 20).build();
    this.blocking = FederatedLearningGrpc.newBlockingStub(channel);
    this.async = FederatedLearningGrpc.newStub(channel);
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxUnavailable = b.maxUnavailable;
    this.refusedBackoffMs = b.initialBackoff.toMillis();
    this.reportEvaluation = b.reportEvaluation;
    this.jitter = new SplittableRandom(clientId.hashCode());
    this.capabilities = Map.copyOf(b.capabilities);
    this.mods = java.util.List.copyOf(b.mods);
    this.dpMod = mods.stream().anyMatch(m -> m instanceof DpClientMod) ? null : new DpClientMod(secureRandom);
    this.minimumNoiseMultiplier = b.minimumNoiseMultiplier;
    this.identity = b.identity != null ? b.identity
        : b.secureAggregation ? SecAggCrypto.ed25519(new SecureRandom()) : null;
  }

  /** The client's Ed25519 identity public key; empty when it takes no part in secure aggregation. */
  public java.util.Optional<byte[]> identityPublicKey() {
    return java.util.Optional.ofNullable(identity).map(SecAggCrypto.KeyPair::publicKey);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String clientId() {
    return clientId;
  }

  /** How a client's participation ended. */
  public record Outcome(int tasksCompleted, long finalModelVersion, String reason) {}

  /**
   * Participates until the server says training is finished.
   *
   * @throws StatusRuntimeException if the server stays unreachable for longer than the configured
   *     limit, or answers with an error the client cannot recover from
   */
  public Outcome run() throws InterruptedException {
    long backoffMs = initialBackoff.toMillis();
    long unavailableSince = -1;
    while (true) {
      CheckInResponse response;
      try {
        CheckInRequest.Builder request = CheckInRequest.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setClientId(clientId)
            .putAllCapabilities(capabilities);
        if (identity != null) {
          request.setIdentityKey(ByteString.copyFrom(identity.publicKey()));
        }
        response = blocking.withDeadlineAfter(30, TimeUnit.SECONDS).checkIn(request.build());
        unavailableSince = -1;
        backoffMs = initialBackoff.toMillis();
      } catch (StatusRuntimeException e) {
        if (!isTransient(e.getStatus())) {
          throw e;
        }
        long now = System.currentTimeMillis();
        if (unavailableSince < 0) {
          unavailableSince = now;
        }
        if (now - unavailableSince > maxUnavailable.toMillis()) {
          throw e;
        }
        long sleep = backoffMs / 2 + jitter.nextLong(backoffMs / 2 + 1);
        LOG.fine(() -> clientId + ": server unavailable (" + e.getStatus().getCode() + "), retrying in " + sleep + " ms");
        Thread.sleep(sleep);
        backoffMs = Math.min(maxBackoff.toMillis(), backoffMs * 2);
        continue;
      }
      switch (response.getOutcomeCase()) {
        case TASK -> runTask(response.getTask());
        case RETRY_AFTER -> Thread.sleep(Math.max(10, response.getRetryAfter().getDelayMs()));
        case FINISHED -> {
          return new Outcome(tasksCompleted, response.getFinished().getFinalModelVersion(),
              response.getFinished().getReason());
        }
        default -> throw Status.INTERNAL.withDescription("server sent an empty check-in response").asRuntimeException();
      }
    }
  }

  static boolean isTransient(Status status) {
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED -> true;
      default -> false;
    };
  }

  private void runTask(Task task) throws InterruptedException {
    ModelLayout layout;
    try {
      layout = WireConversions.fromWire(task.getTensorsList());
    } catch (io.grpc.StatusException e) {
      throw new IllegalStateException("server sent a malformed task: " + e.getStatus().getDescription(), e);
    }
    if (!layout.equals(trainer.layout())) {
      throw new IllegalStateException("server model " + layout + " does not match the trainer's " + trainer.layout());
    }
    if (task.hasSecureAggregation()) {
      runSecureTask(task, layout);
      return;
    }
    Download download;
    try {
      download = download(task, layout);
    } catch (StatusRuntimeException e) {
      if (isTransient(e.getStatus()) || e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
        LOG.info(() -> clientId + ": download for round " + task.getRoundId() + " failed: " + e.getStatus());
        return;
      }
      throw e;
    }
    ModelWeights global = download.model();
    float[] serverControl = download.serverControl();
    ConfigValues config = WireConversions.fromWire(task.getConfigMap());
    if (reportEvaluation) {
      EvaluateResult eval = trainer.evaluate(global);
      try {
        blocking.withDeadlineAfter(30, TimeUnit.SECONDS).reportMetrics(MetricsReport.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setClientId(clientId)
            .setRoundId(task.getRoundId())
            .setTaskId(task.getTaskId())
            .setNumExamples(eval.numExamples())
            .putMetrics("loss", eval.loss())
            .putAllMetrics(eval.metrics())
            .build());
      } catch (StatusRuntimeException e) {
        LOG.info(() -> clientId + ": metrics report refused: " + e.getStatus());
      }
    }
    float[] correction = serverControl == null ? null : Scaffold.correction(serverControl, clientControl);
    FitInstructions instructions = new FitInstructions(task.getRoundId(), task.getTaskId(), config, correction);
    FitResult result = trainer.fit(global, instructions);
    checkLength(result, layout, "trainer");
    float[] controlDelta = serverControl == null ? null : controlDelta(result, serverControl, config);
    result = applyMods(result, global, instructions);
    checkLength(result, layout, "client mods");
    long backoffMs = initialBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        upload(task, layout, result, controlDelta);
        accepted(controlDelta);
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.ALREADY_EXISTS) {
          // A retry of an upload the server had accepted (its receipt was lost): the same Δc_i counted.
          accepted(controlDelta);
          return;
        }
        if (!isTransient(e.getStatus()) || attempt >= 5 || System.currentTimeMillis() > task.getDeadlineUnixMs()) {
          LOG.warning(() -> clientId + ": upload for round " + task.getRoundId() + " failed: " + e.getStatus());
          // A refused upload leaves the task open, so the next check-in offers it again; when the
          // refusal repeats (a trainer that keeps producing the same bad update), retraining at once
          // would spin until the deadline. Wait, longer after each refusal in a row.
          Thread.sleep(refusedBackoffMs);
          refusedBackoffMs = Math.min(maxBackoff.toMillis(), refusedBackoffMs * 2);
          return;
        }
        Thread.sleep(backoffMs);
        backoffMs = Math.min(maxBackoff.toMillis(), backoffMs * 2);
      }
    }
  }

  /**
   * One secure aggregation round: keys and shares first, then download, training and mods, then the
   * masked input, the consistency signature and the unmasking shares. Any refusal aborts the round for
   * this client; the caller checks in again.
   */
  private void runSecureTask(Task task, ModelLayout layout) throws InterruptedException {
    long round = task.getRoundId();
    if (identity == null) {
      LOG.warning(() -> clientId + ": round " + round + " uses secure aggregation, but this client has no identity"
          + " key; skipping it");
      Thread.sleep(refusedBackoffMs);
      return;
    }
    try {
      RoundSetup setup = SecAggWire.fromWire(task.getSecureAggregation(), round);
      if (!Arrays.equals(setup.identityKey(clientId), identity.publicKey())) {
        throw new SecAggException("the round's setup does not hold " + clientId + "'s identity key");
      }
      SecureUpdateCodec codec = new SecureUpdateCodec(setup.parameters().quantizer(), layout.totalElements(),
          task.getSecureAggregation().getAccumulationNorm());
      DistributedDpCodec noise = distributedDp(task, setup, layout);
      int length = noise != null ? noise.length() : codec.length();
      if (setup.dimension() != length) {
        throw new SecAggException("the round's inputs have " + setup.dimension() + " values, this model and"
            + " strategy need " + length);
      }
      long callMs = Math.max(0, task.getDeadlineUnixMs() - System.currentTimeMillis())
          + 3 * task.getSecureAggregation().getStageTimeoutMs() + 10_000;
      SecAggClient secAgg = new SecAggClient(setup, clientId, identity.privateKey(), secureRandom);

      SecAggReply reply = exchange(List.of(message(task, SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS)
          .setAdvertisement(SecAggWire.toWire(secAgg.advertiseKeys())).build()), callMs);
      List<KeyAdvertisement> advertisements = new ArrayList<>();
      for (SecAggKeyAdvertisement a : reply.getAdvertisements().getAdvertisementsList()) {
        advertisements.add(SecAggWire.fromWire(a, round));
      }
      EncryptedShares shares = secAgg.shareKeys(advertisements);
      reply = exchange(List.of(message(task, SecAggStage.SEC_AGG_STAGE_SHARE_KEYS)
          .setShares(SecAggEncryptedShares.newBuilder().addAllShares(SecAggWire.sharesToWire(shares.shares())))
          .build()), callMs);
      List<EncryptedShare> inbox = SecAggWire.sharesFromWire(reply.getInbox().getSharesList());

      ModelWeights global = download(task, layout).model();
      ConfigValues config = WireConversions.fromWire(task.getConfigMap());
      FitInstructions instructions = new FitInstructions(round, task.getTaskId(), config, null);
      FitResult result = trainer.fit(global, instructions);
      checkLength(result, layout, "trainer");
      result = applyMods(result, global, instructions);
      checkLength(result, layout, "client mods");
      int[] encoded = noise != null ? encodeWithNoise(noise, result)
          : encode(codec, setup.parameters().quantizer(), result, task.getSecureAggregation().getUniformWeights());
      MaskedInput masked = secAgg.maskedInput(inbox, encoded);
      reply = exchange(maskedChunks(task, masked.values()), callMs);

      SurvivorSet survivors = new SurvivorSet(round, reply.getSurvivors().getSurvivorsList());
      reply = exchange(List.of(message(task, SecAggStage.SEC_AGG_STAGE_CONSISTENCY_CHECK)
          .setConsistencySignature(ByteString.copyFrom(secAgg.consistencyCheck(survivors).signature())).build()),
          callMs);
      UnmaskResponse unmask = secAgg.unmask(SecAggWire.fromWire(reply.getUnmaskRequest(), round));
      exchange(List.of(message(task, SecAggStage.SEC_AGG_STAGE_UNMASKING).setUnmask(SecAggWire.toWire(unmask))
          .build()), callMs);
      accepted(null);
      LOG.fine(() -> clientId + ": secure aggregation round " + round + " done");
    } catch (SecAggException e) {
      LOG.warning(() -> clientId + ": secure aggregation round " + round + " aborted: " + e.getMessage());
    } catch (io.grpc.StatusException e) {
      LOG.warning(() -> clientId + ": secure aggregation round " + round + " aborted: " + e.getStatus());
    } catch (StatusRuntimeException e) {
      if (!isTransient(e.getStatus()) && e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION
          && e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT
          && e.getStatus().getCode() != Status.Code.CANCELLED) {
        throw e;
      }
      LOG.warning(() -> clientId + ": secure aggregation round " + round + " aborted: " + e.getStatus());
    }
  }

  /**
   * Distributed DP's codec for the round, or null when the setup carries none: the server's
   * parameters, checked as any wire input, and refused when they were calibrated for less noise than
   * this client accepts ({@link Builder#minimumNoiseMultiplier}) — a server cannot talk a client into
   * sending a barely noised update.
   */
  private DistributedDpCodec distributedDp(Task task, RoundSetup setup, ModelLayout layout)
      throws io.grpc.StatusException, SecAggException {
    if (!task.getSecureAggregation().hasDistributedDp()) {
      return null;
    }
    io.tributary.proto.v1.DistributedDpParameters wire = task.getSecureAggregation().getDistributedDp();
    DistributedDiscreteGaussian mechanism = SecAggWire.fromWire(wire);
    double z = mechanism.noiseMultiplier();
    double floor = minimumNoiseMultiplier * (1 - 1e-9); // calibration rounds z by an ulp or so
    if (!(z >= floor) || !(wire.getNoiseMultiplier() >= floor)) {
      throw new SecAggException(clientId + " refuses distributed DP with noise multiplier " + z + " (announced "
          + wire.getNoiseMultiplier() + "), below its minimum " + minimumNoiseMultiplier);
    }
    try {
      return new DistributedDpCodec(mechanism, layout.totalElements(),
          DistributedDpCodec.rotationSeed(setup.graphSeed(), setup.round()));
    } catch (IllegalArgumentException e) {
      throw new SecAggException("distributed DP parameters do not fit this model: " + e.getMessage(), e);
    }
  }

  /** Distributed DP: clipped, rotated, rounded and noised with this client's share (NaN/Inf refused first). */
  private int[] encodeWithNoise(DistributedDpCodec noise, FitResult result) throws SecAggException {
    try {
      return noise.encode(result.delta(), RandomBits.fromSecureRandom(secureRandom)).values();
    } catch (IllegalArgumentException e) {
      throw new SecAggException(clientId + "'s update refused before masking: " + e.getMessage(), e);
    }
  }

  /**
   * The update quantized with its weight: 1 under uniform weighting, else min(examples, W).
   *
   * @throws SecAggException when the update has a NaN or infinite value (refused before masking) or
   *     no examples
   */
  private int[] encode(SecureUpdateCodec codec, Quantizer quantizer, FitResult result, boolean uniform)
      throws SecAggException {
    long weight = uniform ? 1 : result.numExamples();
    if (weight < 1) {
      throw new SecAggException(clientId + " trained on no examples");
    }
    if (weight > quantizer.maxWeight()) {
      long examples = weight;
      LOG.info(() -> clientId + ": " + examples + " examples, weighed as the round's largest weight "
          + quantizer.maxWeight());
      weight = quantizer.maxWeight();
    }
    try {
      return codec.encode(result.delta(), weight, result.accumulationNorm(), secureRandom);
    } catch (IllegalArgumentException e) {
      throw new SecAggException(clientId + "'s update refused before masking: " + e.getMessage(), e);
    }
  }

  private SecAggMessage.Builder message(Task task, SecAggStage stage) {
    return SecAggMessage.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setClientId(clientId)
        .setRoundId(task.getRoundId())
        .setTaskId(task.getTaskId())
        .setStage(stage);
  }

  /** The masked input as chunks of at most 1 MiB of little-endian int32 values. */
  private List<SecAggMessage> maskedChunks(Task task, int[] values) {
    List<SecAggMessage> out = new ArrayList<>();
    int perChunk = TensorCodec.MAX_CHUNK_BYTES / 4;
    for (int from = 0; from < values.length; from += perChunk) {
      int n = Math.min(perChunk, values.length - from);
      out.add(message(task, SecAggStage.SEC_AGG_STAGE_MASKED_INPUT)
          .setMaskedInput(SecAggMaskedInputChunk.newBuilder()
              .setOffset(4L * from)
              .setTotalBytes(4L * values.length)
              .setData(UnsafeByteOperations.unsafeWrap(SecAggWire.toBytes(values, from, n))))
          .build());
    }
    return out;
  }

  /** Streams one stage's messages and waits for the server's reply, sent when the stage closes. */
  private SecAggReply exchange(List<SecAggMessage> messages, long timeoutMs) {
    CompletableFuture<SecAggReply> reply = new CompletableFuture<>();
    StreamObserver<SecAggMessage> out = async.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
        .secAggExchange(new StreamObserver<SecAggReply>() {
          @Override
          public void onNext(SecAggReply value) {
            reply.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            reply.completeExceptionally(Status.INTERNAL.withDescription("no SecAgg reply").asRuntimeException());
          }
        });
    for (SecAggMessage m : messages) {
      if (reply.isDone()) {
        break;
      }
      out.onNext(m);
    }
    out.onCompleted();
    try {
      return reply.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw Status.fromThrowable(e.getCause()).asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

  /**
   * The app's mods in order, then DP clipping ({@link DpClientMod}) when the round config asks for it,
   * so that what is clipped is what is uploaded.
   */
  private FitResult applyMods(FitResult result, ModelWeights global, FitInstructions instructions) {
    for (ClientMod mod : mods) {
      result = mod.apply(result, global, instructions);
    }
    return dpMod == null ? result : dpMod.apply(result, global, instructions);
  }

  private static void checkLength(FitResult result, ModelLayout layout, String source) {
    if (result.delta().length != layout.totalElements()) {
      throw new IllegalStateException(source + " returned " + result.delta().length + " values for a model of "
          + layout.totalElements());
    }
  }

  /** SCAFFOLD's Δc_i = −c − Δ_i/(K·η_l) from what the trainer learnt, into a new array. */
  private static float[] controlDelta(FitResult result, float[] serverControl, ConfigValues config) {
    float[] out = new float[serverControl.length];
    try {
      Scaffold.controlDelta(result.delta(), serverControl, result.localSteps(),
          config.get(TrainingKeys.LEARNING_RATE), out);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot compute the SCAFFOLD control variate delta: " + e.getMessage(), e);
    }
    return out;
  }

  /** The server acknowledged the task's upload: count it and, with SCAFFOLD, c_i ← c_i + Δc_i. */
  private void accepted(float[] controlDelta) {
    tasksCompleted++;
    refusedBackoffMs = initialBackoff.toMillis();
    if (controlDelta == null) {
      return;
    }
    if (clientControl == null) {
      clientControl = controlDelta;
    } else {
      for (int i = 0; i < clientControl.length; i++) {
        clientControl[i] += controlDelta[i];
      }
    }
  }

  /**
   * A copy of this client's SCAFFOLD control variate c_i; empty before its first accepted SCAFFOLD
   * upload (c_i = 0).
   */
  public java.util.Optional<float[]> controlVariate() {
    return java.util.Optional.ofNullable(clientControl).map(float[]::clone);
  }

  /** A downloaded model and, when the task has control variates, the server's c; else null. */
  record Download(ModelWeights model, float[] serverControl) {}

  /**
   * Downloads and verifies the task's model (and with control variates, c after it): header first,
   * then chunks at the expected offsets, then the SHA-256 of everything.
   */
  Download download(Task task, ModelLayout layout) {
    Iterator<ModelChunk> it = blocking.withDeadlineAfter(5, TimeUnit.MINUTES).downloadModel(
        DownloadModelRequest.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setClientId(clientId)
            .setRoundId(task.getRoundId())
            .setTaskId(task.getTaskId())
            .build());
    if (!it.hasNext()) {
      throw Status.DATA_LOSS.withDescription("empty model stream").asRuntimeException();
    }
    ModelChunk first = it.next();
    if (!first.hasHeader()) {
      throw Status.DATA_LOSS.withDescription("model stream does not start with a header").asRuntimeException();
    }
    ModelHeader header = first.getHeader();
    boolean control = task.getControlVariates();
    long totalBytes = control ? 2 * layout.totalBytes() : layout.totalBytes();
    if (header.getTotalBytes() != totalBytes || header.getModelVersion() != task.getModelVersion()) {
      throw Status.DATA_LOSS.withDescription("model header disagrees with the task").asRuntimeException();
    }
    if (control ? !header.getControlTensorsList().equals(WireConversions.toWire(layout))
        : header.getControlTensorsCount() != 0) {
      throw Status.DATA_LOSS.withDescription("model header's control tensors disagree with the task")
          .asRuntimeException();
    }
    float[] values = new float[(int) (totalBytes / 4)];
    MessageDigest md = TensorCodec.sha256();
    long offset = 0;
    byte[] scratch = new byte[TensorCodec.MAX_CHUNK_BYTES];
    while (it.hasNext()) {
      ModelChunk c = it.next();
      if (!c.hasData() || c.getData().getOffset() != offset) {
        throw Status.DATA_LOSS.withDescription("model chunk out of order at offset " + offset).asRuntimeException();
      }
      ByteString data = c.getData().getData();
      int n = data.size();
      if (n % 4 != 0 || n > scratch.length || offset + n > totalBytes) {
        throw Status.DATA_LOSS.withDescription("malformed model chunk of " + n + " bytes").asRuntimeException();
      }
      data.copyTo(scratch, 0);
      md.update(scratch, 0, n);
      TensorCodec.decode(scratch, 0, n / 4, values, (int) (offset / 4));
      offset += n;
    }
    if (offset != totalBytes) {
      throw Status.DATA_LOSS.withDescription("model stream ended after " + offset + " of "
          + totalBytes + " bytes").asRuntimeException();
    }
    if (!Arrays.equals(md.digest(), header.getSha256().toByteArray())) {
      throw Status.DATA_LOSS.withDescription("model checksum mismatch").asRuntimeException();
    }
    if (!control) {
      return new Download(ModelWeights.of(layout, values), null);
    }
    int n = layout.totalElements();
    return new Download(ModelWeights.of(layout, Arrays.copyOf(values, n)), Arrays.copyOfRange(values, n, 2 * n));
  }

  /**
   * Streams header, chunks and trailer, and waits for the server's receipt. Sending follows gRPC's
   * flow control (a chunk goes out only when the transport is ready for it), so the client never
   * buffers more than a window of the update, and it stops early when the server has already
   * refused the upload. With a {@code controlDelta} (SCAFFOLD's Δc_i) the header declares it and its
   * bytes follow the delta's in the same stream, under the same CRC.
   */
  private void upload(Task task, ModelLayout layout, FitResult result, float[] controlDelta) {
    CompletableFuture<UploadReceipt> receipt = new CompletableFuture<>();
    Object ready = new Object();
    CompletableFuture<ClientCallStreamObserver<UpdateChunk>> call = new CompletableFuture<>();
    async.withDeadlineAfter(5, TimeUnit.MINUTES).uploadUpdate(new ClientResponseObserver<UpdateChunk, UploadReceipt>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<UpdateChunk> requestStream) {
        requestStream.setOnReadyHandler(() -> {
          synchronized (ready) {
            ready.notifyAll();
          }
        });
        call.complete(requestStream);
      }

      @Override
      public void onNext(UploadReceipt value) {
        receipt.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        receipt.completeExceptionally(t);
        synchronized (ready) {
          ready.notifyAll();
        }
      }

      @Override
      public void onCompleted() {
        receipt.completeExceptionally(Status.INTERNAL.withDescription("no receipt").asRuntimeException());
      }
    });
    ClientCallStreamObserver<UpdateChunk> out = call.join();
    UpdateChunk.Builder base = UpdateChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(task.getRoundId())
        .setTaskId(task.getTaskId());
    UpdateHeader.Builder header = UpdateHeader.newBuilder()
        .setClientId(clientId)
        .setModelVersion(task.getModelVersion())
        .addAllTensors(WireConversions.toWire(layout))
        .setTotalBytes(controlDelta == null ? layout.totalBytes() : 2 * layout.totalBytes())
        .setEncoding(UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA)
        .setNumExamples(result.numExamples())
        .setLocalSteps(result.localSteps())
        .setAccumulationNorm(result.accumulationNorm());
    if (controlDelta != null) {
      header.addAllControlTensors(WireConversions.toWire(layout));
    }
    CRC32C crc = new CRC32C();
    boolean refused = !sendWhenReady(out, ready, receipt, base.clone().setHeader(header).build());
    long offset = 0;
    for (float[] part : controlDelta == null ? List.of(result.delta()) : List.of(result.delta(), controlDelta)) {
      int chunkFloats = TensorCodec.MAX_CHUNK_BYTES / 4;
      for (int from = 0; from < part.length && !refused; from += chunkFloats) {
        int n = Math.min(chunkFloats, part.length - from);
        byte[] bytes = new byte[4 * n];
        TensorCodec.encode(part, from, n, bytes, 0);
        crc.update(bytes);
        refused = !sendWhenReady(out, ready, receipt, base.clone().setData(DataChunk.newBuilder()
                .setOffset(offset)
                .setData(UnsafeByteOperations.unsafeWrap(bytes)))
            .build());
        offset += bytes.length;
      }
    }
    if (!refused) {
      sendWhenReady(out, ready, receipt, base.clone().setTrailer(UpdateTrailer.newBuilder()
              .setCrc32C((int) crc.getValue())
              .putAllMetrics(result.metrics()))
          .build());
      out.onCompleted();
    }
    try {
      receipt.get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw Status.fromThrowable(e.getCause()).asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (java.util.concurrent.TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("no upload receipt").asRuntimeException();
    }
  }

  /** Sends when the transport is ready; false (without sending) once the call has ended. */
  private static boolean sendWhenReady(ClientCallStreamObserver<UpdateChunk> out, Object ready,
      CompletableFuture<UploadReceipt> receipt, UpdateChunk message) {
    synchronized (ready) {
      while (!out.isReady() && !receipt.isDone()) {
        try {
          ready.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.cancel("interrupted", e);
          return false;
        }
      }
    }
    if (receipt.isDone()) {
      return false;
    }
    out.onNext(message);
    return true;
  }

  @Override
  public void close() throws InterruptedException {
    if (ownsChannel) {
      channel.shutdown();
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }

  /** Collects and validates the client's settings. Not thread-safe. */
  public static final class Builder {
    private String target;
    private ManagedChannel channel;
    private String clientId;
    private Trainer trainer;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration maxUnavailable = Duration.ofMinutes(5);
    private boolean reportEvaluation;
    private final java.util.Map<String, String> capabilities = new java.util.LinkedHashMap<>();
    private final java.util.List<ClientMod> mods = new java.util.ArrayList<>();
    private boolean secureAggregation;
    private SecAggCrypto.KeyPair identity;
    private double minimumNoiseMultiplier;

    /** Server address, e.g. {@code localhost:8080} or {@code dns:///fl.example.com:443}. */
    public Builder target(String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException("target must be a host:port address");
      }
      target = v;
      return this;
    }

    /** Uses an existing channel (the caller keeps ownership) instead of {@link #target}. */
    public Builder channel(ManagedChannel v) {
      channel = Objects.requireNonNull(v);
      return this;
    }

    public Builder clientId(String v) {
      if (v == null || !v.matches("[A-Za-z0-9._:@-]{1,128}")) {
        throw new IllegalArgumentException("client id must be 1-128 characters of [A-Za-z0-9._:@-], got " + v);
      }
      clientId = v;
      return this;
    }

    public Builder trainer(Trainer v) {
      trainer = Objects.requireNonNull(v);
      return this;
    }

    /**
     * First retry delay when the server is unreachable, and first pause after a refused upload
     * (default 200 ms); doubles up to maxBackoff.
     */
    public Builder initialBackoff(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("initial backoff must be positive");
      }
      initialBackoff = v;
      return this;
    }

    public Builder maxBackoff(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("max backoff must be positive");
      }
      maxBackoff = v;
      return this;
    }

    /** How long the server may stay unreachable before {@link #run()} gives up (default 5 min). */
    public Builder maxUnavailable(Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException("max unavailable must not be negative");
      }
      maxUnavailable = v;
      return this;
    }

    /** Evaluate each received global model locally and report the metrics (default off). */
    public Builder reportEvaluation(boolean v) {
      reportEvaluation = v;
      return this;
    }

    /** Appends an outbound mod, applied to each training result before it is uploaded. */
    public Builder mod(ClientMod mod) {
      mods.add(Objects.requireNonNull(mod));
      return this;
    }

    /**
     * Takes part in secure aggregation with a fresh Ed25519 identity key (from {@link SecureRandom}),
     * presented at every check-in (default off: the check-in then carries no key).
     */
    public Builder secureAggregation(boolean v) {
      secureAggregation = v;
      return this;
    }

    /**
     * Under distributed DP, refuse rounds whose noise shares were calibrated for a noise multiplier
     * below {@code z} (default 0: trust the server's calibration). The client checks the parameters it
     * is given, not only the multiplier the server announces.
     */
    public Builder minimumNoiseMultiplier(double z) {
      if (!(z >= 0) || Double.isInfinite(z)) {
        throw new IllegalArgumentException("minimumNoiseMultiplier must be finite and >= 0, got " + z);
      }
      minimumNoiseMultiplier = z;
      return this;
    }

    /** Takes part in secure aggregation with this Ed25519 identity (e.g. one kept across restarts). */
    public Builder identityKey(SecAggCrypto.KeyPair v) {
      identity = Objects.requireNonNull(v);
      return this;
    }

    public Builder capability(String key, String value) {
      capabilities.put(key, value);
      return this;
    }

    public FlClient build() {
      if (clientId == null) {
        throw new IllegalStateException("clientId is required");
      }
      if (trainer == null) {
        throw new IllegalStateException("trainer is required");
      }
      if (target == null && channel == null) {
        throw new IllegalStateException("target or channel is required");
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalStateException("max backoff must be >= initial backoff");
      }
      return new FlClient(this);
    }
  }
}
