package io.tributary.crypto.dp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Rényi-DP privacy accountant: total RDP ε(α) at a fixed list of orders α, composed over steps
 * (rounds), and converted to (ε, δ)-DP.
 *
 * <h2>Composition</h2>
 *
 * RDP composes additively at every order (Mironov 2017, "Rényi Differential Privacy", Prop. 1):
 * T steps of a mechanism with curve ε(α) give T·ε(α), and different mechanisms add their curves.
 * {@link #compose(double, double, long)} adds the Poisson-subsampled Gaussian's curve
 * ({@link SubsampledGaussianRdp}); {@link #composeCurve(double[], long)} adds any curve given at
 * this accountant's orders (e.g. a distributed discrete Gaussian's);
 * {@link #composeFixedSize(int, int, double, long)} adds the bound for fixed-size cohorts sampled
 * without replacement ({@link FixedSizeGaussianRdp}, replace-one adjacency).
 *
 * <h2>Conversion to (ε, δ)</h2>
 *
 * <ul>
 *   <li>{@link Conversion#CLASSIC}: ε = min_α [rdp(α) + log(1/δ)/(α − 1)] (Mironov 2017, Prop. 3);
 *       inversely δ = min_α exp((α − 1)(rdp(α) − ε)).
 *   <li>{@link Conversion#IMPROVED}:
 *       ε = min_α [rdp(α) + log((α − 1)/α) − (log δ + log α)/(α − 1)]
 *       (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy", Prop. 12;
 *       Balle, Barthe, Gaboardi, Hsu, Sato 2020, "Hypothesis testing interpretations and Rényi
 *       differential privacy", Thm. 21); inversely
 *       δ = min_α exp((α − 1)(rdp(α) − ε) + (α − 1)·log(1 − 1/α) − log α). Never larger than the
 *       classic ε; the default.
 * </ul>
 *
 * The minimum is over this accountant's orders only, so the list matters: the default list
 * ({@link #defaultOrders()}) has steps of 0.05 up to α = 3 and 0.1 up to 11, where the optimum of
 * typical DP-SGD / DP-FedAvg settings lies, then integers to 64 and a few large orders up to 1024.
 * With integer orders only, ε is a few percent larger (tested on Abadi et al.'s setting).
 * ε is clamped at 0 and δ at 1.
 *
 * <h2>Budgets</h2>
 *
 * {@link #stepsWithin(double, double, double, double)} is the number of further steps that keep
 * ε(δ) within a budget; a training loop that runs a round only while it returns ≥ 1 stops before
 * the round that would exceed the budget.
 *
 * <h2>State</h2>
 *
 * The orders, the total RDP per order and the number of steps composed, as a compact string
 * ({@link #encode()} / {@link #decode(String)}) or a map of double arrays ({@link #snapshot()} /
 * {@link #fromSnapshot(Map)}), for saving with each model checkpoint so that a resumed run
 * continues from, and can never reset, the spent ε. Restoring checks the order list, lengths and
 * values ({@link #restore(String)} also requires the same orders as this accountant's).
 *
 * <p>Thread-safe: every method holds the accountant's lock.
 */
public final class RdpAccountant {

  /** How RDP is converted to (ε, δ)-DP. */
  public enum Conversion {
    /** Mironov 2017, Prop. 3. */
    CLASSIC,
    /** Canonne–Kamath–Steinke 2020 Prop. 12 / Balle et al. 2020 Thm. 21. */
    IMPROVED
  }

  /** An ε with the order that attains it. */
  public record Epsilon(double epsilon, double order, Conversion conversion) {}

  /** A δ with the order that attains it. */
  public record Delta(double delta, double order, Conversion conversion) {}

  private static final String FORMAT = "rdp1";

  private final double[] orders;
  private final double[] totalRdp;
  private long steps;

  /** An accountant over {@link #defaultOrders()}, with nothing spent. */
  public RdpAccountant() {
    this(defaultOrders());
  }

  /**
   * An accountant over {@code orders}, with nothing spent.
   *
   * @param orders strictly increasing, each in (1, 100000]
   * @throws IllegalArgumentException when they are not
   */
  public RdpAccountant(double[] orders) {
    checkOrders(orders);
    this.orders = orders.clone();
    this.totalRdp = new double[orders.length];
  }

  /**
   * 1.05, 1.10, …, 3.00 (step 0.05), 3.1, …, 11.0 (step 0.1), 11.5, 12, 13, …, 64, 72, 80, 96,
   * 128, 160, 192, 256, 384, 512, 768, 1024.
   */
  public static double[] defaultOrders() {
    List<Double> list = new ArrayList<>();
    for (int k = 1; k <= 40; k++) {
      list.add(1.0 + k / 20.0);
    }
    for (int k = 1; k <= 80; k++) {
      list.add(3.0 + k / 10.0);
    }
    list.add(11.5);
    for (int a = 12; a <= 64; a++) {
      list.add((double) a);
    }
    for (int a : new int[] {72, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024}) {
      list.add((double) a);
    }
    return list.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The integers 2, …, 64 and 72, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024. */
  public static double[] integerOrders() {
    return Arrays.stream(defaultOrders()).filter(a -> a == Math.rint(a)).toArray();
  }

  /** A copy of the orders. */
  public double[] orders() {
    return orders.clone();
  }

  /** A copy of the total RDP at each order. */
  public synchronized double[] totalRdp() {
    return totalRdp.clone();
  }

  /** Number of steps composed so far. */
  public synchronized long steps() {
    return steps;
  }

  /**
   * Adds {@code steps} steps of the Poisson-subsampled Gaussian mechanism.
   *
   * @param q sampling rate in [0, 1]
   * @param noiseMultiplier z ≥ 0 (noise standard deviation over the L2 clip bound)
   * @param steps ≥ 0
   * @throws IllegalArgumentException naming the offending parameter
   */
  public void compose(double q, double noiseMultiplier, long steps) {
    checkSteps(steps);
    double[] curve = SubsampledGaussianRdp.rdp(q, noiseMultiplier, orders);
    add(curve, steps);
  }

  /**
   * Adds {@code steps} steps of Gaussian noise on a cohort of {@code m} of {@code n} records drawn
   * without replacement (an upper bound under replace-one adjacency, {@link FixedSizeGaussianRdp}).
   */
  public void composeFixedSize(int m, int n, double noiseMultiplier, long steps) {
    checkSteps(steps);
    add(FixedSizeGaussianRdp.rdp(m, n, noiseMultiplier, orders), steps);
  }

  /**
   * Adds {@code steps} steps of a mechanism whose RDP at {@link #orders()} is {@code rdpPerOrder}.
   *
   * @throws IllegalArgumentException when the length differs from the number of orders, a value is
   *     negative or NaN (+∞ is allowed), or steps is negative
   */
  public void composeCurve(double[] rdpPerOrder, long steps) {
    checkSteps(steps);
    checkCurveLength(rdpPerOrder, "rdpPerOrder");
    checkCurve(rdpPerOrder, "rdpPerOrder");
    add(rdpPerOrder, steps);
  }

  private synchronized void add(double[] curve, long steps) {
    if (steps == 0) {
      return;
    }
    for (int i = 0; i < orders.length; i++) {
      if (curve[i] != 0.0) {
        totalRdp[i] += steps * curve[i];
      }
    }
    this.steps += steps;
  }

  /** ε at {@code delta} with the improved conversion. */
  public Epsilon epsilon(double delta) {
    return epsilon(delta, Conversion.IMPROVED);
  }

  /**
   * The smallest ε over the orders such that the composition so far is (ε, δ)-DP.
   *
   * @param delta in (0, 1)
   * @throws IllegalArgumentException when delta is not
   */
  public synchronized Epsilon epsilon(double delta, Conversion conversion) {
    return epsilon(orders, totalRdp, delta, conversion);
  }

  /** δ at {@code epsilon} with the improved conversion. */
  public Delta delta(double epsilon) {
    return delta(epsilon, Conversion.IMPROVED);
  }

  /**
   * The smallest δ over the orders such that the composition so far is (ε, δ)-DP.
   *
   * @param epsilon ≥ 0, finite
   * @throws IllegalArgumentException when epsilon is not
   */
  public synchronized Delta delta(double epsilon, Conversion conversion) {
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
    }
    checkConversion(conversion);
    double bestLog = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    for (int i = 0; i < orders.length; i++) {
      double a = orders[i];
      double logDelta = (a - 1) * (totalRdp[i] - epsilon);
      if (conversion == Conversion.IMPROVED) {
        logDelta += (a - 1) * Math.log1p(-1 / a) - Math.log(a);
      }
      if (logDelta < bestLog) {
        bestLog = logDelta;
        bestOrder = a;
      }
    }
    return new Delta(Math.min(1.0, Math.exp(bestLog)), bestOrder, conversion);
  }

  /**
   * The ε of a total RDP curve {@code rdp} at {@code orders}.
   *
   * @throws IllegalArgumentException on a bad delta, or when the arrays differ in length
   */
  public static Epsilon epsilon(double[] orders, double[] rdp, double delta,
      Conversion conversion) {
    checkDelta(delta);
    checkConversion(conversion);
    if (orders.length != rdp.length) {
      throw new IllegalArgumentException(
          orders.length + " orders but " + rdp.length + " RDP values");
    }
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    double logInvDelta = -Math.log(delta);
    for (int i = 0; i < orders.length; i++) {
      double a = orders[i];
      double e;
      if (conversion == Conversion.CLASSIC) {
        e = rdp[i] + logInvDelta / (a - 1);
      } else {
        e = rdp[i] + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
      }
      if (e < best) {
        best = e;
        bestOrder = a;
      }
    }
    return new Epsilon(Math.max(0.0, best), bestOrder, conversion);
  }

  /**
   * The number of further steps of the Poisson-subsampled Gaussian that keep ε(δ) (improved
   * conversion) at or below {@code epsilonBudget}; 0 when even one more would exceed it (or it is
   * already exceeded), {@link Long#MAX_VALUE} when no number of steps would (q = 0).
   */
  public long stepsWithin(double q, double noiseMultiplier, double epsilonBudget, double delta) {
    return stepsWithin(SubsampledGaussianRdp.rdp(q, noiseMultiplier, orders), epsilonBudget, delta,
        Conversion.IMPROVED);
  }

  /**
   * The number of further steps of a mechanism with per-step curve {@code rdpPerOrder} that keep
   * ε(δ) at or below {@code epsilonBudget}, by bisection (ε is non-decreasing in the number of
   * steps).
   */
  public long stepsWithin(double[] rdpPerOrder, double epsilonBudget, double delta,
      Conversion conversion) {
    checkCurveLength(rdpPerOrder, "rdpPerOrder");
    checkCurve(rdpPerOrder, "rdpPerOrder");
    checkBudget(epsilonBudget);
    checkDelta(delta);
    checkConversion(conversion);
    double[] total;
    synchronized (this) {
      total = totalRdp.clone();
    }
    if (epsilonAfter(total, rdpPerOrder, 1, delta, conversion) > epsilonBudget) {
      return 0;
    }
    long lo = 1; // fits
    long hi = 2;
    while (epsilonAfter(total, rdpPerOrder, hi, delta, conversion) <= epsilonBudget) {
      lo = hi;
      if (hi > Long.MAX_VALUE / 4) {
        return Long.MAX_VALUE;
      }
      hi *= 2;
    }
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (epsilonAfter(total, rdpPerOrder, mid, delta, conversion) <= epsilonBudget) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Whether {@code steps} more steps of the Poisson-subsampled Gaussian would take ε(δ) (improved
   * conversion) above {@code epsilonBudget}.
   */
  public boolean wouldExceed(double q, double noiseMultiplier, long steps, double epsilonBudget,
      double delta) {
    checkSteps(steps);
    checkBudget(epsilonBudget);
    checkDelta(delta);
    double[] curve = SubsampledGaussianRdp.rdp(q, noiseMultiplier, orders);
    double[] total;
    synchronized (this) {
      total = totalRdp.clone();
    }
    return epsilonAfter(total, curve, steps, delta, Conversion.IMPROVED) > epsilonBudget;
  }

  private double epsilonAfter(double[] total, double[] curve, long n, double delta,
      Conversion conversion) {
    double[] after = new double[total.length];
    for (int i = 0; i < total.length; i++) {
      after[i] = curve[i] == 0.0 ? total[i] : total[i] + n * curve[i];
    }
    return epsilon(orders, after, delta, conversion).epsilon();
  }

  // ---------------------------------------------------------------- state

  /**
   * The state as one line, {@code rdp1;steps=N;orders=a,b,…;rdp=x,y,…}, with every double written
   * so that it reads back exactly.
   */
  public synchronized String encode() {
    StringBuilder sb = new StringBuilder(FORMAT).append(";steps=").append(steps).append(";orders=");
    join(sb, orders);
    sb.append(";rdp=");
    join(sb, totalRdp);
    return sb.toString();
  }

  private static void join(StringBuilder sb, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(values[i]);
    }
  }

  /**
   * An accountant from {@link #encode()}'s string.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static RdpAccountant decode(String encoded) {
    if (encoded == null) {
      throw new IllegalArgumentException("accountant state is null");
    }
    String[] parts = encoded.trim().split(";", -1);
    if (parts.length != 4 || !parts[0].equals(FORMAT)) {
      throw new IllegalArgumentException("accountant state must look like '" + FORMAT
          + ";steps=N;orders=...;rdp=...', got '" + abbreviate(encoded) + "'");
    }
    long steps;
    try {
      steps = Long.parseLong(field(parts[1], "steps"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("accountant state: steps is not an integer: " + parts[1]);
    }
    double[] orders = parseList(field(parts[2], "orders"), "orders");
    double[] rdp = parseList(field(parts[3], "rdp"), "rdp");
    return build(orders, rdp, steps);
  }

  /** The state as {@code orders}, {@code totalRdp} and {@code steps} (a one-element array). */
  public synchronized Map<String, double[]> snapshot() {
    Map<String, double[]> out = new LinkedHashMap<>();
    out.put("orders", orders.clone());
    out.put("totalRdp", totalRdp.clone());
    out.put("steps", new double[] {steps});
    return out;
  }

  /**
   * An accountant from {@link #snapshot()}'s map.
   *
   * @throws IllegalArgumentException saying what is missing or wrong
   */
  public static RdpAccountant fromSnapshot(Map<String, double[]> state) {
    if (state == null) {
      throw new IllegalArgumentException("accountant state is null");
    }
    for (String key : List.of("orders", "totalRdp", "steps")) {
      if (state.get(key) == null) {
        throw new IllegalArgumentException("accountant state has no '" + key + "'");
      }
    }
    double[] s = state.get("steps");
    if (s.length != 1 || !(s[0] >= 0) || s[0] != Math.rint(s[0]) || s[0] > 0x1p53) {
      throw new IllegalArgumentException(
          "accountant state: steps must be one non-negative integer, got " + Arrays.toString(s));
    }
    return build(state.get("orders"), state.get("totalRdp"), (long) s[0]);
  }

  /**
   * Replaces this accountant's spent budget with the one in {@code encoded}, which must have been
   * saved by an accountant with the same orders.
   *
   * @throws IllegalArgumentException when the state is malformed or its orders differ
   */
  public void restore(String encoded) {
    RdpAccountant saved = decode(encoded);
    if (!Arrays.equals(saved.orders, orders)) {
      throw new IllegalArgumentException("accountant state was saved with " + saved.orders.length
          + " orders " + abbreviate(Arrays.toString(saved.orders)) + " but this accountant has "
          + orders.length + " orders " + abbreviate(Arrays.toString(orders)));
    }
    synchronized (this) {
      System.arraycopy(saved.totalRdp, 0, totalRdp, 0, totalRdp.length);
      steps = saved.steps;
    }
  }

  private static RdpAccountant build(double[] orders, double[] rdp, long steps) {
    try {
      checkOrders(orders);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("accountant state: " + e.getMessage(), e);
    }
    if (rdp.length != orders.length) {
      throw new IllegalArgumentException("accountant state has " + orders.length + " orders but "
          + rdp.length + " RDP values");
    }
    checkCurve(rdp, "accountant state RDP");
    if (steps < 0) {
      throw new IllegalArgumentException("accountant state: steps must be >= 0, got " + steps);
    }
    if (steps == 0) {
      for (double v : rdp) {
        if (v != 0.0) {
          throw new IllegalArgumentException(
              "accountant state: 0 steps but a non-zero total RDP " + v);
        }
      }
    }
    RdpAccountant acc = new RdpAccountant(orders);
    System.arraycopy(rdp, 0, acc.totalRdp, 0, rdp.length);
    acc.steps = steps;
    return acc;
  }

  private static String field(String part, String name) {
    String prefix = name + "=";
    if (!part.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "accountant state: expected '" + prefix + "...', got '" + abbreviate(part) + "'");
    }
    return part.substring(prefix.length());
  }

  private static double[] parseList(String text, String name) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("accountant state: " + name + " is empty");
    }
    String[] items = text.split(",", -1);
    double[] out = new double[items.length];
    for (int i = 0; i < items.length; i++) {
      try {
        out[i] = Double.parseDouble(items[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("accountant state: " + name + "[" + i + "] = '"
            + abbreviate(items[i]) + "' is not a number");
      }
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  // ---------------------------------------------------------------- validation

  private static void checkOrders(double[] orders) {
    if (orders == null || orders.length == 0) {
      throw new IllegalArgumentException("orders must be a non-empty list");
    }
    for (int i = 0; i < orders.length; i++) {
      if (!(orders[i] > 1 && orders[i] <= SubsampledGaussianRdp.MAX_ORDER)) {
        throw new IllegalArgumentException("orders[" + i + "] must be > 1 and <= "
            + SubsampledGaussianRdp.MAX_ORDER + ", got " + orders[i]);
      }
      if (i > 0 && !(orders[i] > orders[i - 1])) {
        throw new IllegalArgumentException("orders must be strictly increasing, but orders[" + i
            + "] = " + orders[i] + " follows " + orders[i - 1]);
      }
    }
  }

  private void checkCurveLength(double[] curve, String name) {
    if (curve == null || curve.length != orders.length) {
      throw new IllegalArgumentException(name + " must have one value per order (" + orders.length
          + "), got " + (curve == null ? "null" : curve.length));
    }
  }

  private static void checkCurve(double[] curve, String name) {
    if (curve == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    for (int i = 0; i < curve.length; i++) {
      if (!(curve[i] >= 0)) {
        throw new IllegalArgumentException(
            name + "[" + i + "] must be >= 0 (and not NaN), got " + curve[i]);
      }
    }
  }

  private static void checkSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
  }

  private static void checkDelta(double delta) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
  }

  private static void checkBudget(double epsilonBudget) {
    if (!(epsilonBudget >= 0) || Double.isInfinite(epsilonBudget)) {
      throw new IllegalArgumentException(
          "epsilon budget must be finite and >= 0, got " + epsilonBudget);
    }
  }

  private static void checkConversion(Conversion conversion) {
    if (conversion == null) {
      throw new IllegalArgumentException("conversion must not be null");
    }
  }
}
