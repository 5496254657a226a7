package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.protocol.FitInstructions;
import org.junit.jupiter.api.Test;

class LocalSgdTest {
  @Test
  void from_emptyConfig_usesTrainingKeyDefaults() {
    LocalSgd sgd = LocalSgd.from(new FitInstructions(1, "t", ConfigValues.empty()));

    assertEquals(TrainingKeys.LEARNING_RATE.defaultValue(), sgd.learningRate());
    assertEquals(TrainingKeys.LOCAL_EPOCHS.defaultValue().intValue(), sgd.epochs());
    assertEquals(TrainingKeys.BATCH_SIZE.defaultValue().intValue(), sgd.batchSize());
    assertEquals(TrainingKeys.SEED.defaultValue(), sgd.seed());
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
