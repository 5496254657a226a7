package io.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.tributary.client.train.DenseTrainer;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.server.FlServer;
import io.tributary.server.RoundSummary;
import io.tributary.server.ServerConfig;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real server and real clients in one JVM, talking fl.v1 over loopback gRPC, training a real
 * dense network on generated data.
 */
class FlClientEndToEndTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:20-16-3", 20, 16, 3);
  private static final int CLIENTS = 4;
  private static final int PER_CLIENT = 150;

  /** Three Gaussian blobs in 20 dimensions: learnable, but not in one step. */
  record Data(float[] x, int[] labels) {
    static Data generate(int n, long seed) {
      SplittableRandom rng = new SplittableRandom(seed);
      float[][] centres = new float[3][20];
      SplittableRandom c = new SplittableRandom(7);
      for (float[] centre : centres) {
        for (int j = 0; j < 20; j++) {
          centre[j] = (float) c.nextGaussian() * 0.6f;
        }
      }
      float[] x = new float[n * 20];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = rng.nextInt(3);
        for (int j = 0; j < 20; j++) {
          x[i * 20 + j] = centres[y[i]][j] + (float) rng.nextGaussian();
        }
      }
      return new Data(x, y);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void run_fourClientsFiveRounds_globalLossFallsAndClientsFinish() throws Exception {
    Data train = Data.generate(CLIENTS * PER_CLIENT, 1);
    Data test = Data.generate(600, 2);
    int port = freePort();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(5).clientsPerRound(CLIENTS)
        .roundDeadline(Duration.ofSeconds(60)).model(NET).learningRate(0.05).batchSize(10).seed(3).build();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<FlClient.Outcome>> outcomes = new ArrayList<>();
    List<DenseTrainer> trainers = new ArrayList<>();
    // Clients start first: they must retry with backoff until the server is up.
    for (int k = 0; k < CLIENTS; k++) {
      int[] idx = new int[PER_CLIENT];
      for (int i = 0; i < PER_CLIENT; i++) {
        idx[i] = k * PER_CLIENT + i;
      }
      DenseTrainer trainer = DenseTrainer.builder().network(NET).trainingData(train.x(), train.labels(), idx)
          .evaluationData(train.x(), train.labels(), idx)
          .backend(k % 2 == 0 ? DenseTrainer.Backend.BLAS : DenseTrainer.Backend.JAVA).threads(1).build();
      trainers.add(trainer);
      FlClient client = FlClient.builder().target("127.0.0.1:" + port).clientId("c" + k).trainer(trainer)
          .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(400)).reportEvaluation(true).build();
      outcomes.add(pool.submit(() -> {
        try (client) {
          return client.run();
        }
      }));
    }
    Thread.sleep(500);
    List<RoundSummary> history;
    try (FlServer server = FlServer.builder(config)
        .evaluator(m -> NET.evaluate(m, test.x(), test.labels(), 600, 1)).build().start()) {
      assertTrue(server.awaitRounds(120_000), "rounds should complete");
      history = server.history();
      for (Future<FlClient.Outcome> f : outcomes) {
        FlClient.Outcome o = f.get(60, TimeUnit.SECONDS);
        assertEquals(5, o.tasksCompleted(), "every client trained in every round");
        assertEquals(5, o.finalModelVersion());
      }
    } finally {
      pool.shutdownNow();
      trainers.forEach(DenseTrainer::close);
    }
    assertEquals(5, history.size());
    double first = history.get(0).evalLoss();
    double last = history.get(4).evalLoss();
    assertTrue(last < 0.8 * first, "test loss should fall: " + first + " -> " + last);
    assertTrue(history.get(4).evalAccuracy() > 0.8, "accuracy " + history.get(4).evalAccuracy());
    for (RoundSummary s : history) {
      assertEquals(CLIENTS, s.accepted());
      assertEquals(CLIENTS * PER_CLIENT, s.totalWeight());
      assertTrue(s.trainLoss() > 0, "clients report their training loss");
      assertTrue(s.clientMetrics().containsKey("client_accuracy"), "clients report local evaluation");
    }
    assertTrue(history.get(4).trainLoss() < history.get(0).trainLoss());
  }

  /**
   * FedNova with a proximal term over real gRPC: two clients with 40 and 120 samples (τ = 4 and 12
   * steps at B = 10) report ‖a_i‖₁ = (1 − (1 − ημ)^τ)/(ημ) in their upload header, and the server's
   * model is x_0 + τ_eff·Σ p_i Δ_i/‖a_i‖₁ with τ_eff = Σ p_i ‖a_i‖₁ — computed here from the deltas
   * the clients sent.
   */
  @Test
  void fednova_proximalClients_serverUsesTheReportedAccumulationNorms() throws Exception {
    int port = freePort();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(1).clientsPerRound(2)
        .minReports(2).roundDeadline(Duration.ofSeconds(60)).model(NET).seed(5).learningRate(0.1)
        .strategySetting("strategy", "fednova").strategySetting("proximal-mu", 0.5).build();
    int[] sizes = {40, 120};
    java.util.Map<Integer, io.tributary.core.protocol.FitResult> sent = new java.util.concurrent.ConcurrentHashMap<>();
    List<FlClient> clients = new ArrayList<>();
    List<DenseTrainer> trainers = new ArrayList<>();
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Thread> threads = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        Data d = Data.generate(sizes[k], 20 + k);
        DenseTrainer trainer = DenseTrainer.builder().network(NET)
            .trainingData(d.x(), d.labels(), java.util.stream.IntStream.range(0, sizes[k]).toArray())
            .backend(DenseTrainer.Backend.JAVA).build();
        trainers.add(trainer);
        int id = k;
        FlClient client = FlClient.builder().target("127.0.0.1:" + port).clientId("n" + k).trainer(trainer)
            .mod((r, global, ins) -> {
              sent.put(id, new io.tributary.core.protocol.FitResult(r.delta().clone(), r.numExamples(),
                  r.localSteps(), r.metrics()));
              return r;
            }).build();
        clients.add(client);
        Thread t = new Thread(() -> {
          try {
            client.run();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        t.start();
        threads.add(t);
      }
      assertTrue(server.awaitRounds(60_000), "round should complete");
      for (Thread t : threads) {
        t.join(30_000);
      }
      double[] norms = new double[2];
      for (int k = 0; k < 2; k++) {
        io.tributary.core.protocol.FitResult r = sent.get(k);
        assertEquals(sizes[k] / 10, r.localSteps());
        norms[k] = io.tributary.core.strategy.AccumulationNorms.proximal(r.localSteps(), 0.1, 0.5);
        assertEquals(norms[k], r.accumulationNorm(), 1e-12, "the trainer reports the proximal closed form");
      }
      double p0 = 40 / 160.0;
      double p1 = 120 / 160.0;
      double tauEff = p0 * norms[0] + p1 * norms[1];
      ModelWeights x0 = NET.initialize(5);
      double gapToSteps = 0;
      for (int i = 0; i < x0.size(); i++) {
        double normalized = p0 * sent.get(0).delta()[i] / norms[0] + p1 * sent.get(1).delta()[i] / norms[1];
        assertEquals(x0.get(i) + tauEff * normalized, server.globalModel().get(i), 1e-5, "parameter " + i);
        double withSteps = (p0 * 4 + p1 * 12) * (p0 * sent.get(0).delta()[i] / 4 + p1 * sent.get(1).delta()[i] / 12);
        gapToSteps = Math.max(gapToSteps, Math.abs(x0.get(i) + withSteps - server.globalModel().get(i)));
      }
      assertTrue(gapToSteps > 1e-4, "taking local steps for the norms would give another model: " + gapToSteps);
    } finally {
      for (FlClient c : clients) {
        c.close();
      }
      trainers.forEach(DenseTrainer::close);
    }
  }

  // ---------------------------------------------------------------- scaffold

  /**
   * A trainer that returns a hand-chosen delta per round after {@code steps} steps and records the
   * gradient correction it was given.
   */
  private static final class ScriptedTrainer implements Trainer {
    final int id;
    final long steps;
    final java.util.Map<Long, float[]> corrections = new java.util.concurrent.ConcurrentHashMap<>();

    ScriptedTrainer(int id, long steps) {
      this.id = id;
      this.steps = steps;
    }

    static float[] delta(int id, long round) {
      float[] d = new float[NET.layout().totalElements()];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) (0.01 * (id + 1) * Math.sin(0.7 * i + id + 3 * round));
      }
      return d;
    }

    @Override
    public io.tributary.core.model.ModelLayout layout() {
      return NET.layout();
    }

    @Override
    public io.tributary.core.protocol.FitResult fit(ModelWeights global,
        io.tributary.core.protocol.FitInstructions instructions) {
      corrections.put(instructions.round(), instructions.hasGradientCorrection()
          ? instructions.gradientCorrection().clone() : null);
      return new io.tributary.core.protocol.FitResult(delta(id, instructions.round()), 10 * (id + 1), steps,
          java.util.Map.of(io.tributary.core.protocol.FitResult.TRAIN_LOSS, 1.0));
    }

    @Override
    public io.tributary.core.protocol.EvaluateResult evaluate(ModelWeights weights) {
      throw new UnsupportedOperationException();
    }
  }

  /** Runs each client on its own thread; the caller joins them. */
  private static List<Future<FlClient.Outcome>> runAll(ExecutorService pool, List<FlClient> clients) {
    List<Future<FlClient.Outcome>> out = new ArrayList<>();
    for (FlClient c : clients) {
      out.add(pool.submit(c::run));
    }
    return out;
  }

  /**
   * SCAFFOLD over real gRPC, by hand: two clients (K = 2 and 5 steps, η_l = 0.1) with scripted deltas
   * Δ_i(t), N = 4, η_g = 0.5. Round 1: c = 0, so each correction is 0 and Δc_i = −Δ_i(1)/(K_i·η_l) =
   * c_i; the server moves to c_1 = (2/4)·mean Δc_i and x_1 = x_0 + η_g·mean Δ_i(1). Round 2: each
   * trainer is given c_1 − c_i, and afterwards c_i = Δc_i(1) + Δc_i(2) with Δc_i(2) = −c_1 −
   * Δ_i(2)/(K_i·η_l), c_2 = c_1 + (2/4)·mean Δc_i(2).
   */
  @Test
  void scaffold_scriptedTrainers_correctionsAndServerStateMatchHandComputation() throws Exception {
    int port = freePort();
    double lr = 0.1;
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(2).clientsPerRound(2)
        .roundDeadline(Duration.ofSeconds(60)).model(NET).seed(9).learningRate(lr).strategy("scaffold")
        .serverLearningRate(0.5).totalClients(4).build();
    io.tributary.core.strategy.Scaffold scaffold = (io.tributary.core.strategy.Scaffold) FlServer.strategyFor(config);
    int n = NET.layout().totalElements();
    long[] steps = {2, 5};
    List<ScriptedTrainer> trainers = List.of(new ScriptedTrainer(0, steps[0]), new ScriptedTrainer(1, steps[1]));
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (FlServer server = FlServer.builder(config).strategy(scaffold).build().start()) {
      for (int k = 0; k < 2; k++) {
        clients.add(FlClient.builder().target("127.0.0.1:" + port).clientId("s" + k).trainer(trainers.get(k))
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build());
      }
      List<Future<FlClient.Outcome>> outcomes = runAll(pool, clients);
      assertTrue(server.awaitRounds(60_000), "rounds should complete");
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(2, f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      // By hand, in double.
      double[][] c1i = new double[2][n];
      double[] c1 = new double[n];
      double[] c2 = new double[n];
      double[] x2 = new double[n];
      ModelWeights x0 = NET.initialize(9);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
          c1i[k][i] = -ScriptedTrainer.delta(k, 1)[i] / (steps[k] * lr);
        }
        c1[i] = 0.5 * (c1i[0][i] + c1i[1][i]) / 2;
      }
      for (int k = 0; k < 2; k++) {
        float[] first = trainers.get(k).corrections.get(1L);
        float[] second = trainers.get(k).corrections.get(2L);
        float[] ci = clients.get(k).controlVariate().orElseThrow();
        for (int i = 0; i < n; i++) {
          assertEquals(0f, first[i], "round 1: c − c_i = 0 − 0");
          assertEquals(c1[i] - c1i[k][i], second[i], 1e-5, "round 2 correction of client " + k + " at " + i);
          double dc2 = -c1[i] - ScriptedTrainer.delta(k, 2)[i] / (steps[k] * lr);
          assertEquals(c1i[k][i] + dc2, ci[i], 1e-5, "c_i of client " + k + " at " + i);
          c2[i] += 0.5 * dc2 / 2;
        }
      }
      float[] serverC = scaffold.serverControl(n);
      for (int i = 0; i < n; i++) {
        c2[i] += c1[i];
        x2[i] = x0.get(i) + 0.5 * (ScriptedTrainer.delta(0, 1)[i] + ScriptedTrainer.delta(1, 1)[i]) / 2
            + 0.5 * (ScriptedTrainer.delta(0, 2)[i] + ScriptedTrainer.delta(1, 2)[i]) / 2;
        assertEquals(c2[i], serverC[i], 1e-5, "server c at " + i);
        assertEquals(x2[i], server.globalModel().get(i), 1e-6, "parameter " + i);
      }
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * A client whose uploads the server rejects (a mod puts a NaN in the delta) keeps c_i = 0; the
   * round completes with the other client, and the server's c holds only that client's Δc_i.
   */
  @Test
  void scaffold_rejectedUpload_clientControlVariateUnchanged() throws Exception {
    int port = freePort();
    double lr = 0.1;
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(1).clientsPerRound(2)
        .minReports(1).roundDeadline(Duration.ofSeconds(3)).model(NET).seed(9).learningRate(lr)
        .strategy("scaffold").totalClients(2).build();
    io.tributary.core.strategy.Scaffold scaffold = (io.tributary.core.strategy.Scaffold) FlServer.strategyFor(config);
    int n = NET.layout().totalElements();
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (FlServer server = FlServer.builder(config).strategy(scaffold).build().start()) {
      clients.add(FlClient.builder().target("127.0.0.1:" + port).clientId("good").trainer(new ScriptedTrainer(0, 2))
          .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build());
      clients.add(FlClient.builder().target("127.0.0.1:" + port).clientId("bad").trainer(new ScriptedTrainer(1, 2))
          .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100))
          .mod((r, global, ins) -> {
            float[] d = r.delta().clone();
            d[0] = Float.NaN;
            return new io.tributary.core.protocol.FitResult(d, r.numExamples(), r.localSteps(), r.metrics());
          }).build());
      List<Future<FlClient.Outcome>> outcomes = runAll(pool, clients);
      assertTrue(server.awaitRounds(60_000), "the round should complete with the good client");
      assertEquals(1, outcomes.get(0).get(30, TimeUnit.SECONDS).tasksCompleted());
      assertEquals(0, outcomes.get(1).get(30, TimeUnit.SECONDS).tasksCompleted());
      assertTrue(clients.get(1).controlVariate().isEmpty(), "a rejected upload must not advance c_i");
      float[] good = clients.get(0).controlVariate().orElseThrow();
      float[] serverC = scaffold.serverControl(n);
      for (int i = 0; i < n; i++) {
        double dc = -ScriptedTrainer.delta(0, 1)[i] / (2 * lr);
        assertEquals(dc, good[i], 1e-6, "c_i at " + i);
        assertEquals(dc / 2, serverC[i], 1e-6, "c = (1/2)·Δc_good at " + i);
      }
      assertEquals(1, server.history().get(0).accepted());
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * SCAFFOLD learns over real gRPC with real trainers on label-skewed data: four clients, each
   * holding mostly one class, five rounds.
   */
  @Test
  void scaffold_fourDenseClientsOnSkewedData_lossFallsAndEveryClientKeepsItsControlVariate() throws Exception {
    Data train = Data.generate(CLIENTS * PER_CLIENT, 11);
    Data test = Data.generate(600, 12);
    // Sorted by label, then cut in four: clients 0 and 3 see one class each, 1 and 2 mostly one.
    Integer[] order = java.util.stream.IntStream.range(0, train.labels().length).boxed()
        .sorted(java.util.Comparator.comparingInt(i -> train.labels()[i])).toArray(Integer[]::new);
    int port = freePort();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(5).clientsPerRound(CLIENTS)
        .roundDeadline(Duration.ofSeconds(60)).model(NET).learningRate(0.05).batchSize(10).seed(3)
        .strategy("scaffold").build();
    List<FlClient> clients = new ArrayList<>();
    List<DenseTrainer> trainers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<RoundSummary> history;
    try (FlServer server = FlServer.builder(config)
        .evaluator(m -> NET.evaluate(m, test.x(), test.labels(), 600, 1)).build().start()) {
      for (int k = 0; k < CLIENTS; k++) {
        int[] idx = new int[PER_CLIENT];
        for (int i = 0; i < PER_CLIENT; i++) {
          idx[i] = order[k * PER_CLIENT + i];
        }
        DenseTrainer trainer = DenseTrainer.builder().network(NET).trainingData(train.x(), train.labels(), idx)
            .backend(DenseTrainer.Backend.JAVA).threads(1).build();
        trainers.add(trainer);
        clients.add(FlClient.builder().target("127.0.0.1:" + port).clientId("d" + k).trainer(trainer)
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200)).build());
      }
      List<Future<FlClient.Outcome>> outcomes = runAll(pool, clients);
      assertTrue(server.awaitRounds(120_000), "rounds should complete");
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(5, f.get(60, TimeUnit.SECONDS).tasksCompleted());
      }
      history = server.history();
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
      trainers.forEach(DenseTrainer::close);
    }
    assertEquals(5, history.size());
    double first = history.get(0).evalLoss();
    double last = history.get(4).evalLoss();
    assertTrue(last < 0.8 * first, "test loss should fall: " + first + " -> " + last);
    assertTrue(history.get(4).evalAccuracy() > 0.8, "accuracy " + history.get(4).evalAccuracy());
    for (FlClient c : clients) {
      float[] ci = c.controlVariate().orElseThrow();
      double norm = 0;
      for (float v : ci) {
        assertTrue(Float.isFinite(v));
        norm += v * v;
      }
      assertTrue(norm > 0, c.clientId() + " keeps a non-zero c_i");
    }
  }

  @Test
  void mods_zeroingDelta_leavesGlobalModelUnchanged() throws Exception {
    Data train = Data.generate(40, 1);
    int port = freePort();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(port).rounds(2).clientsPerRound(1)
        .roundDeadline(Duration.ofSeconds(30)).model(NET).seed(5).build();
    java.util.concurrent.atomic.AtomicInteger modCalls = new java.util.concurrent.atomic.AtomicInteger();
    try (FlServer server = FlServer.builder(config).build().start();
        DenseTrainer trainer = DenseTrainer.builder().network(NET)
            .trainingData(train.x(), train.labels(), java.util.stream.IntStream.range(0, 40).toArray())
            .backend(DenseTrainer.Backend.JAVA).build();
        FlClient client = FlClient.builder().target("127.0.0.1:" + port).clientId("m").trainer(trainer)
            .mod((r, global, ins) -> {
              modCalls.incrementAndGet();
              assertTrue(ins.config().contains("lr"), "mods see the round's config");
              return new io.tributary.core.protocol.FitResult(new float[r.delta().length], r.numExamples(),
                  r.localSteps(), r.metrics());
            })
            .build()) {
      assertEquals(2, client.run().tasksCompleted());
      assertTrue(server.awaitRounds(30_000));
      assertEquals(2, modCalls.get());
      assertEquals(NET.initialize(5), server.globalModel(), "zero deltas leave the model bit-identical");
    }
  }

  @Test
  void run_serverNeverUp_givesUpAfterMaxUnavailable() throws Exception {
    Data d = Data.generate(10, 1);
    try (DenseTrainer trainer = DenseTrainer.builder().network(NET).trainingData(d.x(), d.labels(), new int[] {0, 1})
            .backend(DenseTrainer.Backend.JAVA).build();
        FlClient client = FlClient.builder().target("127.0.0.1:" + freePort()).clientId("lonely").trainer(trainer)
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(50))
            .maxUnavailable(Duration.ofMillis(300)).build()) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, client::run);
      assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
  }

  @Test
  void builder_missingParts_rejected() {
    assertThrows(IllegalStateException.class, () -> FlClient.builder().clientId("a").target("x:1").build());
    assertThrows(IllegalArgumentException.class, () -> FlClient.builder().clientId("bad id"));
    assertThrows(IllegalArgumentException.class, () -> FlClient.builder().target(" "));
    assertThrows(IllegalArgumentException.class, () -> FlClient.builder().initialBackoff(Duration.ZERO));
  }
}
