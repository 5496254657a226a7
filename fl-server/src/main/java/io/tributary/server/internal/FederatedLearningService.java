package io.tributary.server.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.protocol.Protocol;
import io.tributary.proto.convert.WireConversions;
import io.tributary.proto.v1.CheckInRequest;
import io.tributary.proto.v1.CheckInResponse;
import io.tributary.proto.v1.DataChunk;
import io.tributary.proto.v1.DownloadModelRequest;
import io.tributary.proto.v1.FederatedLearningGrpc;
import io.tributary.proto.v1.Finished;
import io.tributary.proto.v1.MetricsReceipt;
import io.tributary.proto.v1.MetricsReport;
import io.tributary.proto.v1.ModelChunk;
import io.tributary.proto.v1.ModelHeader;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.RetryAfter;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.TaskType;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateEncoding;
import io.tributary.proto.v1.UpdateHeader;
import io.tributary.proto.v1.UploadReceipt;
import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.proto.convert.SecAggWire;
import io.tributary.proto.v1.SecAggMessage;
import io.tributary.proto.v1.SecAggReply;
import io.tributary.proto.v1.SecAggStage;
import java.util.zip.CRC32C;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fl.v1 gRPC service: validates every message at the edge and turns each rejection into a
 * precise gRPC status, then delegates to the {@link RoundCoordinator}.
 *
 * <p>Thread-safe: gRPC calls it from many threads; per-call state lives in the per-call objects.
 */
public final class FederatedLearningService extends FederatedLearningGrpc.FederatedLearningImplBase {
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  private final RoundCoordinator coordinator;

