package io.tributary.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggClient;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.proto.convert.SecAggWire;
import io.tributary.proto.v1.CheckInRequest;
import io.tributary.proto.v1.CheckInResponse;
import io.tributary.proto.v1.FederatedLearningGrpc;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.SecAggEncryptedShares;
import io.tributary.proto.v1.SecAggKeyAdvertisement;
import io.tributary.proto.v1.SecAggMaskedInputChunk;
import io.tributary.proto.v1.SecAggMessage;
import io.tributary.proto.v1.SecAggReply;
import io.tributary.proto.v1.SecAggStage;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import io.tributary.proto.v1.UpdateHeader;
import io.tributary.proto.v1.UploadReceipt;
import io.tributary.server.FlServer;
import io.tributary.server.RoundListener;
import io.tributary.server.ServerConfig;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Secure aggregation (SecAgg+) in real server rounds: a real {@link FlServer} and real {@link
 * FlClient}s over loopback gRPC, with scripted trainers, so that the new global model can be checked
 * against plain FedAvg of the same deltas within the quantization step 2c/(L − 1).
 */
class SecureAggregationEndToEndTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:20-16-3", 20, 16, 3);
  private static final int N = NET.layout().totalElements();

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static float[] delta(int id, long round) {
    float[] d = new float[N];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.05 * (id + 1) * Math.sin(0.7 * i + id + 3 * round));
    }
    return d;
  }

  static long examples(int id) {
    return 10L * (id + 1);
  }

  /** A crash that may or may not happen: {@link #maybeCrash} throws when it does, returns otherwise. */
  @FunctionalInterface
  interface ConditionalCrash extends Runnable {
    void maybeCrash();

    @Override
    default void run() {
      maybeCrash();
    }
  }

  /** A trainer returning {@link #delta}; a {@code crash} runnable runs instead for a crashing client. */
  static final class ScriptedTrainer implements Trainer {
    final int id;
    final Runnable crash;

    ScriptedTrainer(int id, Runnable crash) {
      this.id = id;
      this.crash = crash;
    }

    @Override
    public ModelLayout layout() {
      return NET.layout();
    }

    @Override
    public FitResult fit(ModelWeights global, FitInstructions instructions) {
      if (crash instanceof ConditionalCrash c) {
        c.maybeCrash();
      } else if (crash != null) {
        crash.run();
        throw new IllegalStateException("client " + id + " crashed after sending its shares");
      }
      return new FitResult(delta(id, instructions.round()), examples(id), 3,
          Map.of(FitResult.TRAIN_LOSS, 1.0, FitResult.ACCUMULATION_NORM, norm(id)));
    }

    @Override
    public EvaluateResult evaluate(ModelWeights weights) {
      throw new UnsupportedOperationException();
    }
  }

  private static ServerConfig.Builder config(int port, int clients) {
    return ServerConfig.builder().host("127.0.0.1").port(port).clientsPerRound(clients).model(NET).seed(11)
        .roundDeadline(Duration.ofSeconds(20)).secureAggregation(true).secAggStageTimeout(Duration.ofSeconds(10));
  }

  /** The FedAvg model after the rounds, by hand in double: x0 + Σ_rounds Σ w_k Δ_k / Σ w_k. */
  private static double[] fedAvg(ModelWeights x0, List<Integer> contributors, long rounds) {
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = x0.get(i);
    }
    for (long r = 1; r <= rounds; r++) {
      double total = 0;
      double[] sum = new double[N];
      for (int k : contributors) {
        float[] d = delta(k, r);
        total += examples(k);
        for (int i = 0; i < N; i++) {
          sum[i] += examples(k) * d[i];
        }
      }
      for (int i = 0; i < N; i++) {
        x[i] += sum[i] / total;
      }
    }
    return x;
  }

  /**
   * Client k's FedNova accumulation norm ‖a_k‖₁ (FedAvg ignores it): smallest for the heaviest clients,
   * whose updates are also the largest, so FedNova and FedAvg land far apart.
   */
  private static double norm(int k) {
    return 5.5 - k;
  }

  /** The FedNova model by hand: x0 + Σ_rounds τ_eff · Σ w_k Δ_k/‖a_k‖₁ / Σ w_k, τ_eff = Σ w_k‖a_k‖₁ / Σ w_k. */
  private static double[] fedNova(ModelWeights x0, List<Integer> contributors, long rounds) {
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = x0.get(i);
    }
    for (long r = 1; r <= rounds; r++) {
      double total = 0;
      double tau = 0;
      double[] sum = new double[N];
      for (int k : contributors) {
        float[] d = delta(k, r);
        total += examples(k);
        tau += examples(k) * norm(k);
        for (int i = 0; i < N; i++) {
          sum[i] += examples(k) * d[i] / norm(k);
        }
      }
      for (int i = 0; i < N; i++) {
        x[i] += tau / total * sum[i] / total;
      }
    }
    return x;
  }

  /** Clients on their own channels (so a test can cut one off) and threads. */
  private static final class Cohort implements AutoCloseable {
    final List<ManagedChannel> channels = new ArrayList<>();
    final List<FlClient> clients = new ArrayList<>();
    final List<CompletableFuture<FlClient.Outcome>> outcomes = new ArrayList<>();

    Cohort(int port, int size, java.util.Set<Integer> crashing) {
      this(port, size, crashing, null, null);
    }

    /**
     * @param crashFirst when not null, each client also crashes at its first fit while this budget lasts
     *     (the first clients to train, whoever they are), recording its id in {@code crashed}
     */
    Cohort(int port, int size, java.util.Set<Integer> crashing, java.util.concurrent.atomic.AtomicInteger crashFirst,
        java.util.Set<Integer> crashed) {
      for (int k = 0; k < size; k++) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget("127.0.0.1:" + port).usePlaintext().build();
        channels.add(channel);
        int id = k;
        Runnable crash = crashing.contains(k) ? channel::shutdownNow : null;
        if (crashFirst != null) {
          java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
          crash = (ConditionalCrash) () -> {
            if (!decided.getAndSet(true) && crashFirst.getAndDecrement() > 0) {
              crashed.add(id);
              channel.shutdownNow();
              throw new IllegalStateException("client " + id + " crashed after sending its shares");
            }
          };
        }
        clients.add(FlClient.builder().channel(channel).clientId("sa" + k).trainer(new ScriptedTrainer(k, crash))
            .secureAggregation(true).initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
            .maxUnavailable(Duration.ofSeconds(5)).build());
      }
      for (FlClient c : clients) {
        CompletableFuture<FlClient.Outcome> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
          try {
            f.complete(c.run());
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        }, "client-" + c.clientId());
        t.setDaemon(true);
        t.start();
        outcomes.add(f);
      }
    }

    @Override
    public void close() throws InterruptedException {
      for (FlClient c : clients) {
        c.close();
      }
      for (ManagedChannel ch : channels) {
        ch.shutdownNow();
        ch.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static double step(ServerConfig config) {
    Quantizer q = config.secAggQuantizer();
    return 2 * q.clipRange() / (q.levels() - 1);
  }

  @Test
  void secureRounds_fiveClients_modelIsFedAvgWithinQuantizationStepAndNoUpdateSeen() throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 5).rounds(2).build();
    try (FlServer server = FlServer.builder(config).build().start();
        Cohort cohort = new Cohort(port, 5, java.util.Set.of())) {
      assertTrue(server.awaitRounds(120_000), "rounds should complete");
      for (CompletableFuture<FlClient.Outcome> f : cohort.outcomes) {
        assertEquals(2, f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      double[] expected = fedAvg(NET.initialize(11), List.of(0, 1, 2, 3, 4), 2);
      double tolerance = 2 * step(config) + 1e-6;
      for (int i = 0; i < N; i++) {
        assertEquals(expected[i], server.globalModel().get(i), tolerance, "parameter " + i);
      }
      assertEquals(0, server.coordinator().plainUpdatesFolded(), "no update reached the server in the clear");
      assertEquals(2, server.history().size());
      assertEquals(5, server.history().get(0).accepted());
      assertEquals(10 + 20 + 30 + 40 + 50, server.history().get(0).totalWeight());
    }
  }

  @Test
  void secureFedNova_tauEffMaskedBesideTheUpdate_modelIsFedNovaWithinQuantization() throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 4).rounds(2).strategy("fednova").build();
    try (FlServer server = FlServer.builder(config).build().start();
        Cohort cohort = new Cohort(port, 4, java.util.Set.of())) {
      assertTrue(server.awaitRounds(120_000), "rounds should complete");
      double[] nova = fedNova(NET.initialize(11), List.of(0, 1, 2, 3), 2);
      double[] avg = fedAvg(NET.initialize(11), List.of(0, 1, 2, 3), 2);
      // τ_eff ≤ 5.5 multiplies the quantization error (≤ one step) of the normalised mean, over two rounds.
      double tolerance = 2 * 5.5 * step(config) + 1e-6;
      double apart = 0;
      for (int i = 0; i < N; i++) {
        assertEquals(nova[i], server.globalModel().get(i), tolerance, "parameter " + i);
        apart = Math.max(apart, Math.abs(nova[i] - avg[i]));
      }
      assertTrue(apart > 10 * tolerance, "FedNova and FedAvg must differ here: " + apart + ", tolerance " + tolerance);
      assertEquals(0, server.coordinator().plainUpdatesFolded(), "no update reached the server in the clear");
    }
  }

  @Test
  void secureRound_oneClientKilledAfterShareKeys_roundCompletesWithSurvivorsSum() throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 5).rounds(1).minReports(4).roundDeadline(Duration.ofSeconds(6))
        .secAggStageTimeout(Duration.ofSeconds(6)).build();
    try (FlServer server = FlServer.builder(config).build().start();
        Cohort cohort = new Cohort(port, 5, java.util.Set.of(4))) {
      assertTrue(server.awaitRounds(120_000), "the round should complete without client 4");
      ExecutionException crashed = assertThrows(ExecutionException.class,
          () -> cohort.outcomes.get(4).get(30, TimeUnit.SECONDS));
      assertTrue(crashed.getCause().getMessage().contains("crashed"), crashed.getCause().toString());
      double[] expected = fedAvg(NET.initialize(11), List.of(0, 1, 2, 3), 1);
      for (int i = 0; i < N; i++) {
        assertEquals(expected[i], server.globalModel().get(i), step(config) + 1e-6, "parameter " + i);
      }
      assertEquals(4, server.history().get(0).accepted());
      assertEquals(1, server.history().get(0).failures().size());
      assertEquals(0, server.coordinator().plainUpdatesFolded());
    }
  }

  @Test
  void secureRound_failsClosedThenRetried_secondAttemptSucceedsWithTheLiveClients() throws Exception {
    int port = freePort();
    // 8 clients, 5 a round (t = 3): the first 3 that train in attempt 1 crash after sending their shares,
    // so attempt 1 fails closed; attempt 2 takes only clients heard from since, and succeeds.
    ServerConfig config = config(port, 5).rounds(1).minReports(3).maxRoundAttempts(2)
        .roundDeadline(Duration.ofSeconds(5)).secAggStageTimeout(Duration.ofSeconds(5)).build();
    List<String> failures = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundFailed(long round, int attempt, String reason) {
        failures.add(reason);
      }
    };
    java.util.Set<Integer> crashed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (FlServer server = FlServer.builder(config).listener(listener).build().start();
        Cohort cohort = new Cohort(port, 8, java.util.Set.of(), new java.util.concurrent.atomic.AtomicInteger(3),
            crashed)) {
      assertTrue(server.awaitRounds(180_000), "the retried round should complete");
      assertEquals(1, failures.size(), failures.toString());
      assertTrue(failures.get(0).contains("failed closed"), failures.get(0));
      assertEquals(3, crashed.size(), crashed.toString());
      List<Integer> alive = new ArrayList<>();
      for (int k = 0; k < 8; k++) {
        if (!crashed.contains(k)) {
          alive.add(k);
        }
      }
      assertEquals(5, server.history().get(0).accepted());
      double[] expected = fedAvg(NET.initialize(11), alive, 1);
      for (int i = 0; i < N; i++) {
        assertEquals(expected[i], server.globalModel().get(i), step(config) + 1e-6, "parameter " + i);
      }
      assertEquals(0, server.coordinator().plainUpdatesFolded());
    }
  }

  @Test
  void secureRound_tooManyKilled_failsClosedAndModelUnchanged() throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 5).rounds(1).minReports(3).maxRoundAttempts(1)
        .roundDeadline(Duration.ofSeconds(4)).secAggStageTimeout(Duration.ofSeconds(4)).build();
    List<String> failures = new CopyOnWriteArrayList<>();
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundFailed(long round, int attempt, String reason) {
        failures.add(reason);
      }
    };
    try (FlServer server = FlServer.builder(config).listener(listener).build().start();
        Cohort cohort = new Cohort(port, 5, java.util.Set.of(2, 3, 4))) {
      assertFalse(server.awaitRounds(120_000), "the round must fail closed");
      assertEquals(1, failures.size(), failures.toString());
      assertTrue(failures.get(0).contains("failed closed"), failures.get(0));
      ModelWeights x0 = NET.initialize(11);
      for (int i = 0; i < N; i++) {
        assertEquals(x0.get(i), server.globalModel().get(i), "parameter " + i + " must not move");
      }
      assertTrue(server.history().isEmpty());
    }
  }

  // ---------------------------------------------------------------- bad messages

  /** One cohort member driven by hand over raw stubs, to send forged and replayed messages. */
  private static final class RawParticipant {
    final String id = "raw";
    final SecAggCrypto.KeyPair identity = SecAggCrypto.ed25519(new SecureRandom());
    final FederatedLearningGrpc.FederatedLearningBlockingStub blocking;
    final FederatedLearningGrpc.FederatedLearningStub async;

    RawParticipant(ManagedChannel channel) {
      blocking = FederatedLearningGrpc.newBlockingStub(channel);
      async = FederatedLearningGrpc.newStub(channel);
    }

    CheckInResponse checkIn(byte[] key) {
      return blocking.checkIn(CheckInRequest.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
          .setClientId(id).setIdentityKey(ByteString.copyFrom(key)).build());
    }

    Task awaitTask() throws InterruptedException {
      while (true) {
        CheckInResponse r = checkIn(identity.publicKey());
        if (r.hasTask()) {
          return r.getTask();
        }
        Thread.sleep(50);
      }
    }

    static SecAggMessage.Builder message(Task task, String client, SecAggStage stage) {
      return SecAggMessage.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1).setClientId(client)
          .setRoundId(task.getRoundId()).setTaskId(task.getTaskId()).setStage(stage);
    }

    SecAggReply exchange(SecAggMessage... messages) {
      CompletableFuture<SecAggReply> reply = new CompletableFuture<>();
      StreamObserver<SecAggMessage> out = async.withDeadlineAfter(60, TimeUnit.SECONDS)
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
            public void onCompleted() {}
          });
      for (SecAggMessage m : messages) {
        out.onNext(m);
      }
      out.onCompleted();
      try {
        return reply.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw (StatusRuntimeException) e.getCause();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static void rejected(Status.Code code, String fragment, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(String.valueOf(e.getStatus().getDescription()).contains(fragment), e.getStatus().toString());
  }

  @Test
  void secureRound_forgedAndReplayedMessages_rejectedWithStatusAndRoundCompletes() throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 5).rounds(1).build();
    ManagedChannel channel = ManagedChannelBuilder.forTarget("127.0.0.1:" + port).usePlaintext().build();
    try (FlServer server = FlServer.builder(config).build().start()) {
      RawParticipant raw = new RawParticipant(channel);
      // Enrolment: no key refused on a secure server; the first key registers, another is refused.
      rejected(Status.Code.FAILED_PRECONDITION, "identity key", () -> raw.blocking.checkIn(CheckInRequest.newBuilder()
          .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1).setClientId("keyless").build()));
      raw.checkIn(raw.identity.publicKey());
      rejected(Status.Code.UNAUTHENTICATED, "another identity key",
          () -> raw.checkIn(SecAggCrypto.ed25519(new SecureRandom()).publicKey()));
      try (Cohort cohort = new Cohort(port, 4, java.util.Set.of())) {
        Task task = raw.awaitTask();
        assertTrue(task.hasSecureAggregation());
        RoundSetup setup = SecAggWire.fromWire(task.getSecureAggregation(), task.getRoundId());
        long round = task.getRoundId();
        // A plain upload is refused in a secure round.
        rejected(Status.Code.FAILED_PRECONDITION, "secure aggregation", () -> plainUpload(raw, task));
        // Unknown client.
        rejected(Status.Code.UNAUTHENTICATED, "unknown client", () -> raw.exchange(
            RawParticipant.message(task, "stranger", SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS).build()));
        SecAggClient secAgg = new SecAggClient(setup, raw.id, raw.identity.privateKey(), new SecureRandom());
        KeyAdvertisement mine = secAgg.advertiseKeys();
        // Forged: signed with a key that is not the registered identity.
        byte[] forgedSignature = SecAggCrypto.sign(SecAggCrypto.ed25519(new SecureRandom()).privateKey(),
            new byte[] {1, 2, 3});
        KeyAdvertisement forged = new KeyAdvertisement(round, raw.id, mine.encryptionKey(), mine.maskKey(),
            forgedSignature);
        rejected(Status.Code.INVALID_ARGUMENT, "not signed by its identity key", () -> raw.exchange(
            RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS)
                .setAdvertisement(SecAggWire.toWire(forged)).build()));
        // Another client's advertisement, sent under this client's task.
        KeyAdvertisement impostor = new KeyAdvertisement(round, "sa0", mine.encryptionKey(), mine.maskKey(),
            mine.signature());
        rejected(Status.Code.PERMISSION_DENIED, "sent by", () -> raw.exchange(
            RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS)
                .setAdvertisement(SecAggWire.toWire(impostor)).build()));
        // Wrong stage: shares before the keys stage closed.
        rejected(Status.Code.FAILED_PRECONDITION, "not share keys", () -> raw.exchange(
            RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_SHARE_KEYS)
                .setShares(SecAggEncryptedShares.getDefaultInstance()).build()));
        SecAggMessage advertisement = RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS)
            .setAdvertisement(SecAggWire.toWire(mine)).build();
        SecAggReply reply = raw.exchange(advertisement);
        List<KeyAdvertisement> neighbours = new ArrayList<>();
        for (SecAggKeyAdvertisement a : reply.getAdvertisements().getAdvertisementsList()) {
          neighbours.add(SecAggWire.fromWire(a, round));
        }
        // Replay of the advertisement once its stage closed.
        rejected(Status.Code.FAILED_PRECONDITION, "not advertise keys", () -> raw.exchange(advertisement));
        // Wrong round.
        rejected(Status.Code.FAILED_PRECONDITION, "stale round", () -> raw.exchange(advertisement.toBuilder()
            .setRoundId(round + 5).build()));
        EncryptedShares shares = secAgg.shareKeys(neighbours);
        reply = raw.exchange(RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_SHARE_KEYS)
            .setShares(SecAggEncryptedShares.newBuilder().addAllShares(SecAggWire.sharesToWire(shares.shares())))
            .build());
        List<io.tributary.crypto.secagg.SecAggMessages.EncryptedShare> inbox =
            SecAggWire.sharesFromWire(reply.getInbox().getSharesList());
        float[] d = delta(4, round);
        int[] encoded = setup.parameters().quantizer().encode(d, examples(4), new SplittableRandom(3));
        MaskedInput masked = secAgg.maskedInput(inbox, encoded);
        SecAggMessage maskedMessage = RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_MASKED_INPUT)
            .setMaskedInput(SecAggMaskedInputChunk.newBuilder().setOffset(0).setTotalBytes(4L * masked.values().length)
                .setData(ByteString.copyFrom(SecAggWire.toBytes(masked.values(), 0, masked.values().length))))
            .build();
        // A truncated masked input.
        rejected(Status.Code.INVALID_ARGUMENT, "declares", () -> raw.exchange(maskedMessage.toBuilder()
            .setMaskedInput(maskedMessage.getMaskedInput().toBuilder().setTotalBytes(8)).build()));
        reply = raw.exchange(maskedMessage);
        SurvivorSet survivors = new SurvivorSet(round, reply.getSurvivors().getSurvivorsList());
        assertEquals(5, survivors.survivors().size());
        ConsistencySignature signature = secAgg.consistencyCheck(survivors);
        // A signature over something else.
        rejected(Status.Code.INVALID_ARGUMENT, "does not verify", () -> raw.exchange(
            RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_CONSISTENCY_CHECK)
                .setConsistencySignature(ByteString.copyFrom(forgedSignature)).build()));
        reply = raw.exchange(RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_CONSISTENCY_CHECK)
            .setConsistencySignature(ByteString.copyFrom(signature.signature())).build());
        raw.exchange(RawParticipant.message(task, raw.id, SecAggStage.SEC_AGG_STAGE_UNMASKING)
            .setUnmask(SecAggWire.toWire(secAgg.unmask(SecAggWire.fromWire(reply.getUnmaskRequest(), round))))
            .build());
        assertTrue(server.awaitRounds(120_000), "the round completes despite the bad messages");
        // The raw participant sent client 4's scripted delta and weight: FedAvg of clients 0..4.
        double[] expected = fedAvg(NET.initialize(11), List.of(0, 1, 2, 3, 4), 1);
        for (int i = 0; i < N; i++) {
          assertEquals(expected[i], server.globalModel().get(i), step(config) + 1e-6, "parameter " + i);
        }
        assertEquals(5, server.history().get(0).accepted());
      }
    } finally {
      channel.shutdownNow();
    }
  }

  private static void plainUpload(RawParticipant raw, Task task) {
    CompletableFuture<UploadReceipt> receipt = new CompletableFuture<>();
    StreamObserver<UpdateChunk> out = raw.async.uploadUpdate(new StreamObserver<UploadReceipt>() {
      @Override
      public void onNext(UploadReceipt value) {
        receipt.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        receipt.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    out.onNext(UpdateChunk.newBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(task.getRoundId()).setTaskId(task.getTaskId())
        .setHeader(UpdateHeader.newBuilder().setClientId(raw.id).setModelVersion(task.getModelVersion())
            .addAllTensors(task.getTensorsList()).setTotalBytes(task.getModelBytes()).setNumExamples(1)
            .setEncoding(io.tributary.proto.v1.UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA))
        .build());
    out.onCompleted();
    try {
      receipt.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void builder_secureAggregation_presentsIdentityKey() throws Exception {
    FlClient plain = FlClient.builder().target("127.0.0.1:1").clientId("p").trainer(new ScriptedTrainer(0, null))
        .build();
    SecAggCrypto.KeyPair key = SecAggCrypto.ed25519(new SecureRandom());
    FlClient keyed = FlClient.builder().target("127.0.0.1:1").clientId("k").trainer(new ScriptedTrainer(0, null))
        .identityKey(key).build();
    try {
      assertTrue(plain.identityPublicKey().isEmpty(), "FedAvg check-ins carry no key");
      assertArrayEquals(key.publicKey(), keyed.identityPublicKey().orElseThrow());
    } finally {
      plain.close();
      keyed.close();
    }
  }

  // ---------------------------------------------------------------- client processes

  /**
   * Five client processes ({@link SecAggClientMain}); one is killed with {@code destroyForcibly()}
   * once it has sent its shares and started training. The round completes with the four survivors'
   * sum, unmasked with the shares the survivors hold of the dead client's mask key.
   */
  @Test
  void secureRound_clientProcessKilledAfterShares_roundCompletesWithSurvivors(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    int port = freePort();
    ServerConfig config = config(port, 5).rounds(1).minReports(4).roundDeadline(Duration.ofSeconds(10))
        .secAggStageTimeout(Duration.ofSeconds(60)).selectionTimeout(Duration.ofMinutes(2)).build();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String javaBinary = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    try (FlServer server = FlServer.builder(config).build().start()) {
      CompletableFuture<Void> killed = new CompletableFuture<>();
      for (int k = 0; k < 5; k++) {
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx256m", "-cp", classpath,
            SecAggClientMain.class.getName(), String.valueOf(port), String.valueOf(k)));
        if (k == 4) {
          command.add("hang");
        }
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("client-" + k + ".log").toFile()).start();
        processes.add(p);
        if (k == 4) {
          Thread watcher = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
              for (String line; (line = r.readLine()) != null; ) {
                if (line.equals("TRAINING")) {
                  p.destroyForcibly();
                  killed.complete(null);
                }
              }
            } catch (java.io.IOException e) {
              killed.completeExceptionally(e);
            }
          });
          watcher.setDaemon(true);
          watcher.start();
        }
      }
      assertTrue(server.awaitRounds(240_000), "the round should complete without the killed process");
      killed.get(10, TimeUnit.SECONDS);
      for (int k = 0; k < 4; k++) {
        Process p = processes.get(k);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client process " + k + " should finish");
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("DONE 1"), "client " + k + " printed: " + out);
      }
      double[] expected = fedAvg(NET.initialize(11), List.of(0, 1, 2, 3), 1);
      for (int i = 0; i < N; i++) {
        assertEquals(expected[i], server.globalModel().get(i), step(config) + 1e-6, "parameter " + i);
      }
      assertEquals(4, server.history().get(0).accepted());
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }
}
