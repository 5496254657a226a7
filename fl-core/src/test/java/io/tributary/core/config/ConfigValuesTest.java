package io.tributary.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
  private static final ConfigKey<Double> LR = ConfigKey.ofDouble("lr", 0.05);
  private static final ConfigKey<Long> EPOCHS = ConfigKey.ofLong("epochs", 1);
  private static final ConfigKey<String> NAME = ConfigKey.ofString("name", "none");
  private static final ConfigKey<Boolean> FLAG = ConfigKey.ofBoolean("flag", false);

  @Test
  void get_absentKeys_returnDefaults() {
    ConfigValues c = ConfigValues.empty();
    assertEquals(0.05, c.get(LR));
    assertEquals(1L, c.get(EPOCHS));
    assertEquals("none", c.get(NAME));
    assertEquals(false, c.get(FLAG));
    assertNull(c.get(ConfigKey.ofString("other", null)));
  }

  @Test
  void get_setValuesOfAllFourTypes_returnsThem() {
    ConfigValues c = ConfigValues.builder()
        .set(LR, 0.2).set(EPOCHS, 5L).set(NAME, "mnist").set(FLAG, true).build();
    assertEquals(0.2, c.get(LR));
    assertEquals(5L, c.get(EPOCHS));
    assertEquals("mnist", c.get(NAME));
    assertEquals(true, c.get(FLAG));
  }

  @Test
  void get_longReadAsDouble_widened() {
    ConfigValues c = ConfigValues.builder().put("lr", 3L).build();
    assertEquals(3.0, c.get(LR));
  }

  @Test
  void put_integer_storedAsLong() {
    ConfigValues c = ConfigValues.builder().put("epochs", 7).build();
    assertEquals(7L, c.get(EPOCHS));
    assertEquals(Long.class, c.asMap().get("epochs").getClass());
  }

  @Test
  void get_doubleReadAsLong_rejectedNamingKeyAndBothTypes() {
    ConfigValues c = ConfigValues.builder().put("epochs", 2.5).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get(EPOCHS));
    assertTrue(e.getMessage().contains("'epochs'"), e.getMessage());
    assertTrue(e.getMessage().contains("Double"), e.getMessage());
    assertTrue(e.getMessage().contains("Long"), e.getMessage());
  }

  @Test
  void get_stringReadAsBoolean_rejectedNamingKeyAndBothTypes() {
    ConfigValues c = ConfigValues.builder().put("flag", "true").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get(FLAG));
    assertTrue(e.getMessage().contains("'flag'"), e.getMessage());
    assertTrue(e.getMessage().contains("String"), e.getMessage());
    assertTrue(e.getMessage().contains("Boolean"), e.getMessage());
  }

  @Test
  void get_booleanReadAsDouble_rejected() {
    ConfigValues c = ConfigValues.builder().put("lr", true).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get(LR));
    assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
  }

  @Test
  void put_nonFiniteDouble_rejectedNamingKey() {
    for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().put("lr", d));
      assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
      assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().set(LR, Double.NaN));
  }

  @Test
  void put_unsupportedTypes_rejectedNamingKeyAndType() {
    Object[] bad = {1.5f, (short) 2, List.of(1), new int[] {1}, 'c'};
    for (Object v : bad) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().put("x", v));
      assertTrue(e.getMessage().contains("'x'"), e.getMessage());
      assertTrue(e.getMessage().contains("unsupported"), e.getMessage());
    }
  }

  @Test
  void put_nullValue_rejectedNamingKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().put("x", null));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    assertTrue(e.getMessage().contains("null"), e.getMessage());
  }

  @Test
  void put_blankName_rejected() {
    assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().put("", 1L));
    assertThrows(IllegalArgumentException.class, () -> ConfigValues.builder().put(null, 1L));
  }

  @Test
  void put_sameKeyTwice_lastWins() {
    ConfigValues c = ConfigValues.builder().put("lr", 0.1).put("lr", 0.3).build();
    assertEquals(0.3, c.get(LR));
    assertEquals(1, c.asMap().size());
  }

  @Test
  void asMap_insertionOrderAndUnmodifiable() {
    ConfigValues c = ConfigValues.builder().put("z", 1L).put("a", 2L).put("m", "x").build();
    assertEquals(List.of("z", "a", "m"), List.copyOf(c.asMap().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> c.asMap().put("b", 1L));
  }

  @Test
  void build_builderChangedAfterwards_builtValuesUnchanged() {
    ConfigValues.Builder b = ConfigValues.builder().put("lr", 0.1);
    ConfigValues c = b.build();
    b.put("lr", 0.9).put("epochs", 3L);
    assertEquals(0.1, c.get(LR));
    assertFalse(c.contains("epochs"));
  }

  @Test
  void putAll_copiesEveryEntry() {
    ConfigValues a = ConfigValues.builder().put("lr", 0.1).put("flag", true).build();
    ConfigValues b = ConfigValues.builder().put("epochs", 2L).putAll(a).build();
    assertEquals(0.1, b.get(LR));
    assertEquals(true, b.get(FLAG));
    assertEquals(2L, b.get(EPOCHS));
  }

  @Test
  void contains_presentAndAbsent() {
    ConfigValues c = ConfigValues.builder().put("lr", 0.1).build();
    assertTrue(c.contains("lr"));
    assertFalse(c.contains("epochs"));
  }

  @Test
  void empty_isSharedAndEmpty() {
    assertSame(ConfigValues.empty(), ConfigValues.empty());
    assertTrue(ConfigValues.empty().asMap().isEmpty());
    assertEquals(ConfigValues.empty(), ConfigValues.builder().build());
  }

  @Test
  void equals_sameEntries_equalWithSameHash() {
    ConfigValues a = ConfigValues.builder().put("lr", 0.1).put("epochs", 2L).build();
    ConfigValues b = ConfigValues.builder().put("lr", 0.1).put("epochs", 2).build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void equals_longVersusDoubleOfSameValue_notEqual() {
    assertNotEquals(ConfigValues.builder().put("lr", 1L).build(), ConfigValues.builder().put("lr", 1.0).build());
  }
}
