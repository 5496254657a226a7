package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Broken privacy settings are refused before a round runs, naming the key. */
class DpSpecTest {
  private static void refused(Executable e, String... fragments) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    for (String f : fragments) {
      assertTrue(x.getMessage().contains(f), "'" + x.getMessage() + "' should mention " + f);
    }
  }

  @Test
  void values_outOfRange_refusedAsTheyAreSet() {
    refused(() -> DpSpec.builder().set("dp-noise-multiplier", -1.0), "'dp-noise-multiplier'");
    refused(() -> DpSpec.builder().set("dp-clip", 0.0), "'dp-clip'");
    refused(() -> DpSpec.builder().set("dp-clip", -2.0), "'dp-clip'");
    refused(() -> DpSpec.builder().set("dp", "global"), "'dp'", "central");
    refused(() -> DpSpec.builder().set("dp-delta", 1.0), "'dp-delta'");
    refused(() -> DpSpec.builder().set("dp-target-quantile", 1.5), "'dp-target-quantile'");
    refused(() -> DpSpec.builder().set("dp-epsilon-budget", 0.0), "'dp-epsilon-budget'");
    refused(() -> DpSpec.builder().set("dp-weighting", "examples"), "'dp-weighting'");
    refused(() -> DpSpec.builder().set("dp-noise", 1.0), "'dp-noise'", "not a differential-privacy key");
  }

  @Test
  void combinations_refusedAtCheck() {
    DpSpec.Builder central = DpSpec.builder().placement("central").noiseMultiplier(1);
    refused(() -> DpSpec.builder().placement("central").build().check(1000, 10, false), "'dp-noise-multiplier'",
        "required");
    refused(() -> central.build().check(100, 200, false), "sampling rate", "(0, 1]");
    refused(() -> central.build().toBuilder().delta(0.01).build().check(1000, 10, false), "'dp-delta'", "1/N");
    refused(() -> DpSpec.builder().placement("distributed").noiseMultiplier(1).build().check(1000, 10, false),
        "'secure-aggregation: true'");
    refused(() -> DpSpec.builder().placement("local").noiseMultiplier(1).build().check(1000, 10, true),
        "'dp: local'", "'dp: distributed'");
    refused(() -> DpSpec.builder().placement("local").noiseMultiplier(1).adaptiveClip(true).build()
        .check(1000, 10, false), "'dp-adaptive-clip'", "central");
    refused(() -> central.build().toBuilder().targetQuantile(0.3).build().check(1000, 10, false),
        "'dp-target-quantile'", "'dp-adaptive-clip: true'");
    refused(() -> central.build().toBuilder().noiseMultiplier(3).adaptiveClip(true).clipCountStddev(1).build()
        .check(1000, 10, false), "'dp-clip-count-stddev'");
    refused(() -> central.build().toBuilder().set("dp-clip", "off").build().check(1000, 10, false), "'dp-clip: off'");
    refused(() -> DpSpec.builder().noiseMultiplier(1).build().check(1000, 10, false), "given while 'dp' is off");
    refused(() -> central.build().toBuilder().maxWeight(10).build().check(1000, 10, false), "'dp-weighting: capped'");
    refused(() -> DpSpec.builder().placement("central").noiseMultiplier(0).epsilonBudget(2).build()
        .check(1000, 10, false), "'dp-epsilon-budget'");
  }

  @Test
  void defaults_andTheAcceptedSettings() {
    DpSpec spec = DpSpec.builder().placement("central").noiseMultiplier(1).build();
    spec.check(1000, 10, false);
    spec.check(1000, 10, true); // central noise on a securely summed update: the server noises the sum
    assertEquals(0.1, spec.clip());
    assertEquals(1e-5, spec.delta(1000));
    assertEquals(1e-7, spec.delta(1_000_000), 1e-20);
    assertEquals(0.5, spec.clipCountStddev(10), 1e-12);
    DpSpec.off().check(10, 10, false);
    DpSpec.builder().placement("central").noiseMultiplier(0).set("dp-clip", "off").build().check(100, 10, false);
  }
}
