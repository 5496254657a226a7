package io.tributary.core.nn;

import java.util.Arrays;
import java.util.List;

/**
 * Looks up built-in architectures by name: {@code mnist-2nn}, {@code mnist-cnn}, or {@code
 * mlp:784-200-200-10} for any dense network.
 */
public final class Architectures {
  /** Names accepted by {@link #byName}, for error messages and {@code --help}. */
  public static final List<String> NAMES = List.of("mnist-2nn", "mnist-cnn", "mlp:<in>-<hidden>...-<out>");

  private Architectures() {}

  public static ModelArchitecture byName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("model name is missing; expected one of " + NAMES);
    }
    switch (name) {
      case "mnist-2nn":
        return DenseNetwork.mnist2nn();
      case "mnist-cnn":
        return ConvNetwork.mnistCnn();
      default:
        break;
    }
    if (name.startsWith("mlp:")) {
      try {
        int[] sizes = Arrays.stream(name.substring(4).split("-", -1)).mapToInt(Integer::parseInt).toArray();
        return DenseNetwork.of(name, sizes);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad layer sizes in model '" + name + "'; expected e.g. mlp:784-200-10");
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + NAMES);
  }
}
