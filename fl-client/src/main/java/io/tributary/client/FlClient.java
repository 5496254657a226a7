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
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.protocol.Protocol;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
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
    this.reportEvaluation = b.reportEvaluation;
    this.jitter = new SplittableRandom(clientId.hashCode());
    this.capabilities = Map.copyOf(b.capabilities);
    this.mods = java.util.List.copyOf(b.mods);
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
        response = blocking.withDeadlineAfter(30, TimeUnit.SECONDS).checkIn(CheckInRequest.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setClientId(clientId)
            .putAllCapabilities(capabilities)
            .build());
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
    ModelWeights global;
    try {
      global = download(task, layout);
    } catch (StatusRuntimeException e) {
      if (isTransient(e.getStatus()) || e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
        LOG.info(() -> clientId + ": download for round " + task.getRoundId() + " failed: " + e.getStatus());
        return;
      }
      throw e;
    }
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
    FitInstructions instructions = new FitInstructions(task.getRoundId(), task.getTaskId(), config);
    FitResult result = trainer.fit(global, instructions);
    for (ClientMod mod : mods) {
      result = mod.apply(result, global, instructions);
    }
    if (result.delta().length != layout.totalElements()) {
      throw new IllegalStateException("trainer returned " + result.delta().length + " values for a model of "
          + layout.totalElements());
    }
    long backoffMs = initialBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        upload(task, layout, result);
        tasksCompleted++;
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.ALREADY_EXISTS) {
          tasksCompleted++;
          return;
        }
        if (!isTransient(e.getStatus()) || attempt >= 5 || System.currentTimeMillis() > task.getDeadlineUnixMs()) {
          LOG.warning(() -> clientId + ": upload for round " + task.getRoundId() + " failed: " + e.getStatus());
          return;
        }
        Thread.sleep(backoffMs);
        backoffMs = Math.min(maxBackoff.toMillis(), backoffMs * 2);
      }
    }
  }

  /** Downloads and verifies the task's model: header first, then chunks at the expected offsets. */
  ModelWeights download(Task task, ModelLayout layout) {
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
    if (header.getTotalBytes() != layout.totalBytes() || header.getModelVersion() != task.getModelVersion()) {
      throw Status.DATA_LOSS.withDescription("model header disagrees with the task").asRuntimeException();
    }
    float[] values = new float[layout.totalElements()];
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
      if (n % 4 != 0 || n > scratch.length || offset + n > layout.totalBytes()) {
        throw Status.DATA_LOSS.withDescription("malformed model chunk of " + n + " bytes").asRuntimeException();
      }
      data.copyTo(scratch, 0);
      md.update(scratch, 0, n);
      TensorCodec.decode(scratch, 0, n / 4, values, (int) (offset / 4));
      offset += n;
    }
    if (offset != layout.totalBytes()) {
      throw Status.DATA_LOSS.withDescription("model stream ended after " + offset + " of "
          + layout.totalBytes() + " bytes").asRuntimeException();
    }
    if (!Arrays.equals(md.digest(), header.getSha256().toByteArray())) {
      throw Status.DATA_LOSS.withDescription("model checksum mismatch").asRuntimeException();
    }
    return ModelWeights.of(layout, values);
  }

  /**
   * Streams header, chunks and trailer, and waits for the server's receipt. Sending follows gRPC's
   * flow control (a chunk goes out only when the transport is ready for it), so the client never
   * buffers more than a window of the update, and it stops early when the server has already
   * refused the upload.
   */
  private void upload(Task task, ModelLayout layout, FitResult result) {
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
    List<UpdateChunk> pending = new ArrayList<>(2);
    pending.add(base.clone().setHeader(UpdateHeader.newBuilder()
            .setClientId(clientId)
            .setModelVersion(task.getModelVersion())
            .addAllTensors(WireConversions.toWire(layout))
            .setTotalBytes(layout.totalBytes())
            .setEncoding(UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA)
            .setNumExamples(result.numExamples())
            .setLocalSteps(result.localSteps())
            .setAccumulationNorm(result.accumulationNorm()))
        .build());
    float[] delta = result.delta();
    int chunkFloats = TensorCodec.MAX_CHUNK_BYTES / 4;
    CRC32C crc = new CRC32C();
    boolean refused = !sendWhenReady(out, ready, receipt, pending.get(0));
    for (int from = 0; from < delta.length && !refused; from += chunkFloats) {
      int n = Math.min(chunkFloats, delta.length - from);
      byte[] bytes = new byte[4 * n];
      TensorCodec.encode(delta, from, n, bytes, 0);
      crc.update(bytes);
      refused = !sendWhenReady(out, ready, receipt, base.clone().setData(DataChunk.newBuilder()
              .setOffset(4L * from)
              .setData(UnsafeByteOperations.unsafeWrap(bytes)))
          .build());
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

    /** First retry delay when the server is unreachable (default 200 ms); doubles up to maxBackoff. */
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
