package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.strategy.AccumulationNorms;
import org.junit.jupiter.api.Test;

class LocalSgdTest {
  @Test
  void from_emptyConfig_usesTrainingKeyDefaults() {
    LocalSgd sgd = LocalSgd.from(new FitInstructions(1, "t", ConfigValues.empty()));

    assertEquals(TrainingKeys.LEARNING_RATE.defaultValue(), sgd.learningRate());
    assertEquals(TrainingKeys.LOCAL_EPOCHS.defaultValue().intValue(), sgd.epochs());
    assertEquals(TrainingKeys.BATCH_SIZE.defaultValue().intValue(), sgd.batchSize());
    assertEquals(TrainingKeys.SEED.defaultValue(), sgd.seed());
    assertEquals(0.0, sgd.proximalMu());
    assertFalse(sgd.hasProximalTerm());
  }

  @Test
  void from_proximalMu_readsTheKey() {
    LocalSgd sgd = LocalSgd.from(Fixtures.instructions(0.1, 2, 8, 3, 0.75, null));

    assertEquals(new LocalSgd(0.1, 2, 8, 3, 0.75), sgd);
    assertTrue(sgd.hasProximalTerm());
  }

  @Test
  void new_invalidProximalMu_throwsNamingTheKeyAndValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.1, 1, 1, 0, -0.5));
    assertTrue(e.getMessage().contains("'proximal_mu'") && e.getMessage().contains("-0.5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.1, 1, 1, 0, Double.NaN));
    assertTrue(e.getMessage().contains("'proximal_mu'") && e.getMessage().contains("NaN"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.1, 1, 1, 0, Double.POSITIVE_INFINITY));
    assertTrue(e.getMessage().contains("'proximal_mu'"), e.getMessage());
    // η·μ = 1 exactly: the shrink factor 1 − ημ would be 0, no longer a contraction towards w_t.
    e = assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.5, 1, 1, 0, 2.0));
    assertTrue(
        e.getMessage().contains("'proximal_mu'") && e.getMessage().contains("'lr'")
            && e.getMessage().contains("2.0 × 0.5 = 1.0"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LocalSgd.from(Fixtures.instructions(0.5, 1, 1, 0, 3.0, null)));
    assertEquals(1.99, new LocalSgd(0.5, 1, 1, 0, 1.99).proximalMu());
  }

  @Test
  void accumulationNorm_withAndWithoutMu_matchesFedNovaClosedForms() {
    assertEquals(12.0, new LocalSgd(0.1, 1, 10, 0).accumulationNorm(12));
    assertEquals(AccumulationNorms.proximal(12, 0.1, 0.5), new LocalSgd(0.1, 1, 10, 0, 0.5).accumulationNorm(12));
    assertTrue(new LocalSgd(0.1, 1, 10, 0, 0.5).accumulationNorm(12) < 12);
  }

  @Test
  void gradientCorrection_absentValidOrInvalid_nullSameArrayOrThrowsNamingTheProblem() {
    DenseNetwork network = DenseNetwork.of("3-2", 3, 2);
    ModelLayout layout = network.layout();
    float[] correction = new float[layout.totalElements()];

    assertNull(LocalSgd.gradientCorrection(Fixtures.instructions(0.1, 1, 1, 0), layout));
    assertSame(correction, LocalSgd.gradientCorrection(Fixtures.instructions(0.1, 1, 1, 0, 0, correction), layout));
    Fixtures.assertMessage(
        "gradient correction has 7 values, the model layout 8",
        () -> LocalSgd.gradientCorrection(Fixtures.instructions(0.1, 1, 1, 0, 0, new float[7]), layout));
    float[] withNaN = correction.clone();
    withNaN[6] = Float.NaN;
    Fixtures.assertMessage(
        layout.locate(6) + " is NaN",
        () -> LocalSgd.gradientCorrection(Fixtures.instructions(0.1, 1, 1, 0, 0, withNaN), layout));
  }

  @Test
  void from_setValues_readsEveryKey() {
    LocalSgd sgd = LocalSgd.from(Fixtures.instructions(0.25, 5, 32, -9));

    assertEquals(new LocalSgd(0.25, 5, 32, -9), sgd);
  }

  @Test
  void from_hugeBatch_clampedToFullBatch() {
    LocalSgd sgd = LocalSgd.from(Fixtures.instructions(0.1, 1, Long.MAX_VALUE, 0));

    assertEquals(100, sgd.rowsPerStep(100));
    assertEquals(1, sgd.steps(100));
  }

  @Test
  void stepsAndRows_batchSizes_countPartialAndFullBatches() {
    assertEquals(10, new LocalSgd(0.1, 1, 10, 0).rowsPerStep(600));
    assertEquals(60, new LocalSgd(0.1, 1, 10, 0).steps(600));
    assertEquals(2 * 61, new LocalSgd(0.1, 2, 10, 0).steps(605));
    assertEquals(605, new LocalSgd(0.1, 1, 0, 0).rowsPerStep(605));
    assertEquals(3, new LocalSgd(0.1, 3, 0, 0).steps(605));
    assertEquals(7, new LocalSgd(0.1, 1, 50, 0).rowsPerStep(7));
  }

  @Test
  void new_invalidValues_throwNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LocalSgd(Double.NaN, 1, 1, 0));
    assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LocalSgd(Double.POSITIVE_INFINITY, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.0, 1, 1, 0));
    e = assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.1, 0, 1, 0));
    assertTrue(e.getMessage().contains("'epochs'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LocalSgd(0.1, 1, -1, 0));
    e = assertThrows(IllegalArgumentException.class, () -> LocalSgd.from(Fixtures.instructions(0.1, 1L << 40, 1, 0)));
    assertTrue(e.getMessage().contains("'epochs'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LocalSgd.from(Fixtures.instructions(0.1, 1, -5, 0)));
    assertTrue(e.getMessage().contains("'batch_size'"), e.getMessage());
  }
}
