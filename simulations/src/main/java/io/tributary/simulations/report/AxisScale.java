package io.tributary.simulations.report;

import java.util.Locale;

/**
 * The range and tick marks of one plot axis, chosen with Heckbert's "nice numbers" (Graphics Gems,
 * 1990): ticks fall on multiples of 1, 2 or 5 times a power of ten, and an automatic range is widened
 * outwards to the nearest ticks so that every end of the data is labelled. (Heckbert first rounds
 * the range itself to a nice number; we do not, because that can halve the number of ticks.)
 *
 * <p>Edge cases: an empty range (a constant series, a single point) is widened around its value; an
 * integer axis (rounds) never gets a step below 1, so it is never labelled 2.5. Immutable and
 * thread-safe.
 */
final class AxisScale {
  private final double min;
  private final double max;
  private final double step;
  private final double firstTick;
  private final int tickCount;

  private AxisScale(double min, double max, double step) {
    this.min = min;
    this.max = max;
    this.step = step;
    // Tolerances absorb the rounding of min / step, so a tick that sits on a bound is kept.
    double first = Math.ceil(min / step - 1e-9) * step;
    this.firstTick = first;
    this.tickCount = Math.max(0, (int) Math.floor((max - first) / step + 1e-9) + 1);
  }

  /**
   * A range that covers {@code [dataMin, dataMax]} and ends on ticks.
   *
   * @param targetTicks about how many ticks the axis has room for, at least 2
   * @param integerSteps whether ticks must be whole numbers (e.g. rounds)
   */
  static AxisScale covering(double dataMin, double dataMax, int targetTicks, boolean integerSteps) {
    checkRange(dataMin, dataMax);
    double low = dataMin;
    double high = dataMax;
    if (high == low) {
      // A flat line sits in the middle of the plot instead of on its edge.
      double pad = low == 0.0 ? 1.0 : Math.abs(low) * 0.1;
      if (integerSteps) {
        pad = Math.max(pad, 1.0);
      }
      low -= pad;
      high += pad;
    }
    double step = step(high - low, targetTicks, integerSteps);
    double graphMin = Math.floor(low / step + 1e-9) * step;
    double graphMax = Math.ceil(high / step - 1e-9) * step;
    return new AxisScale(graphMin, graphMax, step);
  }

  /** Exactly {@code [min, max]}, with nice ticks inside it. */
  static AxisScale fixed(double min, double max, int targetTicks, boolean integerSteps) {
    checkRange(min, max);
    if (!(max > min)) {
      throw new IllegalArgumentException("range must have max > min, got [" + min + ", " + max + "]");
    }
    return new AxisScale(min, max, step(max - min, targetTicks, integerSteps));
  }

  private static void checkRange(double min, double max) {
    if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
      throw new IllegalArgumentException("range must be finite with min <= max, got [" + min + ", " + max + "]");
    }
  }

  private static double step(double range, int targetTicks, boolean integerSteps) {
    int ticks = Math.max(2, targetTicks);
    double step = niceNumber(range / (ticks - 1));
    return integerSteps ? Math.max(1.0, step) : step;
  }

  /** The 1, 2, 5 or 10 times a power of ten nearest to {@code value} (on a log scale, roughly). */
  static double niceNumber(double value) {
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    double fraction = value / power;
    double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
    return nice * power;
  }

  double min() {
    return min;
  }

  double max() {
    return max;
  }

  double step() {
    return step;
  }

  /** Tick values from low to high, all within {@code [min, max]}. */
  double[] ticks() {
    double[] ticks = new double[tickCount];
    for (int i = 0; i < tickCount; i++) {
      double value = firstTick + i * step;
      // 0.1 * 3 - 0.3 is not 0; a tick that should be zero must not print as -0.0 or 5.6E-17.
      ticks[i] = Math.abs(value) < step * 1e-9 ? 0.0 : value;
    }
    return ticks;
  }

  /** Formats a tick with as many decimals as the step needs, in every locale the same way. */
  String format(double value) {
    int stepExponent = (int) Math.floor(Math.log10(step) + 1e-9);
    double largest = Math.max(Math.abs(min), Math.abs(max));
    if (largest >= 1e7 || stepExponent < -5) {
      int valueExponent = (int) Math.floor(Math.log10(largest));
      int digits = Math.max(0, valueExponent - stepExponent);
      return String.format(Locale.ROOT, "%." + digits + "e", value);
    }
    int decimals = Math.max(0, -stepExponent);
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
