package io.tributary.server;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import io.tributary.proto.convert.WireConversions;
import io.tributary.proto.v1.CheckInRequest;
import io.tributary.proto.v1.CheckInResponse;
import io.tributary.proto.v1.DataChunk;
import io.tributary.proto.v1.DownloadModelRequest;
import io.tributary.proto.v1.FederatedLearningGrpc;
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
import java.util.zip.CRC32C;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven fl.v1 client for server tests: it can send well-formed messages and every kind of
 * malformed one over a real gRPC channel.
 */
final class RawClient {
  final String clientId;
  final FederatedLearningGrpc.FederatedLearningBlockingStub blocking;
  final FederatedLearningGrpc.FederatedLearningStub async;

  RawClient(ManagedChannel channel, String clientId) {
    this.clientId = clientId;
    this.blocking = FederatedLearningGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    this.async = FederatedLearningGrpc.newStub(channel);
  }

  CheckInResponse checkIn() {
    return blocking.checkIn(CheckInRequest.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1).setClientId(clientId).build());
  }

  /** Checks in until a task arrives (or fails after ~20 s). */
  Task awaitTask() throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      CheckInResponse r = checkIn();
      if (r.hasTask()) {
        return r.getTask();
      }
      if (r.hasFinished()) {
        throw new AssertionError(clientId + ": server finished: " + r.getFinished().getReason());
      }
      Thread.sleep(50);
    }
    throw new AssertionError(clientId + ": no task");
  }

  /** A downloaded stream: its header, every value it carried, and the SHA-256 of its bytes. */
  record Download(ModelHeader header, float[] values, byte[] sha256) {}

  /** The task's download stream, whole (the model, then SCAFFOLD's c when the header lists it). */
  Download downloadWithHeader(Task task) {
    Iterator<ModelChunk> it = blocking.downloadModel(DownloadModelRequest.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setClientId(clientId).setRoundId(task.getRoundId()).setTaskId(task.getTaskId()).build());
    ModelChunk header = it.next();
    float[] out = new float[(int) header.getHeader().getTotalBytes() / 4];
    MessageDigest sha = TensorCodec.sha256();
    while (it.hasNext()) {
      DataChunk c = it.next().getData();
      byte[] b = c.getData().toByteArray();
      sha.update(b);
      TensorCodec.decode(b, 0, b.length / 4, out, (int) (c.getOffset() / 4));
    }
    return new Download(header.getHeader(), out, sha.digest());
  }

  float[] download(Task task) {
    return downloadWithHeader(task).values();
  }

  UpdateChunk.Builder base(Task task) {
    return UpdateChunk.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(task.getRoundId()).setTaskId(task.getTaskId());
  }

  UpdateChunk header(Task task, ModelLayout layout, long numExamples) {
    return header(task, layout, numExamples, 1, 0);
  }

  /** A header with the local steps and FedNova accumulation norm given (0 = not reported). */
  UpdateChunk header(Task task, ModelLayout layout, long numExamples, long localSteps, double accumulationNorm) {
    return base(task).setHeader(UpdateHeader.newBuilder()
            .setClientId(clientId)
            .setModelVersion(task.getModelVersion())
            .addAllTensors(WireConversions.toWire(layout))
            .setTotalBytes(layout.totalBytes())
            .setEncoding(UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA)
            .setNumExamples(numExamples)
            .setLocalSteps(localSteps)
            .setAccumulationNorm(accumulationNorm))
        .build();
  }

  /** The well-formed message sequence for an update, chunked at {@code chunkBytes}. */
  List<UpdateChunk> messages(Task task, ModelLayout layout, float[] delta, long numExamples, int chunkBytes) {
    return messages(task, layout, delta, numExamples, 1, 0, chunkBytes);
  }

  /** As {@link #messages(Task, ModelLayout, float[], long, int)} with steps and accumulation norm. */
  List<UpdateChunk> messages(Task task, ModelLayout layout, float[] delta, long numExamples, long localSteps,
      double accumulationNorm, int chunkBytes) {
    List<UpdateChunk> out = new ArrayList<>();
    out.add(header(task, layout, numExamples, localSteps, accumulationNorm));
    CRC32C crc = new CRC32C();
    TensorCodec.chunks(delta, chunkBytes, (offset, bytes) -> {
      crc.update(bytes);
      out.add(base(task).setData(DataChunk.newBuilder().setOffset(offset).setData(ByteString.copyFrom(bytes))).build());
    });
    out.add(base(task).setTrailer(UpdateTrailer.newBuilder().setCrc32C((int) crc.getValue())
        .putMetrics("train_loss", 1.0)).build());
    return out;
  }

  /**
   * A SCAFFOLD upload: the header declares {@code controlTensors} after the delta and bytes for both,
   * and the data stream is the delta, then {@code control}, chunked at {@code chunkBytes} across the
   * boundary between them.
   */
  List<UpdateChunk> messagesWithControl(Task task, ModelLayout layout, float[] delta, ModelLayout controlTensors,
      float[] control, long numExamples, int chunkBytes) {
    float[] stream = new float[delta.length + control.length];
    System.arraycopy(delta, 0, stream, 0, delta.length);
    System.arraycopy(control, 0, stream, delta.length, control.length);
    List<UpdateChunk> out = new ArrayList<>();
    UpdateChunk h = header(task, layout, numExamples, 1, 0);
    out.add(h.toBuilder().setHeader(h.getHeader().toBuilder().setTotalBytes(4L * stream.length)
        .addAllControlTensors(WireConversions.toWire(controlTensors))).build());
    CRC32C crc = new CRC32C();
    TensorCodec.chunks(stream, chunkBytes, (offset, bytes) -> {
      crc.update(bytes);
      out.add(base(task).setData(DataChunk.newBuilder().setOffset(offset).setData(ByteString.copyFrom(bytes))).build());
    });
    out.add(base(task).setTrailer(UpdateTrailer.newBuilder().setCrc32C((int) crc.getValue())
        .putMetrics("train_loss", 1.0)).build());
    return out;
  }

  /** As {@link #messagesWithControl}, with the model's layout for the control tensors. */
  List<UpdateChunk> messagesWithControl(Task task, ModelLayout layout, float[] delta, float[] control,
      long numExamples, int chunkBytes) {
    return messagesWithControl(task, layout, delta, layout, control, numExamples, chunkBytes);
  }

  /** Sends the messages (then half-closes) and returns the receipt, or throws the server's status. */
  UploadReceipt send(List<UpdateChunk> messages) {
    CompletableFuture<UploadReceipt> result = new CompletableFuture<>();
    StreamObserver<UpdateChunk> out = async.withDeadlineAfter(60, TimeUnit.SECONDS).uploadUpdate(new StreamObserver<>() {
      @Override
      public void onNext(UploadReceipt v) {
        result.complete(v);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new AssertionError("completed without receipt"));
      }
    });
    for (UpdateChunk m : messages) {
      out.onNext(m);
    }
    out.onCompleted();
    try {
      return result.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends messages and then cancels the stream instead of half-closing it (a dropped client). */
  void sendAndCancel(List<UpdateChunk> messages) throws InterruptedException {
    CompletableFuture<Throwable> done = new CompletableFuture<>();
    var call = async.uploadUpdate(new StreamObserver<>() {
      @Override
      public void onNext(UploadReceipt v) {}

      @Override
      public void onError(Throwable t) {
        done.complete(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    for (UpdateChunk m : messages) {
      call.onNext(m);
    }
    Thread.sleep(100);
    call.onError(new RuntimeException("client gave up"));
  }
}
