package io.tributary.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed scalars out of parsed YAML (or any loosely typed map) for config loaders, with errors
 * that name the key and the offending value. Stateless and thread-safe.
 */
public final class ConfigScalars {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private ConfigScalars() {}

  private static IllegalArgumentException bad(String key, String expected, Object v) {
    return new IllegalArgumentException("config '" + key + "' must be " + expected + ", got " + v);
  }

  /** A string; numbers and booleans are taken as their text. */
  public static String string(String key, Object v) {
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    throw bad(key, "a string", v);
  }

  public static long longInteger(String key, Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw bad(key, "an integer", v);
  }

  public static int integer(String key, Object v) {
    long l = longInteger(key, v);
    if (l != (int) l) {
      throw bad(key, "an integer in the int range", v);
    }
    return (int) l;
  }

  public static double number(String key, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw bad(key, "a number", v);
  }

  public static boolean bool(String key, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw bad(key, "true or false", v);
  }

  /** A batch size: an integer, or {@code inf}/{@code full}/{@code ∞} for the whole local dataset (0). */
  public static long batchSize(String key, Object v) {
    if (v instanceof String s && (s.equals("inf") || s.equals("full") || s.equals("∞"))) {
      return 0;
    }
    return longInteger(key, v);
  }

  /** "30s", "1500ms", "5m", "1h" or a bare number of seconds. */
  public static Duration duration(String key, Object v) {
    if (v instanceof Number n) {
      return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
    }
    Matcher m = DURATION.matcher(String.valueOf(v).trim());
    if (!m.matches()) {
      throw bad(key, "a duration such as 30s, 1500ms, 5m or 1h", v);
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double ms =
        switch (unit) {
          case "ms" -> amount;
          case "s" -> amount * 1000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    return Duration.ofMillis(Math.round(ms));
  }

  /** Checks a value that must be positive and finite (learning rates, α, ...). */
  public static double positiveFinite(String key, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("config '" + key + "': must be a positive finite number, got " + v);
    }
    return v;
  }

  /** Checks a value that must be at least {@code min}. */
  public static long atLeast(String key, long v, long min) {
    if (v < min) {
      throw new IllegalArgumentException("config '" + key + "': must be >= " + min + ", got " + v);
    }
    return v;
  }
}
