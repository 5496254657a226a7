package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tributary.core.aggregate.robust.NormBound;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.strategy.Scaffold;
import io.tributary.core.strategy.StrategySpec;
import io.tributary.proto.convert.WireConversions;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateTrailer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * End-to-end tests of the strategies and aggregators a server config names, against a real server
 * on a loopback port, driven by hand-written fl.v1 messages ({@link RawClient}) so that headers can
 * carry any accumulation norm.
 */
class FederatedStrategiesTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:6-5-3", 6, 5, 3);
  private static final ModelLayout LAYOUT = NET.layout();
  private static final long SEED = 42;

  private static ServerConfig.Builder config(int clients, int minReports, Duration deadline) {
    return ServerConfig.builder().host("127.0.0.1").port(0).rounds(1).clientsPerRound(clients)
        .minReports(minReports).roundDeadline(deadline).model(NET).seed(SEED).uploadSlots(2);
  }

  /** A server and {@code n} checked-in clients, each holding its round-1 task. */
  private record Env(FlServer server, ManagedChannel channel, List<RawClient> clients, List<Task> tasks)
      implements AutoCloseable {
    static Env start(FlServer.Builder builder, int n) throws Exception {
      FlServer server = builder.build().start();
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      List<RawClient> clients = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        clients.add(new RawClient(channel, "client-" + k));
        clients.get(k).checkIn();
      }
      List<Task> tasks = new ArrayList<>();
      for (RawClient c : clients) {
        tasks.add(c.awaitTask());
      }
      return new Env(server, channel, clients, tasks);
    }

    void upload(int k, float[] delta, long numExamples, long localSteps, double accumulationNorm) {
      RawClient c = clients.get(k);
      c.send(c.messages(tasks.get(k), LAYOUT, delta, numExamples, localSteps, accumulationNorm, 64));
    }

    @Override
    public void close() {
      try {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while stopping the server", e);
      }
    }
  }

  private static float[] delta(int k) {
    return FederatedRoundTest.delta(k);
  }

  private static void assertRejected(Status.Code code, String messagePart, Runnable r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, r::run);
    assertEquals(code, e.getStatus().getCode(), "status of: " + e.getStatus());
    String d = String.valueOf(e.getStatus().getDescription());
    assertTrue(d.contains(messagePart), "'" + d + "' should mention '" + messagePart + "'");
  }

  // ---------------------------------------------------------------- fedprox

  @Test
  void fedprox_tasks_carryTheConfiguredProximalMu() throws Exception {
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).strategy("fedprox")
        .strategySetting("proximal-mu", 0.25).build();
    try (Env env = Env.start(FlServer.builder(config), 2)) {
      for (Task t : env.tasks()) {
        assertEquals("fedprox", t.getStrategy());
        assertTrue(t.getConfigMap().containsKey(TrainingKeys.PROXIMAL_MU.name()), t.getConfigMap().toString());
        assertEquals(0.25, t.getConfigMap().get(TrainingKeys.PROXIMAL_MU.name()).getDoubleValue());
      }
      env.upload(0, delta(0), 10, 1, 0);
      env.upload(1, delta(1), 30, 1, 0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      // The server side of FedProx is FedAvg's: the example-weighted mean.
      ModelWeights initial = NET.initialize(SEED);
      for (int i = 0; i < LAYOUT.totalElements(); i++) {
        assertEquals(initial.get(i) + (10 * delta(0)[i] + 30 * delta(1)[i]) / 40.0, env.server().globalModel().get(i),
            1e-6, "parameter " + i);
      }
    }
  }

  @Test
  void fedavg_tasks_carryNoProximalMu() throws Exception {
    try (Env env = Env.start(FlServer.builder(config(1, 1, Duration.ofSeconds(60)).build()), 1)) {
      assertFalse(env.tasks().get(0).getConfigMap().containsKey(TrainingKeys.PROXIMAL_MU.name()));
      assertEquals("fedavg", env.tasks().get(0).getStrategy());
    }
  }

  // ---------------------------------------------------------------- fednova

  /**
   * The FedNova model after clients 0 (n = 10, ‖a‖₁ = 2, Δ0) and 1 (n = 30, ‖a‖₁ = 4, Δ1), by hand:
   * p = (1/4, 3/4), τ_eff = 1/4·2 + 3/4·4 = 3.5, Σ p_i Δ_i/‖a_i‖₁ = Δ0/8 + 3·Δ1/16, so x_{t+1} = x_t
   * + 3.5·(Δ0/8 + 3·Δ1/16) = x_t + 0.4375·Δ0 + 0.65625·Δ1.
   */
  private static void assertFedNovaOfClientsZeroAndOne(ModelWeights result) {
    ModelWeights initial = NET.initialize(SEED);
    float[] d0 = delta(0);
    float[] d1 = delta(1);
    double fedAvgGap = 0;
    for (int i = 0; i < d0.length; i++) {
      assertEquals(initial.get(i) + 0.4375 * d0[i] + 0.65625 * d1[i], result.get(i), 1e-6, "parameter " + i);
      fedAvgGap = Math.max(fedAvgGap, Math.abs(result.get(i) - (initial.get(i) + 0.25 * d0[i] + 0.75 * d1[i])));
    }
    // Plain FedAvg would have moved by Δ0/4 + 3·Δ1/4: check that the test tells them apart.
    assertTrue(fedAvgGap > 1e-3, "FedNova and FedAvg differ by only " + fedAvgGap);
  }

  @Test
  void fednova_headerAccumulationNorms_modelIsHandComputedNormalizedAverage() throws Exception {
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).strategy("fednova").build();
    List<RoundSummary> summaries = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundCompleted(RoundSummary s) {
        summaries.add(s);
      }
    };
    try (Env env = Env.start(FlServer.builder(config).listener(listener), 2)) {
      assertEquals("fednova", env.tasks().get(0).getStrategy());
      // The local steps differ from the norms: the header's norm is what counts.
      env.upload(0, delta(0), 10, 7, 2.0);
      env.upload(1, delta(1), 30, 3, 4.0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      assertFedNovaOfClientsZeroAndOne(env.server().globalModel());
      RoundSummary s = summaries.get(0);
      assertEquals(2, s.accepted());
      assertEquals(40, s.totalWeight());
      // The norms are recorded as the clients' metric; their example-weighted mean is τ_eff.
      assertEquals(3.5, s.clientMetrics().get(FitResult.ACCUMULATION_NORM), 1e-12);
    }
  }

  @Test
  void fednova_noNormReported_localStepsStandForIt() throws Exception {
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).strategy("fednova").build();
    try (Env env = Env.start(FlServer.builder(config), 2)) {
      // accumulation_norm 0 (absent): the local steps 2 and 4 are the norms, so the result is the same.
      env.upload(0, delta(0), 10, 2, 0);
      env.upload(1, delta(1), 30, 4, 0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      assertFedNovaOfClientsZeroAndOne(env.server().globalModel());
    }
  }

  @Test
  void fednova_trailerMetricDisagreesWithHeader_headerWins() throws Exception {
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).strategy("fednova").build();
    try (Env env = Env.start(FlServer.builder(config), 2)) {
      env.upload(0, delta(0), 10, 7, 2.0);
      // A trailer metric claiming another norm must not change τ_eff away from what the fold used.
      RawClient c1 = env.clients().get(1);
      List<UpdateChunk> messages = new ArrayList<>(c1.messages(env.tasks().get(1), LAYOUT, delta(1), 30, 3, 4.0, 64));
      UpdateChunk trailer = messages.get(messages.size() - 1);
      messages.set(messages.size() - 1, trailer.toBuilder().setTrailer(UpdateTrailer.newBuilder(trailer.getTrailer())
          .putMetrics(FitResult.ACCUMULATION_NORM, 100.0)).build());
      c1.send(messages);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      assertFedNovaOfClientsZeroAndOne(env.server().globalModel());
    }
  }

  @Test
  void fednova_accumulationNormBelowOne_rejectedAndRoundCompletesWithTheOthers() throws Exception {
    ServerConfig config = config(3, 2, Duration.ofSeconds(2)).strategy("fednova").build();
    List<RoundSummary> summaries = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundCompleted(RoundSummary s) {
        summaries.add(s);
      }
    };
    try (Env env = Env.start(FlServer.builder(config).listener(listener), 3)) {
      assertRejected(Status.Code.INVALID_ARGUMENT, "accumulation norm",
          () -> env.upload(2, delta(2), 40, 1, 0.5));
      assertRejected(Status.Code.INVALID_ARGUMENT, "accumulation_norm must be finite",
          () -> env.upload(2, delta(2), 40, 1, -3));
      assertRejected(Status.Code.INVALID_ARGUMENT, "accumulation_norm must be finite",
          () -> env.upload(2, delta(2), 40, 1, Double.NaN));
      // No norm and no local steps: FedNova has nothing to normalise by.
      assertRejected(Status.Code.INVALID_ARGUMENT, "accumulation norm", () -> env.upload(2, delta(2), 40, 0, 0));
      env.upload(0, delta(0), 10, 7, 2.0);
      env.upload(1, delta(1), 30, 3, 4.0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete at the deadline with 2 of 3");
      assertEquals(0, env.server().coordinator().stagingInUse());
      RoundSummary s = summaries.get(0);
      assertEquals(2, s.accepted());
      assertEquals("client-2", s.failures().get(0).clientId());
      assertFedNovaOfClientsZeroAndOne(env.server().globalModel());
    }
  }

  // ---------------------------------------------------------------- scaffold

  /** A hand-chosen Δc_i for client k, unlike any delta. */
  private static float[] controlDelta(int k) {
    float[] d = new float[LAYOUT.totalElements()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.05 * (k + 1) * Math.cos(0.3 * i + k));
    }
    return d;
  }

  private static void awaitRoundsCompleted(FlServer server, int n) throws InterruptedException {
    for (int i = 0; i < 600 && server.history().size() < n; i++) {
      Thread.sleep(50);
    }
    assertEquals(n, server.history().size(), "rounds completed");
  }

  /** x_0 + η_g·(Δ0 + Δ1)/2 and c = (2/N)·(Δc0 + Δc1)/2: clients 0 and 1 only, by hand. */
  private static void assertScaffoldOfClientsZeroAndOne(ModelWeights model, float[] control, double serverLr,
      int totalClients) {
    ModelWeights initial = NET.initialize(SEED);
    for (int i = 0; i < LAYOUT.totalElements(); i++) {
      assertEquals(initial.get(i) + serverLr * (delta(0)[i] + delta(1)[i]) / 2, model.get(i), 1e-6,
          "parameter " + i);
      assertEquals(2.0 / totalClients * (controlDelta(0)[i] + controlDelta(1)[i]) / 2, control[i], 1e-6,
          "control " + i);
    }
  }

  @Test
  void scaffold_twoClients_controlAndModelAreHandComputedAndNextDownloadCarriesC() throws Exception {
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).rounds(2).strategy("scaffold")
        .serverLearningRate(0.5).totalClients(4).build();
    Scaffold scaffold = (Scaffold) FlServer.strategyFor(config);
    int n = LAYOUT.totalElements();
    try (Env env = Env.start(FlServer.builder(config).strategy(scaffold), 2)) {
      for (int k = 0; k < 2; k++) {
        Task t = env.tasks().get(k);
        assertEquals("scaffold", t.getStrategy());
        assertTrue(t.getControlVariates());
        assertEquals(LAYOUT.totalBytes(), t.getModelBytes(), "the task states the model's size alone");
        RawClient.Download d = env.clients().get(k).downloadWithHeader(t);
        assertEquals(2 * LAYOUT.totalBytes(), d.header().getTotalBytes());
        assertEquals(WireConversions.toWire(LAYOUT), d.header().getControlTensorsList());
        assertArrayEquals(d.sha256(), d.header().getSha256().toByteArray(), "SHA-256 of model and c");
        assertArrayEquals(NET.initialize(SEED).toArray(), Arrays.copyOf(d.values(), n));
        assertArrayEquals(new float[n], Arrays.copyOfRange(d.values(), n, 2 * n), "c starts at 0");
      }
      // Client 0's stream splits inside the control part, client 1's has a chunk across the boundary.
      env.clients().get(0).send(env.clients().get(0).messagesWithControl(env.tasks().get(0), LAYOUT, delta(0),
          controlDelta(0), 10, 4 * n));
      env.clients().get(1).send(env.clients().get(1).messagesWithControl(env.tasks().get(1), LAYOUT, delta(1),
          controlDelta(1), 30, 64));
      awaitRoundsCompleted(env.server(), 1);
      float[] c = scaffold.serverControl(n);
      assertScaffoldOfClientsZeroAndOne(env.server().globalModel(), c, 0.5, 4);

      // Round 2: the download carries the new model, then c, bit for bit.
      for (int k = 0; k < 2; k++) {
        Task t = env.clients().get(k).awaitTask();
        assertEquals(2, t.getRoundId());
        RawClient.Download d = env.clients().get(k).downloadWithHeader(t);
        assertArrayEquals(env.server().globalModel().toArray(), Arrays.copyOf(d.values(), n));
        assertArrayEquals(c, Arrays.copyOfRange(d.values(), n, 2 * n));
        assertArrayEquals(d.sha256(), d.header().getSha256().toByteArray());
        env.clients().get(k).send(env.clients().get(k).messagesWithControl(t, LAYOUT, new float[n], new float[n],
            10, 64));
      }
      assertTrue(env.server().awaitRounds(30_000), "round 2 should complete");
      assertArrayEquals(c, scaffold.serverControl(n), "zero Δc_i leave c as it was");
    }
  }

  @Test
  void scaffold_badOrMissingControlPart_rejectedAndRoundAsIfNeverSent() throws Exception {
    ServerConfig config = config(3, 2, Duration.ofSeconds(3)).strategy("scaffold").totalClients(3).build();
    Scaffold scaffold = (Scaffold) FlServer.strategyFor(config);
    int n = LAYOUT.totalElements();
    List<RoundSummary> summaries = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundCompleted(RoundSummary s) {
        summaries.add(s);
      }
    };
    try (Env env = Env.start(FlServer.builder(config).strategy(scaffold).listener(listener), 3)) {
      RawClient c2 = env.clients().get(2);
      Task t2 = env.tasks().get(2);
      float[] bad = controlDelta(2);
      bad[2] = Float.NaN;
      // The NaN sits in the chunk that straddles the delta and the control part (bytes 192..256).
      String tensor0 = LAYOUT.tensor(0).name();
      assertRejected(Status.Code.INVALID_ARGUMENT, "invalid control part (control variate delta): NaN value at "
          + tensor0 + "[2]", () -> c2.send(c2.messagesWithControl(t2, LAYOUT, delta(2), bad, 40, 64)));
      float[] huge = controlDelta(2);
      huge[n - 1] = 4096f;
      assertRejected(Status.Code.INVALID_ARGUMENT, "invalid control part (control variate delta): value 4096.0",
          () -> c2.send(c2.messagesWithControl(t2, LAYOUT, delta(2), huge, 40, 64)));
      // A NaN in the delta is named as the update's, not the control part's.
      float[] badDelta = delta(2);
      badDelta[1] = Float.NaN;
      assertRejected(Status.Code.INVALID_ARGUMENT, "invalid update: NaN value at " + tensor0 + "[1]",
          () -> c2.send(c2.messagesWithControl(t2, LAYOUT, badDelta, controlDelta(2), 40, 64)));
      assertRejected(Status.Code.INVALID_ARGUMENT, "missing control part: strategy scaffold",
          () -> c2.send(c2.messages(t2, LAYOUT, delta(2), 40, 64)));
      ModelLayout other = DenseNetwork.of("mlp:6-4-3", 6, 4, 3).layout();
      assertRejected(Status.Code.INVALID_ARGUMENT, "wrong control part shape",
          () -> c2.send(c2.messagesWithControl(t2, LAYOUT, delta(2), other, new float[other.totalElements()], 40,
              64)));
      // Declaring the control tensors but sending only the delta's bytes.
      List<UpdateChunk> short1 = new ArrayList<>(c2.messages(t2, LAYOUT, delta(2), 40, 64));
      short1.set(0, short1.get(0).toBuilder().setHeader(short1.get(0).getHeader().toBuilder()
          .addAllControlTensors(WireConversions.toWire(LAYOUT))).build());
      assertRejected(Status.Code.INVALID_ARGUMENT, "the delta and the control part need " + 2 * LAYOUT.totalBytes(),
          () -> c2.send(short1));
      env.clients().get(0).send(env.clients().get(0).messagesWithControl(env.tasks().get(0), LAYOUT, delta(0),
          controlDelta(0), 10, 64));
      env.clients().get(1).send(env.clients().get(1).messagesWithControl(env.tasks().get(1), LAYOUT, delta(1),
          controlDelta(1), 30, 64));
      assertTrue(env.server().awaitRounds(30_000), "round should complete at the deadline with 2 of 3");
      assertEquals(0, env.server().coordinator().stagingInUse());
      assertEquals(2, summaries.get(0).accepted());
      assertEquals("client-2", summaries.get(0).failures().get(0).clientId());
      assertScaffoldOfClientsZeroAndOne(env.server().globalModel(), scaffold.serverControl(n), 1.0, 3);
    }
  }

  @Test
  void fedavg_uploadWithControlPart_rejectedAndTaskWithoutControlVariates() throws Exception {
    try (Env env = Env.start(FlServer.builder(config(1, 1, Duration.ofSeconds(60)).build()), 1)) {
      Task t = env.tasks().get(0);
      assertFalse(t.getControlVariates());
      RawClient c = env.clients().get(0);
      RawClient.Download d = c.downloadWithHeader(t);
      assertEquals(0, d.header().getControlTensorsCount());
      assertEquals(LAYOUT.totalBytes(), d.header().getTotalBytes());
      assertRejected(Status.Code.INVALID_ARGUMENT, "unexpected control part: strategy fedavg",
          () -> c.send(c.messagesWithControl(t, LAYOUT, delta(0), controlDelta(0), 10, 64)));
      env.upload(0, delta(0), 10, 1, 0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      ModelWeights initial = NET.initialize(SEED);
      for (int i = 0; i < LAYOUT.totalElements(); i++) {
        assertEquals(initial.get(i) + delta(0)[i], env.server().globalModel().get(i), 1e-6, "parameter " + i);
      }
    }
  }

  // ---------------------------------------------------------------- robust aggregators

  @Test
  void median_hugeOutlier_modelMovesByCoordinateMedianNotMean() throws Exception {
    ServerConfig config = config(3, 3, Duration.ofSeconds(60)).strategySetting("aggregator", "median").build();
    List<RoundSummary> summaries = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundCompleted(RoundSummary s) {
        summaries.add(s);
      }
    };
    float[] outlier = new float[LAYOUT.totalElements()];
    Arrays.fill(outlier, 500f);
    try (Env env = Env.start(FlServer.builder(config).listener(listener), 3)) {
      // Rejected uploads of another outlier leave no trace in the round's updates: a corrupted one
      // (checksum) and, after client 0's update was accepted, a replay of it.
      RawClient c2 = env.clients().get(2);
      float[] negative = new float[LAYOUT.totalElements()];
      Arrays.fill(negative, -500f);
      List<UpdateChunk> corrupt = new ArrayList<>(c2.messages(env.tasks().get(2), LAYOUT, negative, 40, 64));
      UpdateChunk trailer = corrupt.get(corrupt.size() - 1);
      corrupt.set(corrupt.size() - 1, trailer.toBuilder().setTrailer(UpdateTrailer.newBuilder()
          .setCrc32C(trailer.getTrailer().getCrc32C() ^ 1)).build());
      assertRejected(Status.Code.DATA_LOSS, "checksum mismatch", () -> c2.send(corrupt));
      env.upload(0, delta(0), 10, 1, 0);
      assertRejected(Status.Code.ALREADY_EXISTS, "already accepted", () -> env.upload(0, negative, 10, 1, 0));
      env.upload(1, delta(1), 25, 1, 0);
      env.upload(2, outlier, 40, 1, 0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      // By hand: the median of {Δ0_i, Δ1_i, 500} is max(Δ0_i, Δ1_i) in every coordinate; the mean
      // would have moved every parameter by more than 250.
      ModelWeights initial = NET.initialize(SEED);
      float[] d0 = delta(0);
      float[] d1 = delta(1);
      ModelWeights result = env.server().globalModel();
      for (int i = 0; i < d0.length; i++) {
        assertEquals(initial.get(i) + Math.max(d0[i], d1[i]), result.get(i), 0f, "parameter " + i);
        assertTrue(Math.abs(result.get(i) - initial.get(i)) < 0.1, "parameter " + i + " moved too far");
      }
      assertEquals(75, summaries.get(0).totalWeight());
      assertEquals(3, summaries.get(0).accepted());
    }
  }

  @Test
  void krum_fewerUpdatesThanTwoFPlusThree_roundFailsAndModelUnchanged() throws Exception {
    // The config's cohort check cannot see a strategy set in code, so Krum meets a round it cannot
    // aggregate: the round must fail like one without quorum, leaving the model as it was.
    ServerConfig config = config(2, 2, Duration.ofSeconds(60)).maxRoundAttempts(1).build();
    StrategySpec krum = StrategySpec.builder().aggregator("krum").krumF(1).build();
    List<String> failures = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundFailed(long round, int attempt, String reason) {
        failures.add(round + "/" + attempt + ": " + reason);
      }
    };
    FlServer.Builder builder = FlServer.builder(config).listener(listener)
        .strategy(krum.create(0.05, 1, 10, SEED, 2));
    try (Env env = Env.start(builder, 2)) {
      env.upload(0, delta(0), 10, 1, 0);
      env.upload(1, delta(1), 25, 1, 0);
      assertFalse(env.server().awaitRounds(30_000), "the server gives up after max-round-attempts");
      assertEquals(io.tributary.server.internal.RoundCoordinator.Phase.FINISHED, env.server().coordinator().phase());
      assertEquals(1, failures.size(), failures.toString());
      assertTrue(failures.get(0).startsWith("1/1: aggregator krum refused the round's 2 updates"), failures.get(0));
      assertTrue(failures.get(0).contains("2f + 3"), failures.get(0));
      assertEquals(NET.initialize(SEED), env.server().globalModel());
      assertEquals(0, env.server().coordinator().modelVersion());
      assertTrue(env.server().history().isEmpty());
    }
  }

  // ---------------------------------------------------------------- clipping

  @Test
  void clipNorm_largeUpdate_clippedBeforeAggregation() throws Exception {
    double bound = 0.01;
    float[] d = delta(2);
    assertTrue(NormBound.l2Norm(d) > 10 * bound);
    ServerConfig config = config(1, 1, Duration.ofSeconds(60)).clipNorm(bound).build();
    try (Env env = Env.start(FlServer.builder(config), 1)) {
      env.upload(0, d, 40, 1, 0);
      assertTrue(env.server().awaitRounds(30_000), "round should complete");
      ModelWeights initial = NET.initialize(SEED);
      float[] clipped = NormBound.bound(d, bound);
      float[] moved = env.server().globalModel().minus(initial);
      for (int i = 0; i < d.length; i++) {
        assertEquals(clipped[i], moved[i], 1e-6, "parameter " + i);
      }
      assertEquals(bound, NormBound.l2Norm(moved), 1e-5);
    }
  }
}
