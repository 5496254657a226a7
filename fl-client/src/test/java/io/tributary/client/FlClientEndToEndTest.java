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
