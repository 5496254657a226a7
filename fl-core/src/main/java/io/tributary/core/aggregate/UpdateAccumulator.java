package io.tributary.core.aggregate;

import io.tributary.core.model.ModelLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A streaming, exact and order-independent weighted sum of model updates, folded straight from their
 * wire bytes (float32 little-endian).
 *
 * <p>Each value {@code v} of an update with weight {@code w} contributes the integer {@code
 * rint(v * w * 2^F)} to a {@code long} per parameter ({@code F} = {@link #fractionBits()}). Because
 * {@code v} has a 24-bit significand and {@code w < 2^28}, the product is exact in a double, so each
 * contribution is a pure function of the update; integer addition is associative, so the sum does not
 * depend on the order updates arrive in or on how threads interleave, and merging partial
 * accumulators gives bit-for-bit the same result as one pass. Values are bounded by {@link
 * #maxAbsValue()} and the total weight by {@link #maxTotalWeight()}, which together rule out
 * overflow.
 *
 * <p>Memory is one {@code long} per parameter, whatever the number of updates. Thread-safe: {@link
 * #add} may be called from many threads at once; the sums are split into stripes, each with its own
 * lock, and concurrent folds start at different stripes so they rarely wait for each other.
 *
 * <p>Callers validate an update completely ({@link #validate}) before folding it, so that an invalid
 * update never leaves a trace.
 */
public final class UpdateAccumulator {
  /** Default fixed-point fraction bits: resolution 2^-24 per unit of weight. */
  public static final int DEFAULT_FRACTION_BITS = 24;
  /** Default bound on the absolute value of any update element. */
  public static final double DEFAULT_MAX_ABS_VALUE = 1024.0;

  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int STRIPE_ELEMENTS = 1 << 16;

  private final ModelLayout layout;
  private final int fractionBits;
  private final double maxAbsValue;
  private final long maxTotalWeight;
  private final long[] sums;
  private final ReentrantLock[] stripeLocks;
  private final AtomicInteger nextStartStripe = new AtomicInteger();
  private final Object countLock = new Object();
  private long totalWeight;
  private int updates;

  /** An accumulator with the default range and precision. */
  public UpdateAccumulator(ModelLayout layout) {
    this(layout, DEFAULT_FRACTION_BITS, DEFAULT_MAX_ABS_VALUE);
  }

  /**
   * @param fractionBits fixed-point fraction bits, 8..40
   * @param maxAbsValue bound on |value|, a power of two between 2^-8 and 2^20
   */
  public UpdateAccumulator(ModelLayout layout, int fractionBits, double maxAbsValue) {
    if (fractionBits < 8 || fractionBits > 40) {
      throw new IllegalArgumentException("fractionBits must be in 8..40, got " + fractionBits);
    }
    if (!(maxAbsValue >= 0x1p-8 && maxAbsValue <= 0x1p20)
        || maxAbsValue != Math.scalb(1.0, Math.getExponent(maxAbsValue))) {
      throw new IllegalArgumentException(
          "maxAbsValue must be a power of two in [2^-8, 2^20], got " + maxAbsValue);
    }
    int valueBits = Math.getExponent(maxAbsValue);
    // |sum| <= maxAbs * W * 2^F must stay below 2^62; W must also stay below 2^28 for exact products.
    int weightBits = Math.min(28, 62 - fractionBits - valueBits);
    if (weightBits < 1) {
      throw new IllegalArgumentException(
          "fractionBits " + fractionBits + " and maxAbsValue " + maxAbsValue + " leave no room for weights");
    }
    this.layout = layout;
    this.fractionBits = fractionBits;
    this.maxAbsValue = maxAbsValue;
    this.maxTotalWeight = 1L << weightBits;
    this.sums = new long[layout.totalElements()];
    int stripes = (sums.length + STRIPE_ELEMENTS - 1) / STRIPE_ELEMENTS;
    this.stripeLocks = new ReentrantLock[Math.max(1, stripes)];
    for (int i = 0; i < stripeLocks.length; i++) {
      stripeLocks[i] = new ReentrantLock();
    }
  }

  public ModelLayout layout() {
    return layout;
  }

  public int fractionBits() {
    return fractionBits;
  }

  public double maxAbsValue() {
    return maxAbsValue;
  }

  /** Largest total weight this accumulator accepts (2^28 with the defaults). */
  public long maxTotalWeight() {
    return maxTotalWeight;
  }

  /**
   * Checks a whole update in wire form: exactly {@code 4 * parameters} bytes from {@code offset},
   * every value finite and within ±{@link #maxAbsValue()}.
   *
   * @throws InvalidUpdateException naming the first offending tensor element
   */
  public void validate(byte[] wire, int offset, int length) throws InvalidUpdateException {
    if (length != 4L * sums.length) {
      throw new InvalidUpdateException(
          "update has " + length + " bytes, the model needs " + 4L * sums.length + " ("
              + sums.length + " float32 values)");
    }
    validateRange(wire, offset, 0, sums.length);
  }

  /**
   * Checks {@code count} values that start at parameter {@code firstElement}: each must be finite and
   * within ±{@link #maxAbsValue()}.
   */
  public void validateRange(byte[] wire, int offset, int firstElement, int count)
      throws InvalidUpdateException {
    float max = (float) maxAbsValue;
    for (int i = 0; i < count; i++) {
      float v = (float) FLOAT_LE.get(wire, offset + 4 * i);
      if (!(Math.abs(v) <= max)) {
        throw badValue(v, firstElement + (long) i);
      }
    }
  }

  /**
   * Checks an update held as floats (in-process transports such as the simulation): exactly one
   * value per parameter, each finite and within ±{@link #maxAbsValue()}.
   */
  public void validate(float[] values) throws InvalidUpdateException {
    if (values.length != sums.length) {
      throw new InvalidUpdateException(
          "update has " + values.length + " values, the model has " + sums.length);
    }
    float max = (float) maxAbsValue;
    // A max-reduction (vectorised; NaN propagates through Math.max), then the search for the first
    // offending element only when there is one.
    float largest = 0f;
    for (float v : values) {
      largest = Math.max(largest, Math.abs(v));
    }
    if (largest <= max) {
      return;
    }
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!(Math.abs(v) <= max)) {
        throw badValue(v, i);
      }
    }
  }

  /**
   * Folds a validated update held as floats: the same contributions {@code rint(v * w * 2^F)}, bit for
   * bit, as {@link #add(byte[], int, long)} on its wire form, without encoding it first.
   */
  public void add(float[] values, long weight) throws InvalidUpdateException {
    add(values, weight, 1.0);
  }

  /**
   * Folds a validated update held as floats, multiplied by {@code multiplier} first: each value
   * contributes {@code rint(v * (w * m * 2^F))}, the product taken in double — still a pure function
   * of the update, so the sum stays exact and order-independent. With {@code m = 1} this is {@link
   * #add(float[], long)} bit for bit. The total weight grows by {@code weight}, not {@code weight *
   * m}: the mean becomes {@code Σ w_k m_k u_k / Σ w_k} (FedNova folds Δ_i / ‖a_i‖₁ this way).
   *
   * @param multiplier in (0, 1], so that values stay within {@link #maxAbsValue()}
   * @throws InvalidUpdateException if the length, weight or multiplier is out of range; nothing is
   *     folded then
   */
  public void add(float[] values, long weight, double multiplier) throws InvalidUpdateException {
    if (values.length != sums.length) {
      throw new InvalidUpdateException(
          "update has " + values.length + " values, the model has " + sums.length);
    }
    checkMultiplier(multiplier);
    reserveWeight(weight);
    double scale = Math.scalb((double) weight, fractionBits) * multiplier;
    foldStriped((from, to) -> {
      for (int i = from; i < to; i++) {
        sums[i] += (long) Math.rint(values[i] * scale);
      }
    });
  }

  private InvalidUpdateException badValue(float v, long element) {
    return new InvalidUpdateException(describe(v) + " at " + layout.locate(element)
        + (Float.isFinite(v) ? " (the limit is ±" + maxAbsValue + ")" : ""));
  }

  private static String describe(float v) {
    if (Float.isNaN(v)) {
      return "NaN value";
    }
    if (Float.isInfinite(v)) {
      return "infinite value";
    }
    return "value " + v + " out of range";
  }

  /**
   * Folds one complete, validated update into the sum with aggregation weight {@code weight}.
   *
   * @param wire little-endian float32 values, {@code 4 * parameters} bytes from {@code offset}
   * @throws InvalidUpdateException if the weight is not positive or would push the total weight
   *     past {@link #maxTotalWeight()}; nothing is folded then
   */
  public void add(byte[] wire, int offset, long weight) throws InvalidUpdateException {
    add(wire, offset, weight, 1.0);
  }

  /**
   * Folds one complete, validated update multiplied by {@code multiplier}, with the contributions of
   * {@link #add(float[], long, double)} bit for bit.
   *
   * @param multiplier in (0, 1]
   * @throws InvalidUpdateException if the size, weight or multiplier is out of range; nothing is
   *     folded then
   */
  public void add(byte[] wire, int offset, long weight, double multiplier) throws InvalidUpdateException {
    if (wire.length - offset < 4L * sums.length) {
      throw new InvalidUpdateException(
          "update has " + (wire.length - offset) + " bytes, the model needs " + 4L * sums.length);
    }
    checkMultiplier(multiplier);
    reserveWeight(weight);
    double scale = Math.scalb((double) weight, fractionBits) * multiplier;
    foldStriped((from, to) -> fold(sums, from, to, wire, offset + 4 * from, scale));
  }

  /** Folds one stripe's range [from, to) of the sums; called with that stripe's lock held. */
  @FunctionalInterface
  private interface StripeFold {
    void fold(int from, int to);
  }

  /**
   * Runs {@code fold} over every stripe under the stripe's lock, starting at a different stripe for
   * each call so that concurrent folds rarely wait for each other.
   */
  private void foldStriped(StripeFold fold) {
    int stripes = stripeLocks.length;
    int start = Math.floorMod(nextStartStripe.getAndIncrement(), stripes);
    for (int k = 0; k < stripes; k++) {
      int s = start + k;
      if (s >= stripes) {
        s -= stripes;
      }
      int from = s * STRIPE_ELEMENTS;
      int to = Math.min(sums.length, from + STRIPE_ELEMENTS);
      ReentrantLock lock = stripeLocks[s];
      lock.lock();
      try {
        fold.fold(from, to);
      } finally {
        lock.unlock();
      }
    }
  }

  /** The hot loop: one read of the wire bytes, one read and one write of the sums. */
  private static void fold(long[] sums, int from, int to, byte[] wire, int wireOff, double scale) {
    for (int i = from, b = wireOff; i < to; i++, b += 4) {
      float v = (float) FLOAT_LE.get(wire, b);
      sums[i] += (long) Math.rint(v * scale);
    }
  }

  private static void checkMultiplier(double multiplier) throws InvalidUpdateException {
    if (!(multiplier > 0 && multiplier <= 1)) {
      throw new InvalidUpdateException("update multiplier must be in (0, 1], got " + multiplier);
    }
  }

  private void reserveWeight(long weight) throws InvalidUpdateException {
    if (weight <= 0) {
      throw new InvalidUpdateException("aggregation weight must be positive, got " + weight);
    }
    synchronized (countLock) {
      if (weight > maxTotalWeight - totalWeight) {
        throw new InvalidUpdateException(
            "aggregation weight " + weight + " would take the round's total weight past "
                + maxTotalWeight);
      }
      totalWeight += weight;
      updates++;
    }
  }

  /** Adds another accumulator's sums (same layout and precision): exact, like one pass over both. */
  public void merge(UpdateAccumulator other) throws InvalidUpdateException {
    if (!other.layout.equals(layout) || other.fractionBits != fractionBits
        || other.maxAbsValue != maxAbsValue) {
      throw new IllegalArgumentException("accumulators differ in layout or precision");
    }
    AggregatedUpdate part = other.snapshot();
    if (part.updates() == 0) {
      return;
    }
    synchronized (countLock) {
      if (part.totalWeight() > maxTotalWeight - totalWeight) {
        throw new InvalidUpdateException("merged total weight would exceed " + maxTotalWeight);
      }
      totalWeight += part.totalWeight();
      updates += part.updates();
    }
    for (int s = 0; s < stripeLocks.length; s++) {
      int from = s * STRIPE_ELEMENTS;
      int to = Math.min(sums.length, from + STRIPE_ELEMENTS);
      stripeLocks[s].lock();
      try {
        for (int i = from; i < to; i++) {
          sums[i] += part.rawSum(i);
        }
      } finally {
        stripeLocks[s].unlock();
      }
    }
  }

  /** Number of updates folded so far. */
  public int updates() {
    synchronized (countLock) {
      return updates;
    }
  }

  /** Sum of the weights folded so far. */
  public long totalWeight() {
    synchronized (countLock) {
      return totalWeight;
    }
  }

  /**
   * An immutable copy of the current state. Call it once the folds it should include have returned;
   * folds running concurrently may or may not be included.
   */
  public AggregatedUpdate snapshot() {
    long[] copy = new long[sums.length];
    for (int s = 0; s < stripeLocks.length; s++) {
      int from = s * STRIPE_ELEMENTS;
      int to = Math.min(sums.length, from + STRIPE_ELEMENTS);
      stripeLocks[s].lock();
      try {
        System.arraycopy(sums, from, copy, from, to - from);
      } finally {
        stripeLocks[s].unlock();
      }
    }
    synchronized (countLock) {
      return new AggregatedUpdate(layout, copy, fractionBits, totalWeight, updates);
    }
  }

  /** Bytes of wire data one {@link #add} reads: 4 a parameter (for benchmarks' byte counts). */
  public long wireBytesPerUpdate() {
    return 4L * sums.length;
  }
}
