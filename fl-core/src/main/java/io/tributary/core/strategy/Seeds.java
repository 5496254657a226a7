package io.tributary.core.strategy;

/** Derives independent seeds from a run seed, so every random draw reproduces from one number. */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed seed for (run seed, stream index) — SplitMix64's finaliser over both. */
  public static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
