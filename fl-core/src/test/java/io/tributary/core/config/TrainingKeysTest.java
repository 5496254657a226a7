package io.tributary.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TrainingKeysTest {

  @Test
  void keys_wireNamesAreStable() {
    // Clients in other languages read these names from the task config.
    assertEquals("lr", TrainingKeys.LEARNING_RATE.name());
    assertEquals("epochs", TrainingKeys.LOCAL_EPOCHS.name());
    assertEquals("batch_size", TrainingKeys.BATCH_SIZE.name());
    assertEquals("seed", TrainingKeys.SEED.name());
  }

  @Test
  void keys_typesAndDefaults() {
    assertEquals(Double.class, TrainingKeys.LEARNING_RATE.type());
    assertEquals(0.05, TrainingKeys.LEARNING_RATE.defaultValue());
    assertEquals(1L, TrainingKeys.LOCAL_EPOCHS.defaultValue());
    assertEquals(10L, TrainingKeys.BATCH_SIZE.defaultValue());
    assertEquals(0L, TrainingKeys.SEED.defaultValue());
  }
}
