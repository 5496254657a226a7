package io.tributary.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {

  @Test
  void ofDouble_nameTypeAndDefault() {
    ConfigKey<Double> k = ConfigKey.ofDouble("lr", 0.1);
    assertEquals("lr", k.name());
    assertEquals(Double.class, k.type());
    assertEquals(0.1, k.defaultValue());
  }

  @Test
  void ofLong_ofString_ofBoolean_typesAndDefaults() {
    assertEquals(Long.class, ConfigKey.ofLong("n", 3).type());
    assertEquals(3L, ConfigKey.ofLong("n", 3).defaultValue());
    assertEquals(String.class, ConfigKey.ofString("s", "x").type());
    assertEquals("x", ConfigKey.ofString("s", "x").defaultValue());
    assertEquals(Boolean.class, ConfigKey.ofBoolean("b", true).type());
    assertEquals(true, ConfigKey.ofBoolean("b", true).defaultValue());
  }

  @Test
  void ofString_nullDefault_allowed() {
    assertNull(ConfigKey.ofString("optional", null).defaultValue());
  }

  @Test
  void ofDouble_blankOrNullName_rejected() {
    assertThrows(IllegalArgumentException.class, () -> ConfigKey.ofDouble("", 1));
    assertThrows(IllegalArgumentException.class, () -> ConfigKey.ofLong(" ", 1));
    assertThrows(IllegalArgumentException.class, () -> ConfigKey.ofString(null, "x"));
  }

  @Test
  void constructor_unsupportedType_rejectedNamingTheType() throws Exception {
    // The factories only offer the four wire types; the check guards the constructor itself.
    Constructor<?> c = ConfigKey.class.getDeclaredConstructor(String.class, Class.class, Object.class);
    c.setAccessible(true);
    InvocationTargetException e =
        assertThrows(InvocationTargetException.class, () -> c.newInstance("n", Integer.class, 1));
    assertTrue(e.getCause() instanceof IllegalArgumentException, String.valueOf(e.getCause()));
    assertTrue(e.getCause().getMessage().contains("java.lang.Integer"), e.getCause().getMessage());
  }

  @Test
  void equals_sameNameAndType_equalRegardlessOfDefault() {
    assertEquals(ConfigKey.ofDouble("lr", 0.1), ConfigKey.ofDouble("lr", 0.5));
    assertEquals(ConfigKey.ofDouble("lr", 0.1).hashCode(), ConfigKey.ofDouble("lr", 0.5).hashCode());
  }

  @Test
  void equals_differentNameOrType_notEqual() {
    assertNotEquals(ConfigKey.ofDouble("lr", 0.1), ConfigKey.ofDouble("eta", 0.1));
    assertNotEquals(ConfigKey.ofLong("lr", 1), ConfigKey.ofDouble("lr", 1));
  }

  @Test
  void toString_nameAndSimpleType() {
    assertEquals("lr:Double", ConfigKey.ofDouble("lr", 0.1).toString());
    assertEquals("epochs:Long", ConfigKey.ofLong("epochs", 1).toString());
  }
}
