package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tributary.core.aggregate.Aggregations;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.proto.v1.DataChunk;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateHeader;
import io.tributary.proto.v1.UpdateTrailer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * End-to-end round tests against a real server on a loopback port, driven by hand-written fl.v1
 * messages so that every kind of bad input can be sent.
 */
class FederatedRoundTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:6-5-3", 6, 5, 3);
  private static final ModelLayout LAYOUT = NET.layout();
  private static final long[] EXAMPLES = {10, 25, 40};

  static float[] delta(int k) {
    float[] d = new float[LAYOUT.totalElements()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.01 * (k + 1) * Math.sin(0.7 * i + k));
    }
    return d;
  }

  private static ServerConfig config(int clients, int minReports, Duration deadline) {
    return ServerConfig.builder().host("127.0.0.1").port(0).rounds(1).clientsPerRound(clients)
        .minReports(minReports).roundDeadline(deadline).model(NET).seed(42).uploadSlots(2).build();
  }

  /** Runs one round with three honest clients; {@code meddle} may send bad uploads in between. */
  private static ModelWeights runRound(int[] order, Consumer<Env> meddle) throws Exception {
    try (FlServer server = FlServer.builder(config(3, 3, Duration.ofSeconds(60))).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        List<RawClient> clients = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
          clients.add(new RawClient(channel, "client-" + k));
        }
        for (RawClient c : clients) {
          c.checkIn();
        }
        List<Task> tasks = new ArrayList<>();
        for (RawClient c : clients) {
          tasks.add(c.awaitTask());
        }
        Env env = new Env(server, channel, clients, tasks);
        meddle.accept(env);
        for (int i = 0; i < order.length; i++) {
          int k = order[i];
          clients.get(k).send(clients.get(k).messages(tasks.get(k), LAYOUT, delta(k), EXAMPLES[k], 64));
          if (i == 0) {
            meddle.accept(env.afterFirstUpload());
          }
        }
        assertTrue(server.awaitRounds(30_000), "round should complete");
        assertEquals(0, server.coordinator().stagingInUse(), "all staging buffers returned");
        return server.globalModel();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  record Env(FlServer server, ManagedChannel channel, List<RawClient> clients, List<Task> tasks, boolean after) {
    Env(FlServer server, ManagedChannel channel, List<RawClient> clients, List<Task> tasks) {
      this(server, channel, clients, tasks, false);
    }

    /** The state once the first client in the order has uploaded (the others have not). */
    Env afterFirstUpload() {
      return new Env(server, channel, clients, tasks, true);
    }
  }

  private static StatusRuntimeException rejected(Status.Code code, String messagePart, Runnable r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, r::run);
    assertEquals(code, e.getStatus().getCode(), "status of: " + e.getStatus());
    String d = String.valueOf(e.getStatus().getDescription());
    assertTrue(d.contains(messagePart), "'" + d + "' should mention '" + messagePart + "'");
    return e;
  }

  @Test
  void round_threeClients_modelIsWeightedMeanOfDeltas() throws Exception {
    ModelWeights result = runRound(new int[] {0, 1, 2}, env -> {});
    ModelWeights initial = NET.initialize(42);
    double[] mean = Aggregations.weightedMean(List.of(delta(0), delta(1), delta(2)), List.of(10, 25, 40));
    for (int i = 0; i < mean.length; i++) {
      assertEquals(initial.get(i) + mean[i], result.get(i), 1e-6, "parameter " + i);
    }
    assertNotEquals(initial, result);
  }

  @Test
  void round_uploadOrder_doesNotChangeModelBits() throws Exception {
    ModelWeights a = runRound(new int[] {0, 1, 2}, env -> {});
    ModelWeights b = runRound(new int[] {2, 0, 1}, env -> {});
    assertEquals(a, b, "aggregation must be order-independent bit for bit");
  }

  @Test
  void upload_badInputs_rejectedPreciselyAndLeaveNoTrace() throws Exception {
    ModelWeights clean = runRound(new int[] {0, 1, 2}, env -> {});
    List<String> checked = new ArrayList<>();
    ModelWeights attacked = runRound(new int[] {0, 1, 2}, env -> {
      RawClient c0 = env.clients().get(0);
      RawClient c1 = env.clients().get(1);
      Task t0 = env.tasks().get(0);
      Task t1 = env.tasks().get(1);
      if (env.after()) {
        // A duplicate of an accepted upload is refused and does not count twice (client 0 goes first).
        rejected(Status.Code.ALREADY_EXISTS, "already accepted",
            () -> c0.send(c0.messages(t0, LAYOUT, delta(0), EXAMPLES[0], 64)));
        checked.add("duplicate");
        return;
      }
      // Wrong shape: a tensor with other dimensions.
      ModelLayout wrong = ModelLayout.of(TensorSpec.of("dense_0/kernel", 6, 4), TensorSpec.of("dense_0/bias", 5),
          TensorSpec.of("dense_1/kernel", 5, 3), TensorSpec.of("dense_1/bias", 3));
      rejected(Status.Code.INVALID_ARGUMENT, "wrong update shape: tensor 0 is dense_0/kernel[6, 4]",
          () -> c0.send(List.of(c0.header(t0, wrong, 10))));
      // Wrong size: the declared byte count does not match the model.
      UpdateChunk h = c0.header(t0, LAYOUT, 10);
      rejected(Status.Code.INVALID_ARGUMENT, "declares 100 bytes",
          () -> c0.send(List.of(h.toBuilder().setHeader(h.getHeader().toBuilder().setTotalBytes(100)).build())));
      // Too many bytes in the data.
      List<UpdateChunk> longer = new ArrayList<>(c0.messages(t0, LAYOUT, delta(0), 10, 1 << 20));
      longer.add(2, c0.base(t0).setData(DataChunk.newBuilder().setOffset(LAYOUT.totalBytes())
          .setData(ByteString.copyFrom(new byte[8]))).build());
      rejected(Status.Code.INVALID_ARGUMENT, "longer than its declared", () -> c0.send(longer));
      // NaN and infinity.
      float[] nan = delta(0);
      nan[7] = Float.NaN;
      rejected(Status.Code.INVALID_ARGUMENT, "NaN value at dense_0/kernel[7]",
          () -> c0.send(c0.messages(t0, LAYOUT, nan, 10, 64)));
      float[] inf = delta(0);
      inf[LAYOUT.totalElements() - 1] = Float.NEGATIVE_INFINITY;
      rejected(Status.Code.INVALID_ARGUMENT, "infinite value at dense_1/bias[2]",
          () -> c0.send(c0.messages(t0, LAYOUT, inf, 10, 64)));
      float[] huge = delta(0);
      huge[3] = 1e6f;
      rejected(Status.Code.INVALID_ARGUMENT, "out of range", () -> c0.send(c0.messages(t0, LAYOUT, huge, 10, 64)));
      // A stale round id.
      rejected(Status.Code.FAILED_PRECONDITION, "stale round 7", () -> c0.send(
          c0.messages(t0.toBuilder().setRoundId(7).build(), LAYOUT, delta(0), 10, 64)));
      // A truncated stream: half the data, no trailer, then half-close.
      List<UpdateChunk> full = c0.messages(t0, LAYOUT, delta(0), 10, 64);
      rejected(Status.Code.INVALID_ARGUMENT, "upload truncated", () -> c0.send(full.subList(0, 2)));
      // Truncated data followed by a trailer.
      List<UpdateChunk> gap = new ArrayList<>(full);
      gap.remove(2);
      rejected(Status.Code.INVALID_ARGUMENT, "chunk at offset 128, expected 64", () -> c0.send(gap));
      List<UpdateChunk> noTail = new ArrayList<>(full.subList(0, 2));
      noTail.add(full.get(full.size() - 1));
      rejected(Status.Code.INVALID_ARGUMENT, "received 64 of 212 bytes", () -> c0.send(noTail));
      // A corrupted payload: the checksum in the trailer no longer matches.
      List<UpdateChunk> corrupt = new ArrayList<>(full);
      UpdateChunk tr = corrupt.get(corrupt.size() - 1);
      corrupt.set(corrupt.size() - 1, tr.toBuilder().setTrailer(UpdateTrailer.newBuilder()
          .setCrc32C(tr.getTrailer().getCrc32C() ^ 1)).build());
      rejected(Status.Code.DATA_LOSS, "checksum mismatch", () -> c0.send(corrupt));
      // A client that drops the connection mid-upload.
      try {
        c0.sendAndCancel(full.subList(0, 3));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      // An unknown client, a client using another's task, a wrong protocol version.
      RawClient stranger = new RawClient(env.channel(), "stranger");
      rejected(Status.Code.UNAUTHENTICATED, "unknown client 'stranger'",
          () -> stranger.send(stranger.messages(t0, LAYOUT, delta(0), 10, 64)));
      rejected(Status.Code.PERMISSION_DENIED, "belongs to another client",
          () -> c1.send(c1.messages(t0, LAYOUT, delta(1), 10, 64)));
      rejected(Status.Code.NOT_FOUND, "no task 'nope'",
          () -> c1.send(c1.messages(t1.toBuilder().setTaskId("nope").build(), LAYOUT, delta(1), 10, 64)));
      List<UpdateChunk> v2 = new ArrayList<>();
      for (UpdateChunk m : c1.messages(t1, LAYOUT, delta(1), 10, 64)) {
        v2.add(m.toBuilder().setProtocolVersionValue(2).build());
      }
      rejected(Status.Code.FAILED_PRECONDITION, "unsupported protocol version 2", () -> c1.send(v2));
      // Zero examples and a malformed client id.
      UpdateChunk h1 = c1.header(t1, LAYOUT, 10);
      rejected(Status.Code.INVALID_ARGUMENT, "num_examples must be positive",
          () -> c1.send(List.of(h1.toBuilder().setHeader(h1.getHeader().toBuilder().setNumExamples(0)).build())));
      rejected(Status.Code.INVALID_ARGUMENT, "client_id must be",
          () -> c1.send(List.of(h1.toBuilder().setHeader(UpdateHeader.newBuilder(h1.getHeader()).setClientId("bad id!")).build())));
      rejected(Status.Code.INVALID_ARGUMENT, "data before the header", () -> c1.send(full.subList(1, 2)));
      rejected(Status.Code.INVALID_ARGUMENT, "client_id must be", () -> new RawClient(env.channel(), "").checkIn());
      checked.add("before");
      assertEquals(0, env.server().coordinator().stagingInUse(), "rejected uploads give their buffers back");
    });
    assertEquals(List.of("before", "duplicate"), checked);
    assertEquals(clean, attacked, "bad uploads must leave the global model bit-identical");
  }

  @Test
  void round_clientMissesDeadline_completesWithQuorumAndRecordsFailure() throws Exception {
    try (FlServer server = FlServer.builder(config(3, 2, Duration.ofSeconds(2))).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        List<RawClient> clients = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
          clients.add(new RawClient(channel, "client-" + k));
          clients.get(k).checkIn();
        }
        for (int k = 0; k < 2; k++) {
          Task t = clients.get(k).awaitTask();
          assertArrayEquals(NET.initialize(42).toArray(), clients.get(k).download(t));
          clients.get(k).send(clients.get(k).messages(t, LAYOUT, delta(k), EXAMPLES[k], 1 << 20));
        }
        assertTrue(server.awaitRounds(30_000));
        RoundSummary s = server.history().get(0);
        assertEquals(2, s.accepted());
        assertEquals(1, s.failures().size());
        assertEquals("client-2", s.failures().get(0).clientId());
        assertEquals(35, s.totalWeight());
        assertEquals(1.0, s.trainLoss(), 1e-12);
        assertTrue(clients.get(2).checkIn().hasFinished(), "after the last round check-ins say finished");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void stages_transformAndReject_pipelineRunsBeforeFold() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    UpdateStage doubler = new UpdateStage() {
      @Override
      public String name() {
        return "doubler";
      }

      @Override
      public void process(Context context, byte[] update) throws io.tributary.core.aggregate.InvalidUpdateException {
        calls.incrementAndGet();
        if (context.clientId().equals("client-2")) {
          throw new io.tributary.core.aggregate.InvalidUpdateException("client-2 is not welcome");
        }
        if (context.clientId().equals("client-1") && context.numExamples() == 1) {
          TensorCodec.putFloat(update, 0, Float.NaN);
          return;
        }
        for (int off = 0; off < update.length; off += 4) {
          TensorCodec.putFloat(update, off, 2 * TensorCodec.getFloat(update, off));
        }
      }
    };
    try (FlServer server = FlServer.builder(config(3, 2, Duration.ofSeconds(3))).stage(doubler).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        List<RawClient> clients = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
          clients.add(new RawClient(channel, "client-" + k));
          clients.get(k).checkIn();
        }
        List<Task> tasks = new ArrayList<>();
        for (RawClient c : clients) {
          tasks.add(c.awaitTask());
        }
        rejected(Status.Code.INVALID_ARGUMENT, "rejected by stage 'doubler': client-2 is not welcome",
            () -> clients.get(2).send(clients.get(2).messages(tasks.get(2), LAYOUT, delta(2), 40, 64)));
        rejected(Status.Code.INVALID_ARGUMENT, "after the pipeline stages: NaN value at dense_0/kernel[0]",
            () -> clients.get(1).send(clients.get(1).messages(tasks.get(1), LAYOUT, delta(1), 1, 64)));
        for (int k = 0; k < 2; k++) {
          clients.get(k).send(clients.get(k).messages(tasks.get(k), LAYOUT, delta(k), EXAMPLES[k], 64));
        }
        assertTrue(server.awaitRounds(30_000));
        assertEquals(4, calls.get());
        ModelWeights initial = NET.initialize(42);
        double[] mean = Aggregations.weightedMean(List.of(delta(0), delta(1)), List.of(10, 25));
        for (int i = 0; i < mean.length; i++) {
          assertEquals(initial.get(i) + 2 * mean[i], server.globalModel().get(i), 1e-6, "parameter " + i);
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void download_unknownClientAndStaleRound_rejected() throws Exception {
    try (FlServer server = FlServer.builder(config(1, 1, Duration.ofSeconds(30))).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        RawClient c = new RawClient(channel, "only");
        c.checkIn();
        Task t = c.awaitTask();
        rejected(Status.Code.UNAUTHENTICATED, "unknown client 'ghost'",
            () -> new RawClient(channel, "ghost").download(t));
        rejected(Status.Code.FAILED_PRECONDITION, "stale round 3",
            () -> c.download(t.toBuilder().setRoundId(3).build()));
        float[] model = c.download(t);
        assertEquals(LAYOUT.totalElements(), model.length);
        assertArrayEquals(TensorCodec.toBytes(NET.initialize(42).toArray()), TensorCodec.toBytes(model));
        assertEquals(Map.of(), Map.of());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void checkIn_wrongProtocolVersion_failedPrecondition() throws Exception {
    try (FlServer server = FlServer.builder(config(1, 1, Duration.ofSeconds(30))).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        RawClient c = new RawClient(channel, "x");
        rejected(Status.Code.FAILED_PRECONDITION, "unsupported protocol version 0", () -> c.blocking.checkIn(
            io.tributary.proto.v1.CheckInRequest.newBuilder().setClientId("x").build()));
        assertEquals(ProtocolVersion.PROTOCOL_VERSION_1, c.checkIn().getProtocolVersion());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
