package io.tributary.core.config;

import java.util.Objects;

/**
 * A typed configuration key shared by a server-side component that writes it and the client-side
 * code that reads it (for example the local learning rate a strategy sends with each task).
 *
 * <p>Immutable and thread-safe. Supported value types: {@code Double}, {@code Long}, {@code String},
 * {@code Boolean} — the four kinds the wire's {@code ConfigValue} carries.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
  private final String name;
  private final Class<T> type;
  private final T defaultValue;

  private ConfigKey(String name, Class<T> type, T defaultValue) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("config key name must be non-empty");
    }
    if (type != Double.class && type != Long.class && type != String.class && type != Boolean.class) {
      throw new IllegalArgumentException("unsupported config type " + type.getName());
    }
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
  }

  public static ConfigKey<Double> ofDouble(String name, double defaultValue) {
    return new ConfigKey<>(name, Double.class, defaultValue);
  }

  public static ConfigKey<Long> ofLong(String name, long defaultValue) {
    return new ConfigKey<>(name, Long.class, defaultValue);
  }

  public static ConfigKey<String> ofString(String name, String defaultValue) {
    return new ConfigKey<>(name, String.class, defaultValue);
  }

  public static ConfigKey<Boolean> ofBoolean(String name, boolean defaultValue) {
    return new ConfigKey<>(name, Boolean.class, defaultValue);
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The value used when a config does not set this key (may be null). */
  public T defaultValue() {
    return defaultValue;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigKey<?> k && k.name.equals(name) && k.type == type;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type);
  }

  @Override
  public String toString() {
    return name + ":" + type.getSimpleName();
  }
}
