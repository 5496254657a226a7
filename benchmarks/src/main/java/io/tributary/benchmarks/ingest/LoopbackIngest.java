package io.tributary.benchmarks.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tributary.benchmarks.HeapPeaks;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.proto.convert.WireConversions;
import io.tributary.proto.v1.CheckInRequest;
import io.tributary.proto.v1.CheckInResponse;
import io.tributary.proto.v1.DataChunk;
import io.tributary.proto.v1.FederatedLearningGrpc;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateEncoding;
import io.tributary.proto.v1.UpdateHeader;
import io.tributary.proto.v1.UpdateTrailer;
import io.tributary.proto.v1.UploadReceipt;
import io.tributary.server.FlServer;
import io.tributary.server.RoundSummary;
import io.tributary.server.ServerConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * The whole server ingest path, measured end to end: K clients upload D-parameter updates over
 * loopback gRPC to a real {@link FlServer}, which parses the protobuf chunks, stages and validates
 * them, checks their CRC-32C and folds them into the round's accumulator.
 *
 * <p>Clients and server share this JVM and its cores, so the figure is a lower bound on what a
 * server alone ingests. Run: {@code ./fl bench ingest [--clients K] [--parameters D] [--senders T]}.
 */
public final class LoopbackIngest {
  private LoopbackIngest() {}

