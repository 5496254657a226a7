package io.tributary.benchmarks.aggregation;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Pre-generated model updates in wire form (float32 little-endian), as clients would upload them. */
final class WireUpdates {
  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private WireUpdates() {}

  /**
   * {@code count} distinct updates of {@code parameters} values each drawn from N(0, sigma^2), the
   * typical size of a per-round weight delta; seeded, so every run folds the same bytes.
   */
  static byte[][] gaussianPool(int count, int parameters, double sigma, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    byte[][] pool = new byte[count][];
    for (int k = 0; k < count; k++) {
      SplittableRandom random = root.split();
      byte[] wire = new byte[Math.multiplyExact(4, parameters)];
      for (int i = 0; i < parameters; i++) {
        FLOAT_LE.set(wire, 4 * i, (float) (sigma * random.nextGaussian()));
      }
      pool[k] = wire;
    }
    return pool;
  }

  static float get(byte[] wire, int element) {
    return (float) FLOAT_LE.get(wire, 4 * element);
  }
}