  public FederatedLearningService(RoundCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  static void checkVersion(int version) throws StatusException {
    if (version != Protocol.VERSION) {
      throw Status.FAILED_PRECONDITION
          .withDescription("unsupported protocol version " + version + "; this server speaks "
              + Protocol.VERSION)
          .asException();
    }
  }

  static void checkClientId(String id) throws StatusException {
    if (!CLIENT_ID.matcher(id).matches()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("client_id must be 1-128 characters of [A-Za-z0-9._:@-], got '"
              + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "'")
          .asException();
    }
  }

  @Override
  public void checkIn(CheckInRequest request, StreamObserver<CheckInResponse> response) {
    try {
      checkVersion(request.getProtocolVersionValue());
      checkClientId(request.getClientId());
      RoundCoordinator.CheckInOutcome outcome = coordinator.checkIn(request.getClientId(),
          request.getIdentityKey().toByteArray());
      CheckInResponse.Builder b = CheckInResponse.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1);
      if (outcome instanceof RoundCoordinator.TaskOffer offer) {
        Task.Builder task = Task.newBuilder();
        if (offer.secureAggregation() != null) {
          task.setSecureAggregation(offer.secureAggregation());
        }
        b.setTask(task
            .setRoundId(offer.task().round())
            .setTaskId(offer.task().taskId())
            .setType(TaskType.TASK_TYPE_FIT)
            .setModelVersion(offer.model().version())
            .addAllTensors(WireConversions.toWire(offer.model().layout()))
            .setModelBytes(offer.model().layout().totalBytes())
            .putAllConfig(WireConversions.toWire(offer.config()))
            .setDeadlineUnixMs(offer.deadlineUnixMs())
            .setStrategy(offer.strategy())
            .setControlVariates(offer.model().controlVariates()));
      } else if (outcome instanceof RoundCoordinator.Retry retry) {
        b.setRetryAfter(RetryAfter.newBuilder().setDelayMs(retry.delayMs()).setReason(retry.reason()));
      } else if (outcome instanceof RoundCoordinator.Done done) {
        b.setFinished(Finished.newBuilder().setReason(done.reason()).setFinalModelVersion(done.finalModelVersion()));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (StatusException e) {
      response.onError(e);
    }
  }

  @Override
  public void downloadModel(DownloadModelRequest request, StreamObserver<ModelChunk> response) {
    RoundCoordinator.ModelSnapshot model;
    try {
      checkVersion(request.getProtocolVersionValue());
      checkClientId(request.getClientId());
      model = coordinator.modelFor(request.getClientId(), request.getRoundId(), request.getTaskId());
    } catch (StatusException e) {
      response.onError(e);
      return;
    }
    int chunk = request.getMaxChunkBytes() == 0
        ? TensorCodec.MAX_CHUNK_BYTES
        : Math.max(4, Math.min(TensorCodec.MAX_CHUNK_BYTES, request.getMaxChunkBytes()) & ~3);
    new DownloadStreamer((ServerCallStreamObserver<ModelChunk>) response, request, model, chunk).start();
  }

  /**
   * Sends a model as header + chunks, as fast as the client's flow-control window allows; with
   * control variates, the chunks go on from the model's bytes into c's (a chunk may hold the end of
   * one and the start of the other: the stream is one byte sequence, as the header describes it).
   */
  private static final class DownloadStreamer implements Runnable {
    private final ServerCallStreamObserver<ModelChunk> out;
    private final DownloadModelRequest request;
    private final RoundCoordinator.ModelSnapshot model;
    private final int chunk;
    private boolean headerSent;
    private int offset;
    private boolean done;

    DownloadStreamer(ServerCallStreamObserver<ModelChunk> out, DownloadModelRequest request,
        RoundCoordinator.ModelSnapshot model, int chunk) {
      this.out = out;
      this.request = request;
      this.model = model;
      this.chunk = chunk;
    }

    void start() {
      out.setOnCancelHandler(() -> {
        synchronized (this) {
          done = true;
        }
      });
      out.setOnReadyHandler(this);
    }

    @Override
    public synchronized void run() {
      while (!done && out.isReady()) {
        ModelChunk.Builder b = ModelChunk.newBuilder()
            .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
            .setRoundId(request.getRoundId())
            .setTaskId(request.getTaskId());
        if (!headerSent) {
          headerSent = true;
          ModelHeader.Builder header = ModelHeader.newBuilder()
              .setModelVersion(model.version())
              .addAllTensors(WireConversions.toWire(model.layout()))
              .setTotalBytes(model.bytes().length)
              .setSha256(ByteString.copyFrom(model.sha256()));
          if (model.controlVariates()) {
            header.addAllControlTensors(WireConversions.toWire(model.layout()));
          }
          out.onNext(b.setHeader(header).build());
          continue;
        }
        if (offset >= model.bytes().length) {
          done = true;
          out.onCompleted();
          return;
        }
        int n = Math.min(chunk, model.bytes().length - offset);
        // The snapshot's bytes are never modified, so wrapping them without a copy is safe.
        out.onNext(b.setData(DataChunk.newBuilder()
                .setOffset(offset)
                .setData(UnsafeByteOperations.unsafeWrap(model.bytes(), offset, n)))
            .build());
        offset += n;
      }
    }
  }

  @Override
  public StreamObserver<UpdateChunk> uploadUpdate(StreamObserver<UploadReceipt> response) {
    return new UploadSession(coordinator, response);
  }

  /**
   * One upload stream: header, data chunks in order, trailer. Every chunk is checked as it arrives
   * (version, ids, offsets, sizes, finite values) and copied into a staging buffer; the update is
   * folded into the aggregate only after the trailer's checksum matched. Any rejection answers with a
   * status, gives the buffer back and leaves the round untouched.
   *
   * <p>With control variates (SCAFFOLD) the byte stream is the delta, then Δc_i: bytes before the
   * model's size go to the delta's buffer and are checked as update values, the rest go to the
   * control buffer and are checked as control values (errors say which part); one chunk may straddle
   * the two.
   */
  static final class UploadSession implements StreamObserver<UpdateChunk> {
    private final RoundCoordinator coordinator;
    private final StreamObserver<UploadReceipt> response;
    private final CRC32C checksum = new CRC32C();
    private RoundCoordinator.UploadTicket ticket;
    private UpdateHeader header;
    private long roundId;
    private String taskId;
    private long received;
    private long expected;
    private boolean closed;

    UploadSession(RoundCoordinator coordinator, StreamObserver<UploadReceipt> response) {
      this.coordinator = coordinator;
      this.response = response;
    }

    @Override
    public synchronized void onNext(UpdateChunk msg) {
      if (closed) {
        return;
      }
      try {
        checkVersion(msg.getProtocolVersionValue());
        switch (msg.getPartCase()) {
          case HEADER -> onHeader(msg);
          case DATA -> onData(msg);
          case TRAILER -> onTrailer(msg);
          default -> throw Status.INVALID_ARGUMENT.withDescription("upload message has no part").asException();
        }
      } catch (StatusException e) {
        fail(e);
      } catch (RuntimeException e) {
        fail(Status.INTERNAL.withDescription("upload failed: " + e).withCause(e).asException());
      }
    }

    private void checkIds(UpdateChunk msg) throws StatusException {
      if (msg.getRoundId() != roundId || !msg.getTaskId().equals(taskId)) {
        throw Status.INVALID_ARGUMENT
            .withDescription("chunk for round " + msg.getRoundId() + " task '" + msg.getTaskId()
                + "' inside an upload for round " + roundId + " task '" + taskId + "'")
            .asException();
      }
    }

    private void onHeader(UpdateChunk msg) throws StatusException {
      if (header != null) {
        throw Status.INVALID_ARGUMENT.withDescription("second header in one upload").asException();
      }
      UpdateHeader h = msg.getHeader();
      checkClientId(h.getClientId());
      if (h.getEncoding() != UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA) {
        throw Status.INVALID_ARGUMENT
            .withDescription("unsupported update encoding " + h.getEncoding())
            .asException();
      }
      ModelLayout layout = WireConversions.fromWire(h.getTensorsList());
      ModelLayout controlLayout = null;
      if (h.getControlTensorsCount() > 0) {
        try {
          controlLayout = WireConversions.fromWire(h.getControlTensorsList());
        } catch (StatusException e) {
          throw Status.INVALID_ARGUMENT.withDescription("control part: " + e.getStatus().getDescription())
              .asException();
        }
      }
      roundId = msg.getRoundId();
      taskId = msg.getTaskId();
      ticket = coordinator.beginUpload(h.getClientId(), roundId, taskId, h.getModelVersion(), layout,
          controlLayout, h.getTotalBytes(), h.getNumExamples(), h.getLocalSteps(), h.getAccumulationNorm());
      header = h;
      expected = h.getTotalBytes();
    }

    private void onData(UpdateChunk msg) throws StatusException {
      if (header == null) {
        throw Status.INVALID_ARGUMENT.withDescription("data before the header").asException();
      }
      checkIds(msg);
      DataChunk c = msg.getData();
      int n = c.getData().size();
      if (c.getOffset() != received) {
        throw Status.INVALID_ARGUMENT
            .withDescription("chunk at offset " + c.getOffset() + ", expected " + received
                + " (chunks must arrive in order without gaps)")
            .asException();
      }
      if (n == 0 || n % 4 != 0) {
        throw Status.INVALID_ARGUMENT
            .withDescription("chunk of " + n + " bytes: chunks must hold whole float32 values")
            .asException();
      }
      if (n > TensorCodec.MAX_CHUNK_BYTES) {
        throw Status.INVALID_ARGUMENT
            .withDescription("chunk of " + n + " bytes exceeds the " + TensorCodec.MAX_CHUNK_BYTES + "-byte limit")
            .asException();
      }
      if (received + n > expected) {
        throw Status.INVALID_ARGUMENT
            .withDescription("upload is longer than its declared " + expected + " bytes")
            .asException();
      }
      // The delta's bytes come first, then (with control variates) Δc_i's; a chunk may hold both.
      byte[] buf = ticket.buffer();
      int inDelta = (int) Math.max(0, Math.min(n, buf.length - received));
      if (inDelta > 0) {
        c.getData().copyTo(buf, 0, (int) received, inDelta);
        coordinator.validateChunk(buf, (int) received, (int) (received / 4), inDelta / 4);
        checksum.update(buf, (int) received, inDelta);
      }
      if (inDelta < n) {
        byte[] control = ticket.controlBuffer();
        int at = (int) (received + inDelta - buf.length);
        c.getData().copyTo(control, inDelta, at, n - inDelta);
        coordinator.validateControlChunk(control, at, at / 4, (n - inDelta) / 4);
        checksum.update(control, at, n - inDelta);
      }
      received += n;
    }

    private void onTrailer(UpdateChunk msg) throws StatusException {
      if (header == null) {
        throw Status.INVALID_ARGUMENT.withDescription("trailer before the header").asException();
      }
      checkIds(msg);
      if (received != expected) {
        throw Status.INVALID_ARGUMENT
            .withDescription("upload truncated: received " + received + " of " + expected + " bytes")
            .asException();
      }
      if ((int) checksum.getValue() != msg.getTrailer().getCrc32C()) {
        throw Status.DATA_LOSS.withDescription("update checksum mismatch: the data was corrupted in transit")
            .asException();
      }
      Map<String, Double> metrics = new HashMap<>();
      for (Map.Entry<String, Double> e : msg.getTrailer().getMetricsMap().entrySet()) {
        if (!Double.isFinite(e.getValue())) {
          throw Status.INVALID_ARGUMENT
              .withDescription("metric '" + e.getKey() + "' is not finite: " + e.getValue())
              .asException();
        }
        metrics.put(e.getKey(), e.getValue());
      }
      coordinator.commitUpload(ticket, metrics);
      closed = true;
      ticket.release("accepted");
      response.onNext(UploadReceipt.newBuilder()
          .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
          .setRoundId(roundId)
          .setTaskId(taskId)
          .setAcceptedBytes(received)
          .build());
      response.onCompleted();
    }

    private void fail(StatusException e) {
      closed = true;
      if (ticket != null) {
        ticket.release(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      }
      response.onError(e);
    }

    @Override
    public synchronized void onError(Throwable t) {
      // The client went away (cancelled or the connection dropped): nothing was folded.
      if (!closed) {
        closed = true;
        if (ticket != null) {
          ticket.release("stream broken: " + Status.fromThrowable(t).getCode());
        }
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (closed) {
        return;
      }
      if (header == null) {
        fail(Status.INVALID_ARGUMENT.withDescription("empty upload: no header").asException());
      } else {
        fail(Status.INVALID_ARGUMENT
            .withDescription("upload truncated: stream ended after " + received + " of " + expected
                + " bytes without a trailer")
            .asException());
      }
    }
  }

  @Override
  public void reportMetrics(MetricsReport request, StreamObserver<MetricsReceipt> response) {
    try {
      checkVersion(request.getProtocolVersionValue());
      checkClientId(request.getClientId());
      coordinator.reportMetrics(request.getClientId(), request.getRoundId(), request.getTaskId(),
          request.getMetricsMap());
      response.onNext(MetricsReceipt.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1).build());
      response.onCompleted();
    } catch (StatusException e) {
      response.onError(e);
    }
  }

  @Override
  public StreamObserver<SecAggMessage> secAggExchange(StreamObserver<SecAggReply> response) {
    return new SecAggReceiver(response);
  }

  /**
   * One SecAgg stage of one client: a single message, or the masked input in chunks at consecutive
   * offsets. The first message is checked against the coordinator (client, round, task, a secure
   * round); once the stream ends the stage's record goes to the round, and the reply — sent when the
   * stage closes — carries the client's input for the next stage. The first error ends the call; the
   * rest of the stream is ignored.
   */
  private final class SecAggReceiver implements StreamObserver<SecAggMessage> {
    private final StreamObserver<SecAggReply> response;
    private SecAggMessage first;
    private RoundCoordinator.SecureRoundHandle round;
    private int[] masked;
    private long nextOffset;
    private boolean failed;
    private int messages;

    SecAggReceiver(StreamObserver<SecAggReply> response) {
      this.response = response;
    }

    @Override
    public void onNext(SecAggMessage m) {
      if (failed) {
        return;
      }
      try {
        messages++;
        if (first == null) {
          checkVersion(m.getProtocolVersionValue());
          checkClientId(m.getClientId());
          round = coordinator.secureRoundFor(m.getClientId(), m.getRoundId(), m.getTaskId());
          first = m;
        } else if (!m.getClientId().equals(first.getClientId()) || m.getRoundId() != first.getRoundId()
            || !m.getTaskId().equals(first.getTaskId()) || m.getStage() != first.getStage()) {
          throw Status.INVALID_ARGUMENT.withDescription("a SecAgg stream must keep its client, round, task and"
              + " stage").asException();
        }
        if (m.getStage() == SecAggStage.SEC_AGG_STAGE_MASKED_INPUT) {
          if (!m.hasMaskedInput()) {
            throw Status.INVALID_ARGUMENT.withDescription("masked input stage without masked_input").asException();
          }
          receiveChunk(m.getMaskedInput());
        } else if (messages > 1) {
          throw Status.INVALID_ARGUMENT.withDescription("stage " + SecureRound.name(m.getStage())
              + " takes one message").asException();
        }
      } catch (StatusException e) {
        fail(e);
      }
    }

    private void receiveChunk(io.tributary.proto.v1.SecAggMaskedInputChunk c) throws StatusException {
      long expected = 4L * round.dimension();
      if (c.getTotalBytes() != expected) {
        throw Status.INVALID_ARGUMENT.withDescription("masked input declares " + c.getTotalBytes()
            + " bytes, the round's inputs have " + expected).asException();
      }
      int n = c.getData().size();
      if (c.getOffset() != nextOffset || n % 4 != 0 || n == 0 || n > TensorCodec.MAX_CHUNK_BYTES
          || nextOffset + n > expected) {
        throw Status.INVALID_ARGUMENT.withDescription("masked input chunk of " + n + " bytes at offset "
            + c.getOffset() + " does not continue at " + nextOffset).asException();
      }
      if (masked == null) {
        masked = new int[round.dimension()];
      }
      SecAggWire.fromBytes(c.getData(), masked, (int) (nextOffset / 4));
      nextOffset += n;
    }

    @Override
    public void onError(Throwable t) {
      failed = true;
      masked = null;
    }

    @Override
    public void onCompleted() {
      if (failed) {
        return;
      }
      try {
        if (first == null) {
          throw Status.INVALID_ARGUMENT.withDescription("empty SecAgg stream").asException();
        }
        String client = first.getClientId();
        long roundId = first.getRoundId();
        Object message = switch (first.getStage()) {
          case SEC_AGG_STAGE_ADVERTISE_KEYS -> {
            KeyAdvertisement a = SecAggWire.fromWire(first.getAdvertisement(), roundId);
            if (!a.client().equals(client)) {
              throw Status.PERMISSION_DENIED.withDescription("advertisement of '" + a.client() + "' sent by '"
                  + client + "'").asException();
            }
            yield a;
          }
          case SEC_AGG_STAGE_SHARE_KEYS -> new EncryptedShares(roundId, client,
              SecAggWire.sharesFromWire(first.getShares().getSharesList()));
          case SEC_AGG_STAGE_MASKED_INPUT -> {
            if (masked == null || nextOffset != 4L * round.dimension()) {
              throw Status.INVALID_ARGUMENT.withDescription("masked input ended after " + nextOffset + " of "
                  + 4L * round.dimension() + " bytes").asException();
            }
            yield new MaskedInput(roundId, client, masked);
          }
          case SEC_AGG_STAGE_CONSISTENCY_CHECK -> new ConsistencySignature(roundId, client,
              first.getConsistencySignature().toByteArray());
          case SEC_AGG_STAGE_UNMASKING -> SecAggWire.fromWire(first.getUnmask(), roundId, client);
          default -> throw Status.INVALID_ARGUMENT.withDescription("unknown SecAgg stage "
              + first.getStageValue()).asException();
        };
        masked = null;
        SecAggReply reply = round.submit(client, first.getStage(), message);
        response.onNext(reply);
        response.onCompleted();
      } catch (StatusException e) {
        fail(e);
      }
    }

    private void fail(StatusException e) {
      failed = true;
      masked = null;
      response.onError(e);
    }
  }
}
