package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentLoaderTest {
  private static List<ExperimentConfig> parse(String yaml, String... overrides) {
    return ExperimentLoader.parse(new StringReader(yaml), "test.yaml", List.of(overrides));
  }

  private static void rejected(String yaml, String messagePart, String... overrides) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(yaml, overrides));
    assertTrue(e.getMessage().contains(messagePart), "'" + e.getMessage() + "' should mention '" + messagePart + "'");
  }

  @Test
  void parse_fullFile_setsEveryKey() {
    ExperimentConfig c = parse("""
        name: x
        dataset: mnist
        data-dir: /d
        partition: shards
        shards-per-client: 3
        model: mlp:784-50-10
        strategy: fedavg
        clients: 200
        clients-per-round: 20
        local-epochs: 5
        batch-size: inf
        learning-rate: 0.02
        server-learning-rate: 0.5
        rounds: 7
        eval-every: 2
        seed: 4294967296
        threads: 3
        target-accuracy: 0.99
        backend: java
        """).get(0);
    assertEquals("x", c.name());
    assertEquals("/d", c.dataDir().orElseThrow());
    assertEquals("shards", c.partition());
    assertEquals(3, c.shardsPerClient());
    assertEquals("mlp:784-50-10", c.model().name());
    assertEquals(200, c.clients());
    assertEquals(20, c.clientsPerRound());
    assertEquals(5, c.localEpochs());
    assertEquals(0, c.batchSize());
    assertEquals(0.02, c.learningRate());
    assertEquals(0.5, c.serverLearningRate());
    assertEquals(7, c.rounds());
    assertEquals(2, c.evalEvery());
    assertEquals(4294967296L, c.seed());
    assertEquals(3, c.threads());
    assertEquals(0.99, c.targetAccuracy());
    assertEquals("java", c.backend());
  }

  @Test
  void parse_fraction_givesClientsPerRound() {
    assertEquals(10, parse("clients: 100\nfraction: 0.1\n").get(0).clientsPerRound());
    assertEquals(1, parse("clients: 5\nfraction: 0.01\n").get(0).clientsPerRound(), "at least one client");
  }

  @Test
  void parse_runs_eachOverridesTheBaseAndOverridesWinLast() {
    List<ExperimentConfig> runs = parse("""
        name: sweep
        learning-rate: 0.1
        rounds: 3
        runs:
          - {name: a, learning-rate: 0.01}
          - {rounds: 9}
        """, "seed=5");
    assertEquals(2, runs.size());
    assertEquals("a", runs.get(0).name());
    assertEquals(0.01, runs.get(0).learningRate());
    assertEquals(3, runs.get(0).rounds());
    assertEquals("sweep-2", runs.get(1).name());
    assertEquals(0.1, runs.get(1).learningRate());
    assertEquals(9, runs.get(1).rounds());
    runs.forEach(r -> assertEquals(5, r.seed()));
  }

  @Test
  void parse_badInput_failsBeforeTrainingNamingTheKey() {
    rejected("lr: 0.1\n", "unknown config key 'lr'");
    rejected("rounds: ten\n", "config 'rounds' must be an integer");
    rejected("rounds: 0\n", "config 'rounds': must be >= 1");
    rejected("partition: zipf\n", "config 'partition': must be one of [iid, shards, dirichlet, power-law, label-power-law, natural]");
    rejected("dataset: leaf\npartition: natural\n", "leaf needs 'data-dir'");
    rejected("partition: natural\n", "natural (one client per user) goes with dataset leaf");
    rejected("dirichlet-alpha: 0\n", "config 'dirichlet-alpha'");
    rejected("min-client-size: -1\n", "config 'min-client-size'");
    rejected("dataset: cifar\n", "must be one of [mnist, fashion-mnist, synthetic, leaf]");
    rejected("synthetic-alpha: -1\n", "config 'synthetic-alpha'");
    rejected("model: resnet\n", "config 'model': unknown model 'resnet'");
    rejected("checkpoint-every: -2\n", "config 'checkpoint-every'");
    rejected("strategy: fedsgd\n", "config 'strategy': unknown 'fedsgd', expected one of [fedavg, fedavgm, fedprox,"
        + " fednova, fedadagrad, fedadam, fedyogi, scaffold]");
    rejected("strategy: fedprox\nproximal-mu: -1\n", "config 'proximal-mu' must be finite and >= 0, got -1");
    rejected("aggregator: trimmed-mean\ntrim-fraction: 0.5\n", "config 'trim-fraction' must be in [0, 0.5)");
    rejected("clients: 100\nclients-per-round: 10\naggregator: krum\nkrum-f: 4\n",
        "krum with krum-f 4 needs at least 2f + 3 = 11 updates a round, but 'clients-per-round' is 10");
    rejected("aggregator: geometric-median\n", "config 'aggregator': unknown 'geometric-median'");
    rejected("strategy: fednova\naggregator: median\n", "fednova needs the mean");
    rejected("strategy: scaffold\ncheckpoint-every: 5\n", "scaffold keeps every participant's control variate");
    rejected("stragglers: 1.5\n", "config 'stragglers'");
    rejected("client-sampling: weighted\n", "config 'client-sampling': must be one of [uniform, by-size, poisson]");
    rejected("clients: 10\nmalicious-clients: 11\n", "'malicious-clients' (11) cannot exceed 'clients' (10)");
    rejected("epochs-per-round: true\n", "'epochs-per-round' needs 'local-epochs-max'");
    rejected("clip-norm: 0\n", "config 'clip-norm'");
    rejected("dataset: synthetic\nsynthetic-min-size: 50\nsynthetic-max-size: 40\n", "'synthetic-max-size' (40)");
    rejected("labels-per-client: 0\n", "config 'labels-per-client'");
    rejected("client-sampling: by-size\navailability: 0.5\n", "by-size does not combine with 'availability'");
    rejected("strategy: fedadam\nserver-momentum: 0.9\n", "'server-momentum' applies to strategy fedavgm only");
    rejected("strategy: fedadagrad\nserver-beta2: 0.99\n", "'server-beta2' applies to fedadam and fedyogi only");
    rejected("strategy: fedavgm\nserver-momentum: 1.0\n", "config 'server-momentum'");
    rejected("strategy: fedyogi\nserver-tau: 0\n", "config 'server-tau'");
    rejected("time-budget: soon\n", "config 'time-budget'");
    rejected("clients: 5\nclients-per-round: 6\n", "cannot exceed 'clients'");
    rejected("fraction: 1.5\n", "config 'fraction': must be in (0, 1]");
    rejected("learning-rate: -1\n", "config 'learning-rate'");
    rejected("runs: []\n", "config 'runs' must be a non-empty list");
    rejected("runs:\n  - {learning-rate: 0.1, bogus: 1}\n", "unknown config key 'runs[0].bogus'");
    rejected("runs:\n  - {name: a}\n  - {name: a}\n", "two runs are named 'a'");
    rejected("rounds: [1\n", "not valid YAML");
    rejected("rounds: 3\n", "--set expects key=value", "rounds");
    rejected("rounds: 3\n", "unknown config key '--set roundz'", "roundz=4");
  }
}