  public static void main(String[] args) throws Exception {
    int clients = 20;
    int parameters = 10_000_000;
    int senders = 2;
    int slots = 2;
    int chunkBytes = TensorCodec.MAX_CHUNK_BYTES;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--parameters" -> parameters = Integer.parseInt(args[++i]);
        case "--senders" -> senders = Integer.parseInt(args[++i]);
        case "--upload-slots" -> slots = Integer.parseInt(args[++i]);
        case "--chunk-bytes" -> chunkBytes = Integer.parseInt(args[++i]);
        case "-h", "--help" -> {
          System.out.println("usage: LoopbackIngest [--clients K] [--parameters D] [--senders T] [--upload-slots S] [--chunk-bytes B]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    // A one-layer network of about D parameters: inputs x 1000 + 1000.
    int inputs = Math.max(1, (parameters - 1000) / 1000);
    DenseNetwork net = DenseNetwork.of("mlp:" + inputs + "-1000", inputs, 1000);
    ModelLayout layout = net.layout();
    long d = layout.totalElements();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).rounds(1).clientsPerRound(clients)
        .roundDeadline(Duration.ofMinutes(10)).model(net).uploadSlots(slots).seed(1).build();
    List<List<ByteString>> pool = new ArrayList<>();
    List<Integer> crcs = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(7);
    for (int p = 0; p < 3; p++) {
      byte[] wire = new byte[Math.toIntExact(4 * d)];
      for (int i = 0; i < d; i++) {
        TensorCodec.putFloat(wire, 4 * i, (float) (0.01 * rng.nextGaussian()));
      }
      List<ByteString> chunks = new ArrayList<>();
      for (int off = 0; off < wire.length; off += chunkBytes) {
        chunks.add(UnsafeByteOperations.unsafeWrap(wire, off, Math.min(chunkBytes, wire.length - off)));
      }
      CRC32C crc = new CRC32C();
      crc.update(wire);
      pool.add(chunks);
      crcs.add((int) crc.getValue());
    }
    System.gc();
    long heapBefore = usedHeap();
    HeapPeaks.reset();
    try (FlServer server = FlServer.builder(config).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
          .maxInboundMessageSize(4 << 20).build();
      FederatedLearningGrpc.FederatedLearningBlockingStub blocking = FederatedLearningGrpc.newBlockingStub(channel);
      List<Task> tasks = new ArrayList<>();
      for (int k = 0; k < clients; k++) {
        checkIn(blocking, "c" + k);
      }
      for (int k = 0; k < clients; k++) {
        tasks.add(awaitTask(blocking, "c" + k));
      }
      ExecutorService pool2 = Executors.newFixedThreadPool(senders);
      AtomicInteger next = new AtomicInteger();
      long start = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      final int total = clients;
      // One connection per sender thread, as separate client machines would have.
      List<ManagedChannel> senderChannels = new ArrayList<>();
      for (int t = 0; t < senders; t++) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        senderChannels.add(ch);
        FederatedLearningGrpc.FederatedLearningStub stub = FederatedLearningGrpc.newStub(ch);
        futures.add(pool2.submit(() -> {
          for (int k; (k = next.getAndIncrement()) < total; ) {
            upload(stub, "c" + k, tasks.get(k), layout, pool.get(k % 3), crcs.get(k % 3));
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      if (!server.awaitRounds(600_000)) {
        throw new IllegalStateException("the round did not complete");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      pool2.shutdown();
      for (ManagedChannel ch : senderChannels) {
        ch.shutdownNow();
      }
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      RoundSummary s = server.history().get(0);
      double wireBytes = 4.0 * d * clients;
      System.out.printf(Locale.ROOT, "loopback ingest: %d clients x %,d parameters (%.0f MB each), %d sender threads (one connection each), "
              + "%d upload slots, %d-byte chunks, %d cores%n", clients, d, 4.0 * d / 1e6, senders, slots, chunkBytes,
          Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "  accepted %d of %d; %.2f s from first upload to aggregated model%n",
          s.accepted(), s.selected(), seconds);
      System.out.printf(Locale.ROOT, "  ingest rate: %.2f GB/s of update bytes (%.1f updates/s)%n",
          wireBytes / seconds / 1e9, clients / seconds);
      System.out.printf(Locale.ROOT, "  heap: %.0f MiB in use before the server, peak %.0f MiB during the run "
              + "(pool of 3 client updates %.0f MiB + accumulator %.0f MiB + %d staging buffers %.0f MiB + gRPC buffers)%n",
          heapBefore / 1048576.0, HeapPeaks.peakBytes() / 1048576.0, 3 * 4.0 * d / 1048576, 8.0 * d / 1048576, slots,
          slots * 4.0 * d / 1048576);
      System.out.printf(Locale.ROOT, "  (for contrast, the issue quotes ~0.2 GB/s for Flower's decode-and-aggregate path)%n");
    }
  }

  private static CheckInResponse checkIn(FederatedLearningGrpc.FederatedLearningBlockingStub stub, String id) {
    return stub.checkIn(CheckInRequest.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setClientId(id).build());
  }

  private static Task awaitTask(FederatedLearningGrpc.FederatedLearningBlockingStub stub, String id)
      throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      CheckInResponse r = checkIn(stub, id);
      if (r.hasTask()) {
        return r.getTask();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(id + " got no task");
  }

  private static void upload(FederatedLearningGrpc.FederatedLearningStub stub, String id, Task task,
      ModelLayout layout, List<ByteString> chunks, int crc) throws Exception {
    CompletableFuture<UploadReceipt> receipt = new CompletableFuture<>();
    StreamObserver<UpdateChunk> out = stub.uploadUpdate(new StreamObserver<>() {
      @Override
      public void onNext(UploadReceipt v) {
        receipt.complete(v);
      }

      @Override
      public void onError(Throwable t) {
        receipt.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    UpdateChunk.Builder base = UpdateChunk.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(task.getRoundId()).setTaskId(task.getTaskId());
    out.onNext(base.clone().setHeader(UpdateHeader.newBuilder().setClientId(id).setModelVersion(task.getModelVersion())
        .addAllTensors(WireConversions.toWire(layout)).setTotalBytes(layout.totalBytes())
        .setEncoding(UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA).setNumExamples(100).setLocalSteps(10)).build());
    long offset = 0;
    for (ByteString c : chunks) {
      out.onNext(base.clone().setData(DataChunk.newBuilder().setOffset(offset).setData(c)).build());
      offset += c.size();
    }
    out.onNext(base.clone().setTrailer(UpdateTrailer.newBuilder().setCrc32C(crc)).build());
    out.onCompleted();
    receipt.get(10, TimeUnit.MINUTES);
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
