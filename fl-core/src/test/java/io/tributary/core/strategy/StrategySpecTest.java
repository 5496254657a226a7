package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.robust.CoordinateMedian;
import io.tributary.core.aggregate.robust.MultiKrum;
import io.tributary.core.aggregate.robust.TrimmedMean;
import io.tributary.core.config.TrainingKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategySpecTest {
  private static Strategy create(StrategySpec spec) {
    return spec.create(0.05, 2, 10, 7, 100);
  }

  @Test
  void create_everyName_buildsThatStrategy() {
    for (String name : StrategySpec.STRATEGIES) {
      Strategy s = create(StrategySpec.builder().strategy(name).build());
      assertEquals(name, s.name());
      assertEquals(2L, s.configureFit(1).get(TrainingKeys.LOCAL_EPOCHS));
    }
  }

  @Test
  void set_yamlValues_reachTheStrategy() {
    StrategySpec spec = StrategySpec.builder().set("strategy", "fedadam").set("server-learning-rate", 0.1)
        .set("server-beta1", 0.5).set("server-beta2", 0.9).set("server-tau", 0.01).build();
    FedAdam adam = (FedAdam) create(spec);
    assertEquals(0.1, adam.serverLearningRate());
    assertEquals(0.5, adam.beta1());
    assertEquals(0.01, adam.tau());
    assertEquals(Map.of("strategy", "fedadam", "server-learning-rate", 0.1, "server-beta1", 0.5,
        "server-beta2", 0.9, "server-tau", 0.01), spec.toMap());
  }

  @Test
  void defaults_perStrategy() {
    assertEquals(0.01, StrategySpec.builder().strategy("fedyogi").build().serverLearningRate());
    assertEquals(1.0, StrategySpec.builder().strategy("fedavgm").build().serverLearningRate());
    assertEquals(FedProx.DEFAULT_MU, StrategySpec.builder().strategy("fedprox").build().proximalMu());
    assertEquals(0.0, StrategySpec.builder().strategy("fedavg").build().proximalMu());
    assertEquals(Weighting.UNIFORM, StrategySpec.builder().strategy("scaffold").build().weighting());
    assertEquals(Weighting.EXAMPLES, StrategySpec.defaults().weighting());
  }

  @Test
  void aggregators_reachTheStrategy() {
    assertInstanceOf(CoordinateMedian.class,
        create(StrategySpec.builder().aggregator("median").build()).robustAggregator().orElseThrow());
    TrimmedMean t = (TrimmedMean) create(StrategySpec.builder().aggregator("trimmed-mean").trimFraction(0.3).build())
        .robustAggregator().orElseThrow();
    assertEquals(0.3, t.beta());
    MultiKrum k = (MultiKrum) create(StrategySpec.builder().aggregator("krum").krumF(2).build())
        .robustAggregator().orElseThrow();
    assertEquals(1, k.m());
    MultiKrum mk = (MultiKrum) create(StrategySpec.builder().aggregator("multi-krum").krumF(3).build())
        .robustAggregator().orElseThrow();
    assertEquals(0, mk.m(), "n - f per round");
    assertTrue(create(StrategySpec.defaults()).robustAggregator().isEmpty());
    assertTrue(StrategySpec.builder().aggregator("median").build().buffersUpdates());
  }

  @Test
  void badConfigs_failFastNamingTheKey() {
    Rounds.assertRejected(() -> StrategySpec.builder().strategy("fedsgd"), "'strategy'", "fedsgd", "fedprox");
    Rounds.assertRejected(() -> StrategySpec.builder().set("proximal-mu", -0.5), "'proximal-mu'", "-0.5");
    Rounds.assertRejected(() -> StrategySpec.builder().trimFraction(0.5), "'trim-fraction'", "0.5");
    Rounds.assertRejected(() -> StrategySpec.builder().aggregator("trimmed-mean").build(), "trim-fraction");
    Rounds.assertRejected(() -> StrategySpec.builder().aggregator("krum").build(), "krum-f");
    Rounds.assertRejected(() -> StrategySpec.builder().krumF(1).build(), "'krum-f'", "mean");
    Rounds.assertRejected(() -> StrategySpec.builder().set("aggregator", "geomed"), "'aggregator'", "geomed");
    Rounds.assertRejected(() -> StrategySpec.builder().serverMomentum(0.9).build(), "'server-momentum'", "fedavg");
    Rounds.assertRejected(() -> StrategySpec.builder().strategy("fednova").aggregator("median").build(), "fednova");
    Rounds.assertRejected(() -> StrategySpec.builder().set("weighting", "size"), "'weighting'", "uniform");
    Rounds.assertRejected(() -> StrategySpec.builder().set("learning-rate", 0.1), "not a strategy key");
  }

  @Test
  void checkCohort_krumNeedsTwoFPlusThree() {
    StrategySpec krum = StrategySpec.builder().aggregator("krum").krumF(4).build();
    krum.checkCohort("clients-per-round", 11);
    Rounds.assertRejected(() -> krum.checkCohort("clients-per-round", 10), "2f + 3 = 11", "'clients-per-round' is 10");
    StrategySpec mk = StrategySpec.builder().aggregator("multi-krum").krumF(2).krumM(9).build();
    Rounds.assertRejected(() -> mk.checkCohort("clients-per-round", 10), "'krum-m'", "at most");
    StrategySpec.builder().aggregator("median").build().checkCohort("clients-per-round", 1);
  }
}
