package io.tributary.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable map of typed configuration values, read through {@link ConfigKey}s.
 *
 * <p>Thread-safe. Reading a key whose stored value has another type is an error that names the key
 * and both types, so a misconfigured server is caught at the first read, not by a wrong cast later.
 */
public final class ConfigValues {
  private static final ConfigValues EMPTY = new ConfigValues(Map.of());
  private final Map<String, Object> values;

  private ConfigValues(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static ConfigValues empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The value of {@code key}, or its default when absent. */
  public <T> T get(ConfigKey<T> key) {
    Object v = values.get(key.name());
    if (v == null) {
      return key.defaultValue();
    }
    if (key.type() == Double.class && v instanceof Long l) {
      return key.type().cast(l.doubleValue());
    }
    if (!key.type().isInstance(v)) {
      throw new IllegalArgumentException(
          "config key '" + key.name() + "' holds a " + v.getClass().getSimpleName()
              + " but is read as " + key.type().getSimpleName());
    }
    return key.type().cast(v);
  }

  public boolean contains(String name) {
    return values.containsKey(name);
  }

  /** The raw values (Double, Long, String or Boolean), in insertion order. */
  public Map<String, Object> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigValues c && c.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  /** Collects values; each is checked as it is set. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();

    public <T> Builder set(ConfigKey<T> key, T value) {
      return put(key.name(), value);
    }

    /** Sets a raw value: Double, Long, Integer (stored as Long), String or Boolean. */
    public Builder put(String name, Object value) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("config key name must be non-empty");
      }
      if (value instanceof Integer i) {
        value = i.longValue();
      }
      if (value instanceof Double d && !Double.isFinite(d)) {
        throw new IllegalArgumentException("config key '" + name + "' must be finite, got " + d);
      }
      if (!(value instanceof Double || value instanceof Long || value instanceof String
          || value instanceof Boolean)) {
        throw new IllegalArgumentException(
            "config key '" + name + "' has unsupported value type "
                + (value == null ? "null" : value.getClass().getName()));
      }
      values.put(name, value);
      return this;
    }

    public Builder putAll(ConfigValues other) {
      values.putAll(other.values);
      return this;
    }

    public ConfigValues build() {
      return new ConfigValues(values);
    }
  }
}
