package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.data.DatasetCache;
import io.tributary.data.MnistFetcher;
import io.tributary.data.MnistSplits;
import io.tributary.simulations.report.RoundRecord;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A scaled-down row of McMahan et al.'s Table 1 on the real MNIST (fetched and checksum-verified
 * into the dataset cache on first use): 2NN, IID over K = 100 clients, C = 0.1, E = 1, B = 10, η =
 * 0.2, target 95% instead of 97%. The full row reaches 95% in 12 rounds and 97% in 33
 * (docs/results/fedavg-mnist.md); here it must reach 95% within 24 rounds.
 */
class FedAvgMnistReproductionTest {
  @Test
  void table1Row_iid2nnB10_reaches95PercentWithinTwiceOurRounds() throws Exception {
    MnistSplits mnist = MnistFetcher.fetchAndLoad(DatasetCache.defaultCache(), new PrintStream(System.err));
    SimulationData data = new SimulationData("mnist", 784, 10, mnist.train().images(), mnist.train().intLabels(),
        mnist.test().images(), mnist.test().intLabels());
    ExperimentConfig config = ExperimentConfig.builder().name("table1-scaled").dataset("mnist").partition("iid")
        .model("mnist-2nn").clients(100).fraction(0.1).localEpochs(1).batchSize(10).learningRate(0.2)
        .rounds(24).seed(1).threads(2).targetAccuracy(0.95).stopAtTarget(true).build();
    List<RoundRecord> rounds = new SimulationEngine(config, data).run(RoundObserver.none()).rounds();
    RoundRecord last = rounds.get(rounds.size() - 1);
    assertTrue(last.testAccuracy() >= 0.95,
        "95% not reached in 24 rounds; best so far " + rounds.stream().mapToDouble(RoundRecord::testAccuracy).max());
    // 12 on the machine that recorded the table; another CPU's BLAS kernels may round differently.
    assertTrue(rounds.size() >= 6 && rounds.size() <= 24, "reached 95% at round " + rounds.size());
    assertTrue(rounds.get(0).testAccuracy() < 0.95, "round 1 alone is not enough");
  }
}
