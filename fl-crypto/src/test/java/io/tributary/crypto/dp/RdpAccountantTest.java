package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.SubsampledGaussianRdpTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.dp.RdpAccountant.Conversion;
import io.tributary.crypto.dp.RdpAccountant.Epsilon;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {

  private static final double[] SMALL_ORDERS =
      {1.5, 1.75, 2, 2.5, 3, 4, 5.5, 8, 12, 16, 20, 32, 64};

  /** Abadi et al. 2016 (MNIST, q = 0.01, σ = 4, 10,000 steps, δ = 1e-5). */
  @Test
  void reproducesAbadiEtAl() {
    RdpAccountant acc = new RdpAccountant();
    acc.compose(0.01, 4.0, 10_000);
    Epsilon classic = acc.epsilon(1e-5, Conversion.CLASSIC);
    Epsilon improved = acc.epsilon(1e-5, Conversion.IMPROVED);
    assertEquals(1.2586, classic.epsilon(), 0.005 * 1.2586);
    assertEquals(1.0355, improved.epsilon(), 0.005 * 1.0355);
    assertEquals(1.2586, classic.epsilon(), 1e-4); // in fact to all four published digits
    assertEquals(1.0355, improved.epsilon(), 1e-4);
    assertEquals(20.0, classic.order());
    assertEquals(17.0, improved.order());
    assertEquals(improved, acc.epsilon(1e-5)); // improved is the default
  }

  /**
   * With the optimum between integer orders, an integer-only order list overstates ε: at q = 0.1,
   * z = 1, 100 steps, δ = 1e-5 (classic optimum at α = 3.3) by about 1.5%.
   */
  @Test
  void integerOnlyOrdersOverstateEpsilon() {
    RdpAccountant fractional = new RdpAccountant();
    RdpAccountant integer = new RdpAccountant(RdpAccountant.integerOrders());
    fractional.compose(0.1, 1.0, 100);
    integer.compose(0.1, 1.0, 100);
    Epsilon f = fractional.epsilon(1e-5, Conversion.CLASSIC);
    Epsilon i = integer.epsilon(1e-5, Conversion.CLASSIC);
    assertTrue(f.order() != Math.rint(f.order()), "optimum " + f.order());
    assertTrue(i.epsilon() > 1.01 * f.epsilon(), i + " vs " + f);
    assertTrue(integer.epsilon(1e-5).epsilon() > 1.005 * fractional.epsilon(1e-5).epsilon());
    // and never the other way round: the integer orders are a subset of the default ones
    for (double[] s : new double[][] {{0.01, 4, 10000}, {0.01, 1.1, 1000}, {0.05, 1, 1000}}) {
      RdpAccountant a = new RdpAccountant();
      RdpAccountant b = new RdpAccountant(RdpAccountant.integerOrders());
      a.compose(s[0], s[1], (long) s[2]);
      b.compose(s[0], s[1], (long) s[2]);
      for (Conversion c : Conversion.values()) {
        assertTrue(a.epsilon(1e-5, c).epsilon() <= b.epsilon(1e-5, c).epsilon());
      }
    }
  }

  @Test
  void improvedConversionNeverWorseThanClassic() {
    for (double[] s : new double[][] {{0.01, 4, 10000}, {0.1, 1, 100}, {1e-3, 0.7, 1}, {1, 5, 3}}) {
      RdpAccountant acc = new RdpAccountant();
      acc.compose(s[0], s[1], (long) s[2]);
      for (double delta : new double[] {1e-3, 1e-5, 1e-9}) {
        assertTrue(acc.epsilon(delta, Conversion.IMPROVED).epsilon()
            <= acc.epsilon(delta, Conversion.CLASSIC).epsilon());
      }
    }
  }

  @Test
  void compositionIsAdditiveAndMonotoneInSteps() {
    RdpAccountant once = new RdpAccountant(SMALL_ORDERS);
    once.compose(0.02, 1.3, 300);
    RdpAccountant split = new RdpAccountant(SMALL_ORDERS);
    split.compose(0.02, 1.3, 100);
    split.compose(0.02, 1.3, 0);
    split.compose(0.02, 1.3, 200);
    assertEquals(300, split.steps());
    double[] perStep = SubsampledGaussianRdp.rdp(0.02, 1.3, SMALL_ORDERS);
    for (int i = 0; i < SMALL_ORDERS.length; i++) {
      assertEquals(300 * perStep[i], once.totalRdp()[i], 1e-12 * once.totalRdp()[i]);
      assertEquals(once.totalRdp()[i], split.totalRdp()[i], 1e-12 * once.totalRdp()[i]);
    }
    double previous = 0;
    RdpAccountant acc = new RdpAccountant(SMALL_ORDERS);
    for (int round = 0; round < 20; round++) {
      acc.compose(0.02, 1.3, 50);
      double eps = acc.epsilon(1e-5).epsilon();
      assertTrue(eps > previous);
      previous = eps;
    }
  }

  @Test
  void composeCurveAddsAGivenCurve() {
    RdpAccountant viaCurve = new RdpAccountant(SMALL_ORDERS);
    viaCurve.composeCurve(SubsampledGaussianRdp.rdp(0.05, 2.0, SMALL_ORDERS), 40);
    RdpAccountant direct = new RdpAccountant(SMALL_ORDERS);
    direct.compose(0.05, 2.0, 40);
    assertArrayEquals(direct.totalRdp(), viaCurve.totalRdp(), 0.0);
    assertEquals(40, viaCurve.steps());
    assertMessage("one value per order", () -> viaCurve.composeCurve(new double[3], 1));
    double[] negative = new double[SMALL_ORDERS.length];
    negative[4] = -1e-3;
    assertMessage("rdpPerOrder[4]", () -> viaCurve.composeCurve(negative, 1));
    double[] nan = new double[SMALL_ORDERS.length];
    nan[0] = Double.NaN;
    assertMessage("rdpPerOrder[0]", () -> viaCurve.composeCurve(nan, 1));
    assertMessage("steps", () -> viaCurve.composeCurve(new double[SMALL_ORDERS.length], -1));
    assertArrayEquals(direct.totalRdp(), viaCurve.totalRdp(), 0.0); // refusals changed nothing
  }

  @Test
  void deltaInvertsEpsilon() {
    RdpAccountant acc = new RdpAccountant();
    acc.compose(0.01, 1.1, 1000);
    for (Conversion c : Conversion.values()) {
      for (double delta : new double[] {1e-3, 1e-5, 1e-8}) {
        Epsilon e = acc.epsilon(delta, c);
        RdpAccountant.Delta d = acc.delta(e.epsilon(), c);
        assertEquals(delta, d.delta(), 1e-9 * delta, c + " delta=" + delta);
        assertEquals(e.order(), d.order());
        assertTrue(acc.delta(e.epsilon() * 1.01, c).delta() < delta);
      }
    }
    assertEquals(1.0, acc.delta(0.0, Conversion.CLASSIC).delta());
    // nothing spent: ε is the log(1/δ)/(α−1) term alone, smallest at the largest order
    assertEquals(Math.log(1e5) / 1023, new RdpAccountant().epsilon(1e-5, Conversion.CLASSIC)
        .epsilon(), 1e-15);
  }

  @Test
  void budgetStopsTrainingBeforeTheRoundThatWouldExceedIt() {
    double q = 0.1;
    double z = 1.0;
    double budget = 3.0;
    double delta = 1e-5;
    RdpAccountant acc = new RdpAccountant();
    int rounds = 0;
    while (acc.stepsWithin(q, z, budget, delta) >= 1) {
      acc.compose(q, z, 1); // one training round
      rounds++;
      assertTrue(acc.epsilon(delta).epsilon() <= budget);
    }
    assertTrue(rounds > 1, "rounds " + rounds);
    assertTrue(acc.wouldExceed(q, z, 1, budget, delta));
    RdpAccountant oneMore = RdpAccountant.decode(acc.encode());
    oneMore.compose(q, z, 1);
    assertTrue(oneMore.epsilon(delta).epsilon() > budget);

    // the bisection agrees with stepping, and with wouldExceed, on a long run
    RdpAccountant fresh = new RdpAccountant();
    long n = fresh.stepsWithin(0.01, 4.0, 1.0, 1e-5);
    assertFalse(fresh.wouldExceed(0.01, 4.0, n, 1.0, 1e-5));
    assertTrue(fresh.wouldExceed(0.01, 4.0, n + 1, 1.0, 1e-5));
    fresh.compose(0.01, 4.0, n - 10);
    assertEquals(10, fresh.stepsWithin(0.01, 4.0, 1.0, 1e-5));

    assertEquals(Long.MAX_VALUE, new RdpAccountant().stepsWithin(0.0, 1.0, 1.0, 1e-5));
    RdpAccountant spent = new RdpAccountant();
    spent.compose(0.5, 0.5, 100);
    assertEquals(0, spent.stepsWithin(0.01, 4.0, 1.0, 1e-5));
    assertTrue(spent.wouldExceed(0.01, 4.0, 0, 1.0, 1e-5));
  }

  @Test
  void stateRoundTripsAndResumingNeverResetsEpsilon() {
    RdpAccountant acc = new RdpAccountant();
    acc.compose(0.01, 1.1, 700);
    acc.composeCurve(SubsampledGaussianRdp.rdp(1.0, 20.0, acc.orders()), 3);
    String saved = acc.encode();

    RdpAccountant decoded = RdpAccountant.decode(saved);
    assertArrayEquals(acc.orders(), decoded.orders(), 0.0);
    assertArrayEquals(acc.totalRdp(), decoded.totalRdp(), 0.0); // bit for bit
    assertEquals(acc.steps(), decoded.steps());
    assertEquals(saved, decoded.encode());

    RdpAccountant fromMap = RdpAccountant.fromSnapshot(acc.snapshot());
    assertArrayEquals(acc.totalRdp(), fromMap.totalRdp(), 0.0);
    assertEquals(acc.steps(), fromMap.steps());

    // a resumed run: a fresh accountant restored from the checkpoint carries the spent ε
    RdpAccountant resumed = new RdpAccountant();
    resumed.restore(saved);
    assertEquals(acc.epsilon(1e-5), resumed.epsilon(1e-5));
    acc.compose(0.01, 1.1, 300);
    resumed.compose(0.01, 1.1, 300);
    assertEquals(acc.epsilon(1e-5).epsilon(), resumed.epsilon(1e-5).epsilon(), 1e-12);

    RdpAccountant infinite = new RdpAccountant(SMALL_ORDERS);
    infinite.compose(0.5, 0.0, 1);
    assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.decode(infinite.encode())
        .epsilon(1e-5).epsilon());
  }

  @Test
  void corruptedStateIsRefused() {
    RdpAccountant acc = new RdpAccountant(SMALL_ORDERS);
    acc.compose(0.1, 1.0, 10);
    String good = acc.encode();

    assertMessage("orders", () -> new RdpAccountant().restore(good)); // other order list
    assertMessage("accountant state", () -> RdpAccountant.decode("garbage"));
    assertMessage("accountant state", () -> RdpAccountant.decode(null));
    assertMessage("steps", () -> RdpAccountant.decode(good.replace("steps=10", "steps=-3")));
    assertMessage("steps", () -> RdpAccountant.decode(good.replace("steps=10", "steps=ten")));
    assertMessage("0 steps", () -> RdpAccountant.decode(good.replace("steps=10", "steps=0")));
    String rdpPart = good.substring(good.indexOf(";rdp=") + 5);
    assertMessage("RDP[0]", () -> RdpAccountant.decode(
        good.replace(";rdp=" + rdpPart, ";rdp=-" + rdpPart)));
    assertMessage("RDP[0]", () -> RdpAccountant.decode(
        good.replace(";rdp=" + rdpPart, ";rdp=NaN" + rdpPart.substring(rdpPart.indexOf(',')))));
    assertMessage("RDP values", () -> RdpAccountant.decode(
        good.replace(";rdp=" + rdpPart, ";rdp=" + rdpPart.substring(rdpPart.indexOf(',') + 1))));
    assertMessage("strictly increasing", () -> RdpAccountant.decode(
        good.replace("orders=1.5,1.75", "orders=1.75,1.5")));
    assertMessage("not a number",
        () -> RdpAccountant.decode(good.replace("orders=1.5", "orders=x")));

    Map<String, double[]> map = new LinkedHashMap<>(acc.snapshot());
    map.remove("totalRdp");
    assertMessage("totalRdp", () -> RdpAccountant.fromSnapshot(map));
    Map<String, double[]> map2 = new LinkedHashMap<>(acc.snapshot());
    map2.put("steps", new double[] {2.5});
    assertMessage("steps", () -> RdpAccountant.fromSnapshot(map2));
    Map<String, double[]> map3 = new LinkedHashMap<>(acc.snapshot());
    map3.put("orders", new double[] {0.5, 2});
    assertMessage("orders[0]", () -> RdpAccountant.fromSnapshot(map3));

    // a refused restore leaves the accountant as it was
    RdpAccountant keep = new RdpAccountant(SMALL_ORDERS);
    keep.restore(good);
    double[] before = keep.totalRdp();
    assertMessage("RDP", () -> keep.restore(good.replace(";rdp=" + rdpPart, ";rdp=-" + rdpPart)));
    assertArrayEquals(before, keep.totalRdp(), 0.0);
  }

  @Test
  void badArgumentsAreRejectedWithMessages() {
    RdpAccountant acc = new RdpAccountant(SMALL_ORDERS);
    assertMessage("sampling rate q", () -> acc.compose(1.5, 1.0, 1));
    assertMessage("sampling rate q", () -> acc.compose(Double.NaN, 1.0, 1));
    assertMessage("noise multiplier z", () -> acc.compose(0.1, -1.0, 1));
    assertMessage("steps", () -> acc.compose(0.1, 1.0, -1));
    for (double delta : new double[] {0.0, 1.0, -1e-5, Double.NaN}) {
      assertMessage("delta", () -> acc.epsilon(delta));
      assertMessage("delta", () -> acc.stepsWithin(0.1, 1.0, 1.0, delta));
    }
    assertMessage("epsilon", () -> acc.delta(-1.0));
    assertMessage("epsilon", () -> acc.delta(Double.NaN));
    assertMessage("epsilon budget", () -> acc.stepsWithin(0.1, 1.0, Double.NaN, 1e-5));
    assertMessage("orders[0]", () -> new RdpAccountant(new double[] {1.0, 2.0}));
    assertMessage("strictly increasing", () -> new RdpAccountant(new double[] {2.0, 2.0}));
    assertMessage("non-empty", () -> new RdpAccountant(new double[0]));
    assertEquals(0, acc.steps());
    assertTrue(Arrays.stream(acc.totalRdp()).allMatch(v -> v == 0.0));
  }
}
