package io.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.ClientFailure;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.PrivateStrategy;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.server.FlServer;
import io.tributary.server.RoundSummary;
import io.tributary.server.ServerConfig;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DP-FedAvg over real gRPC: a real server with {@code dp: central} and real {@link FlClient}s on
 * loopback, with scripted trainers whose update norms are chosen, so that the clipping, the fixed
 * denominator, adaptive clipping and the accountant can be checked by hand. Every federation here has
 * total-clients = clients-per-round (q = 1), so every checked-in client is sampled.
 */
class DpEndToEndTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:20-16-3", 20, 16, 3);
  private static final int N = NET.layout().totalElements();

  /**
   * A trainer whose delta in round t is a fixed direction scaled to L2 norm {@code norm}; it records
   * the round configs' clip norm, and can put a NaN in its delta.
   */
  private static final class NormTrainer implements Trainer {
    final int id;
    final double norm;
    final boolean nan;
    final Map<Long, Double> clips = new ConcurrentHashMap<>();

    NormTrainer(int id, double norm, boolean nan) {
      this.id = id;
      this.norm = norm;
      this.nan = nan;
    }

    static float[] delta(int id, long round, double norm) {
      double[] d = new double[N];
      double s = 0;
      for (int i = 0; i < N; i++) {
        d[i] = Math.sin(0.7 * i + id + 3 * round);
        s += d[i] * d[i];
      }
      float[] out = new float[N];
      for (int i = 0; i < N; i++) {
        out[i] = (float) (d[i] * norm / Math.sqrt(s));
      }
      return out;
    }

    @Override
    public ModelLayout layout() {
      return NET.layout();
    }

    @Override
    public FitResult fit(ModelWeights global, FitInstructions instructions) {
      if (instructions.config().contains(DpClipping.CLIP.name())) {
        clips.put(instructions.round(), instructions.config().get(DpClipping.CLIP));
      }
      float[] d = delta(id, instructions.round(), norm);
      if (nan) {
        d[5] = Float.NaN;
      }
      return new FitResult(d, 10, 1, Map.of(FitResult.TRAIN_LOSS, 1.0));
    }

    @Override
    public EvaluateResult evaluate(ModelWeights weights) {
      throw new UnsupportedOperationException();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static ServerConfig.Builder dpConfig(int port, int clients) {
    return ServerConfig.builder().host("127.0.0.1").port(port).clientsPerRound(clients).totalClients(clients)
        .roundDeadline(Duration.ofSeconds(60)).selectionTimeout(Duration.ofSeconds(60)).model(NET).seed(9)
        .dpSetting("dp", "central");
  }

  /** Runs one FlClient per trainer on its own thread against the server, until the server finishes. */
  private static List<Future<FlClient.Outcome>> start(ExecutorService pool, int port, List<NormTrainer> trainers,
      List<FlClient> clients) {
    List<Future<FlClient.Outcome>> out = new ArrayList<>();
    for (NormTrainer t : trainers) {
      FlClient c = FlClient.builder().target("127.0.0.1:" + port).clientId("dp" + t.id).trainer(t)
          .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build();
      clients.add(c);
      out.add(pool.submit(c::run));
    }
    return out;
  }

  /** Δ scaled to norm at most C, in double: what DP clipping must give. */
  private static double[] clipped(float[] delta, double c) {
    double s = 0;
    for (float v : delta) {
      s += (double) v * v;
    }
    double scale = Math.min(1, c / Math.sqrt(s));
    double[] out = new double[delta.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = delta[i] * scale;
    }
    return out;
  }

  /**
   * z = 0, C = 1: three clients send updates of norm 10, 10 and 0.5 for two rounds. The clients clip
   * (the two large ones report dp_unclipped 0, the small one 1, so the round's mean metric is 1/3), and
   * the model moves by exactly Σ clipped Δ_k / 3 each round (z = 0: the actual weight divides). ε is
   * reported, infinite without noise, with the default δ = min(10^-5, 0.1/N).
   */
  @Test
  void central_zeroNoise_modelMovesByTheMeanOfTheClippedUpdates() throws Exception {
    int port = freePort();
    ServerConfig config = dpConfig(port, 3).rounds(2).dpSetting("dp-noise-multiplier", 0)
        .dpSetting("dp-clip", 1.0).build();
    double[] norms = {10, 10, 0.5};
    List<NormTrainer> trainers = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      trainers.add(new NormTrainer(k, norms[k], false));
    }
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = start(pool, port, trainers, clients);
      assertTrue(server.awaitRounds(60_000), "rounds should complete: " + server.coordinator().finishReason());
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(2, f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      ModelWeights x0 = NET.initialize(9);
      double[] expected = new double[N];
      for (int i = 0; i < N; i++) {
        expected[i] = x0.get(i);
      }
      for (long t = 1; t <= 2; t++) {
        for (int k = 0; k < 3; k++) {
          double[] c = clipped(NormTrainer.delta(k, t, norms[k]), 1.0);
          for (int i = 0; i < N; i++) {
            expected[i] += c[i] / 3;
          }
        }
      }
      ModelWeights model = server.globalModel();
      for (int i = 0; i < N; i++) {
        assertEquals(expected[i], model.get(i), 1e-6, "parameter " + i);
      }
      List<RoundSummary> history = server.history();
      assertEquals(2, history.size());
      for (RoundSummary s : history) {
        assertEquals(3, s.selected(), "q = 1: every client is sampled");
        assertEquals(3, s.accepted());
        assertEquals(1.0 / 3, s.clientMetrics().get(DpClipping.UNCLIPPED), 1e-12,
            "the clients' unclipped bits reach the server: " + s.clientMetrics());
        assertEquals(Double.POSITIVE_INFINITY, s.epsilon(), "no noise, no privacy");
        assertEquals(1e-5, s.delta());
      }
      for (NormTrainer t : trainers) {
        assertEquals(Map.of(1L, 1.0, 2L, 1.0), t.clips, "every round's config carries dp_clip");
      }
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * Central DP under secure aggregation, z = 0, C = 1: the server sees only the sum, so it cannot clip;
   * the model moving by Σ clipped Δ_k / 3 (within the quantizer's step) shows that the clients clipped
   * on the secure path too.
   */
  @Test
  void central_secureAggregation_clientsClipBeforeMasking() throws Exception {
    int port = freePort();
    ServerConfig config = dpConfig(port, 3).rounds(1).secureAggregation(true)
        .secAggStageTimeout(Duration.ofSeconds(10)).dpSetting("dp-noise-multiplier", 0).dpSetting("dp-clip", 1.0)
        .build();
    double[] norms = {10, 10, 0.5};
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        FlClient c = FlClient.builder().target("127.0.0.1:" + port).clientId("sdp" + k)
            .trainer(new NormTrainer(k, norms[k], false)).secureAggregation(true)
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build();
        clients.add(c);
        outcomes.add(pool.submit(c::run));
      }
      assertTrue(server.awaitRounds(60_000), "the round should complete: " + server.coordinator().finishReason());
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(1, f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      assertEquals(0, server.coordinator().plainUpdatesFolded(), "no update in the clear");
      io.tributary.crypto.secagg.Quantizer q = config.secAggQuantizer();
      double step = 2 * q.clipRange() / (q.levels() - 1);
      ModelWeights x0 = NET.initialize(9);
      double[] sum = new double[N];
      for (int k = 0; k < 3; k++) {
        double[] c = clipped(NormTrainer.delta(k, 1, norms[k]), 1.0);
        for (int i = 0; i < N; i++) {
          sum[i] += c[i];
        }
      }
      for (int i = 0; i < N; i++) {
        assertEquals(x0.get(i) + sum[i] / 3, server.globalModel().get(i), step, "parameter " + i);
      }
      assertEquals(Double.POSITIVE_INFINITY, server.history().get(0).epsilon());
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * Distributed DP over gRPC: five clients (norms 10, 10, 0.5, 2, 1; C = 1, z = 1) add discrete
   * Gaussian shares under SecAgg+; a sixth client, which accepts no less than z = 2, refuses the round
   * before advertising keys. The model moves by (Σ clipped + noise) / (q·N) where the noise is the
   * survivors' shares: its spread over the coordinates matches √5·σ·γ of the round's calibration, so
   * the server saw the sum only with the noise in it. ε is finite and charged.
   */
  @Test
  void distributed_clientsAddTheNoiseUnderSecAgg_andOneRefusesTooLittle() throws Exception {
    int port = freePort();
    ServerConfig config = dpConfig(port, 6).totalClients(6).minReports(5).rounds(1).secureAggregation(true)
        .secAggStageTimeout(Duration.ofSeconds(3)).dpSetting("dp", "distributed").dpSetting("dp-noise-multiplier", 1.0)
        .dpSetting("dp-clip", 1.0).build();
    double[] norms = {10, 10, 0.5, 2, 1, 1};
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        FlClient c = FlClient.builder().target("127.0.0.1:" + port).clientId("ddp" + k)
            .trainer(new NormTrainer(k, norms[k], false)).secureAggregation(true)
            .minimumNoiseMultiplier(k == 5 ? 2.0 : 1.0)
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).build();
        clients.add(c);
        outcomes.add(pool.submit(c::run));
      }
      assertTrue(server.awaitRounds(90_000), "the round should complete: " + server.coordinator().finishReason());
      assertEquals(0, outcomes.get(5).get(30, TimeUnit.SECONDS).tasksCompleted(), "z = 1 < 2: refused");
      assertEquals(5, server.history().get(0).accepted(), "the five others are in the sum");
      assertEquals(0, server.coordinator().plainUpdatesFolded(), "no update in the clear");
      io.tributary.crypto.dp.DistributedDiscreteGaussian mechanism =
          io.tributary.crypto.dp.DistributedDiscreteGaussian.forSecureAggregation(N, 1.0, 1.0, 6,
              config.secAggParameters(6).threshold(), config.secAggCorruptFraction());
      ModelWeights x0 = NET.initialize(9);
      double sq = 0;
      for (int i = 0; i < N; i++) {
        double sum = 0;
        for (int k = 0; k < 5; k++) {
          sum += clipped(NormTrainer.delta(k, 1, norms[k]), 1.0)[i];
        }
        // q·N = 6: the fixed denominator; what is left is the survivors' noise.
        double noise = (server.globalModel().get(i) - x0.get(i)) * 6 - sum;
        sq += noise * noise;
      }
      double sd = Math.sqrt(sq / N);
      double expected = Math.sqrt(5) * mechanism.localSigmaInModelUnits();
      // N = 387 coordinates: the sample sd is within 5·sd/√(2N) ≈ 18% of the truth (the rounding adds far less).
      assertEquals(expected, sd, 0.18 * expected, "noise sd of the decoded sum");
      double eps = server.history().get(0).epsilon();
      assertTrue(eps > 0 && Double.isFinite(eps), "ε " + eps);
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * z = 2 with an ε budget: ε is reported with every round and grows; the server stops before the
   * round that would exceed the budget (successfully, saying why), so no reported ε is above it, and
   * its ledger, restored into a fresh DP-FedAvg of the same settings, says that one more round would
   * exceed it.
   */
  @Test
  void central_epsilonGrowsEachRoundAndTheBudgetStopsTheRun() throws Exception {
    int port = freePort();
    double budget = 6;
    ServerConfig config = dpConfig(port, 3).rounds(50).dpSetting("dp-noise-multiplier", 2.0)
        .dpSetting("dp-clip", 1.0).dpSetting("dp-epsilon-budget", budget).build();
    List<NormTrainer> trainers = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      trainers.add(new NormTrainer(k, 5, false));
    }
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = start(pool, port, trainers, clients);
      assertTrue(server.awaitRounds(120_000), "the budget ends the run successfully: "
          + server.coordinator().finishReason());
      List<RoundSummary> history = server.history();
      assertTrue(history.size() >= 2 && history.size() < 50, "rounds run: " + history.size());
      assertTrue(server.coordinator().finishReason().contains("privacy budget"), server.coordinator().finishReason());
      double previous = 0;
      for (RoundSummary s : history) {
        assertTrue(s.epsilon() > previous, "ε grows: " + previous + " -> " + s.epsilon());
        assertTrue(s.epsilon() <= budget, "ε " + s.epsilon() + " above the budget");
        assertEquals(1e-5, s.delta());
        previous = s.epsilon();
      }
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(history.size(), f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      PrivateStrategy replay = new PrivateStrategy(FlServer.strategyFor(config), config.dp(), 3, 3, 3, N,
          r -> RandomBits.seeded(1, "unused"));
      assertFalse(replay.budgetExhausted(), "a fresh run may spend its first round");
      replay.restoreLedger(server.coordinator().privacyLedger().orElseThrow());
      assertEquals(previous, replay.epsilon());
      assertTrue(replay.budgetExhausted(), "one more round would have exceeded the budget");
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * Poisson sampling at q = 1/4 over four clients for twelve rounds, z = 1: each round either runs
   * with the clients its coins picked (every one of them reports) or, when none was picked, is
   * skipped with the model unchanged. Every round is accounted for, and ε is charged for the rounds
   * that ran only: the k-th completed round reports exactly the ε of k charges, replayed on a fresh
   * DP-FedAvg of the same settings.
   */
  @Test
  void poissonSampling_cohortsVaryAndEmptySamplesSkipRoundsWithoutCharge() throws Exception {
    int port = freePort();
    int rounds = 12;
    ServerConfig config = dpConfig(port, 1).totalClients(4).rounds(rounds).dpSetting("dp-noise-multiplier", 1.0)
        .dpSetting("dp-clip", 1.0).build();
    List<Long> skipped = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<NormTrainer> trainers = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      trainers.add(new NormTrainer(k, 2, false));
    }
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (FlServer server = FlServer.builder(config).listener(new io.tributary.server.RoundListener() {
      @Override
      public void onRoundFailed(long round, int attempt, String reason) {
        assertTrue(reason.startsWith("skipped: no client was sampled"), reason);
        skipped.add(round);
      }
    }).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = start(pool, port, trainers, clients);
      assertTrue(server.awaitRounds(120_000), "rounds should complete: " + server.coordinator().finishReason());
      List<RoundSummary> history = server.history();
      assertEquals(rounds, history.size() + skipped.size(), "ran " + history + ", skipped " + skipped);
      int tasks = 0;
      for (Future<FlClient.Outcome> f : outcomes) {
        tasks += f.get(30, TimeUnit.SECONDS).tasksCompleted();
      }
      PrivateStrategy replay = new PrivateStrategy(FlServer.strategyFor(config), config.dp(), 4, 1, 4, N,
          r -> RandomBits.seeded(1, "replay"));
      ModelWeights x = NET.initialize(9);
      int selected = 0;
      for (int k = 0; k < history.size(); k++) {
        RoundSummary s = history.get(k);
        assertTrue(s.selected() >= 1 && s.selected() <= 4, "cohort " + s.selected());
        assertEquals(s.selected(), s.accepted(), "every sampled client reports");
        assertFalse(skipped.contains(s.round()));
        assertEquals(k + 1, s.modelVersion(), "a skipped round leaves the model as it was");
        selected += s.selected();
        x = replay.aggregateFit(k + 1, x, io.tributary.core.aggregate.AggregatedUpdate.ofCombined(NET.layout(),
            new float[N], 1), new io.tributary.core.protocol.RoundResults(k + 1, List.of(), List.of()));
        assertEquals(replay.epsilon(), s.epsilon(), "ε after " + (k + 1) + " charged rounds");
      }
      assertEquals(selected, tasks, "the clients trained in exactly the sampled cohorts");
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * Adaptive clipping over gRPC, z = 0, C = 1, η_C = 0.2, γ = 0.5: one of three clients is within C
   * (b̄ = 1/3), so round 2's config carries C·exp(−0.2(1/3 − 0.5)), computed from the bits the
   * clients reported.
   */
  @Test
  void adaptiveClip_round2ClipFollowsTheReportedBits() throws Exception {
    int port = freePort();
    ServerConfig config = dpConfig(port, 3).rounds(2).dpSetting("dp-noise-multiplier", 0)
        .dpSetting("dp-clip", 1.0).dpSetting("dp-adaptive-clip", true).build();
    double[] norms = {0.5, 10, 10};
    List<NormTrainer> trainers = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      trainers.add(new NormTrainer(k, norms[k], false));
    }
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = start(pool, port, trainers, clients);
      assertTrue(server.awaitRounds(60_000), "rounds should complete: " + server.coordinator().finishReason());
      for (Future<FlClient.Outcome> f : outcomes) {
        assertEquals(2, f.get(30, TimeUnit.SECONDS).tasksCompleted());
      }
      double next = 1.0 * Math.exp(-0.2 * (1.0 / 3 - 0.5));
      for (NormTrainer t : trainers) {
        assertEquals(1.0, t.clips.get(1L));
        assertEquals(next, t.clips.get(2L), 1e-12, "round 2's clip norm");
      }
      // Round 2: the 0.5 update is still within C' ≈ 1.034, the norm-10 ones are not.
      assertEquals(1.0 / 3, server.history().get(1).clientMetrics().get(DpClipping.UNCLIPPED), 1e-12);
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }

  /**
   * A client whose update holds a NaN is refused as without DP (its mod cannot clip it and passes it
   * on; the server rejects the non-finite upload): the round completes at the deadline with the two
   * others (min-reports 2), and the model moves by their clipped updates over 2.
   */
  @Test
  void central_nanUpdateRefused_roundCompletesWithTheOthers() throws Exception {
    int port = freePort();
    ServerConfig config = dpConfig(port, 3).rounds(1).minReports(2).roundDeadline(Duration.ofSeconds(3))
        .dpSetting("dp-noise-multiplier", 0).dpSetting("dp-clip", 1.0).build();
    List<NormTrainer> trainers = List.of(new NormTrainer(0, 10, false), new NormTrainer(1, 0.5, false),
        new NormTrainer(2, 10, true));
    List<FlClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (FlServer server = FlServer.builder(config).build().start()) {
      List<Future<FlClient.Outcome>> outcomes = start(pool, port, trainers, clients);
      assertTrue(server.awaitRounds(60_000), "the round completes without the NaN client: "
          + server.coordinator().finishReason());
      assertEquals(0, outcomes.get(2).get(30, TimeUnit.SECONDS).tasksCompleted());
      RoundSummary s = server.history().get(0);
      assertEquals(2, s.accepted());
      assertEquals(1, s.failures().size());
      ClientFailure failure = s.failures().get(0);
      assertEquals("dp2", failure.clientId());
      assertTrue(failure.reason().contains("rejected"), failure.reason());
      ModelWeights x0 = NET.initialize(9);
      double[] a = clipped(NormTrainer.delta(0, 1, 10), 1.0);
      double[] b = clipped(NormTrainer.delta(1, 1, 0.5), 1.0);
      for (int i = 0; i < N; i++) {
        assertEquals(x0.get(i) + (a[i] + b[i]) / 2, server.globalModel().get(i), 1e-6, "parameter " + i);
      }
    } finally {
      pool.shutdownNow();
      for (FlClient c : clients) {
        c.close();
      }
    }
  }
}
