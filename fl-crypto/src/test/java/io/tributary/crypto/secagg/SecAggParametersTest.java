package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SecAggParametersTest {
  private static final Quantizer QUANTIZER = new Quantizer(1.0, 1 << 10, 100);
  /** Room for 2^31 clients of weight 1. */
  private static final Quantizer SMALL = new Quantizer(1.0, 2, 1);

  /** ln P[Binomial(k, p) >= m], summed term by term in 60-digit BigDecimal arithmetic. */
  private static double exactLogTail(int k, double p, int m) {
    MathContext mc = new MathContext(60);
    BigDecimal bp = new BigDecimal(p); // the exact value of the double
    BigDecimal bq = BigDecimal.ONE.subtract(bp);
    if (bp.signum() == 0) {
      return m <= 0 ? 0 : Double.NEGATIVE_INFINITY;
    }
    BigDecimal ratio = bp.divide(bq, mc);
    BigDecimal term = bq.pow(k, mc); // i = 0
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i <= k; i++) {
      if (i > 0) {
        term = term.multiply(BigDecimal.valueOf(k - i + 1)).multiply(ratio, mc)
            .divide(BigDecimal.valueOf(i), mc);
      }
      if (i >= m) {
        sum = sum.add(term, mc);
      }
    }
    if (sum.signum() == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    // ln of a BigDecimal that may be far below Double.MIN_VALUE
    int exponent = sum.precision() - sum.scale() - 1;
    double mantissa = sum.movePointLeft(exponent).doubleValue();
    return Math.log(mantissa) + exponent * Math.log(10);
  }

  @Test
  void binomialTail_matchesExactSum() {
    int[][] km = {{46, 23}, {46, 5}, {60, 31}, {200, 40}, {1000, 520}, {1000, 60}, {17, 17}};
    for (double p : new double[] {0.05, 0.1, 0.3}) {
      for (int[] c : km) {
        double expected = exactLogTail(c[0], p, c[1]);
        double actual = SecAggParameters.Binomial.logUpperTail(c[0], p, c[1]);
        assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)),
            "k=" + c[0] + " p=" + p + " m=" + c[1]);
      }
    }
    assertEquals(0, SecAggParameters.Binomial.logUpperTail(10, 0.3, 0));
    assertEquals(Double.NEGATIVE_INFINITY, SecAggParameters.Binomial.logUpperTail(10, 0.3, 11));
    assertEquals(Double.NEGATIVE_INFINITY, SecAggParameters.Binomial.logUpperTail(10, 0, 1));
  }

  @Test
  void smallestWithin_anyHint_sameAsBisection() {
    double logTarget = -30 * Math.log(2) - Math.log(1000);
    for (double p : new double[] {0.01, 0.1, 0.45}) {
      for (int k : new int[] {2, 7, 46, 300, 5000}) {
        int expected = SecAggParameters.smallestWithin(k, p, logTarget, -1);
        assertTrue(SecAggParameters.Binomial.logUpperTail(k, p, expected) <= logTarget);
        assertTrue(expected == 0 || SecAggParameters.Binomial.logUpperTail(k, p, expected - 1) > logTarget);
        for (int hint : new int[] {0, 1, expected - 70, expected - 3, expected, expected + 2, expected + 100, k + 5}) {
          assertEquals(expected, SecAggParameters.smallestWithin(k, p, logTarget, Math.max(0, hint)),
              "k=" + k + " p=" + p + " hint=" + hint);
        }
      }
    }
  }

  @Test
  void derive_growingClients_degreeGrowsLogarithmically() {
    int[] ns = {100, 1_000, 10_000, 100_000};
    int[] ks = new int[ns.length];
    for (int i = 0; i < ns.length; i++) {
      SecAggParameters p = SecAggParameters.derive(ns[i], 0.05, 0.1, SMALL);
      ks[i] = p.degree();
      System.out.printf("derive(n=%d, gamma=0.05, delta=0.1): k=%d, t=%d%n", ns[i], p.degree(), p.threshold());
      assertTrue(2 * p.threshold() > p.degree(), p.toString());
      assertTrue(p.threshold() <= p.degree(), p.toString());
      if (i > 0) {
        assertTrue(ks[i] >= ks[i - 1], Arrays.toString(ks));
      }
    }
    assertTrue(ks[3] < 0.05 * 100_000, Arrays.toString(ks));
    assertTrue(ks[3] - ks[0] < 40, "k grows like log n: " + Arrays.toString(ks));
  }

  @Test
  void derive_result_meetsBothTargets() {
    for (int n : new int[] {50, 300, 5_000}) {
      for (double[] rates : new double[][] {{0.05, 0.1}, {0.01, 0.01}, {0.2, 0.05}, {0.0, 0.2}}) {
        SecAggParameters p;
        try {
          p = SecAggParameters.derive(n, rates[0], rates[1], SMALL);
        } catch (IllegalArgumentException e) {
          continue; // too few clients for these rates
        }
        int k = p.degree();
        int t = p.threshold();
        assertTrue(2 * t > k && t <= k, p.toString());
        assertTrue(k % 2 == 0 || k == n - 1, p.toString());
        double logN = Math.log(n);
        assertTrue(exactLogTail(k, rates[1], k - t + 1) <= -30 * Math.log(2) - logN + 1e-9, p.toString());
        if (rates[0] > 0) {
          assertTrue(exactLogTail(k, rates[0], t) <= -40 * Math.log(2) - logN + 1e-9, p.toString());
        }
        assertEquals(rates[0], p.corruptFraction());
        assertEquals(rates[1], p.dropoutFraction());
        // k is the smallest even degree that admits a threshold
        for (int smaller = 2; smaller < Math.min(k, n - 1); smaller += 2) {
          assertFalse(admits(smaller, n, rates[0], rates[1]), "k=" + smaller + " already works: " + p);
        }
      }
    }
  }

  /** Whether some t in (k/2, k] meets both targets, by brute force over t. */
  private static boolean admits(int k, int n, double gamma, double delta) {
    for (int t = k / 2 + 1; t <= k; t++) {
      if (exactLogTail(k, delta, k - t + 1) <= -30 * Math.log(2) - Math.log(n)
          && (gamma == 0 || exactLogTail(k, gamma, t) <= -40 * Math.log(2) - Math.log(n))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void derive_smallClients_completeGraph() {
    SecAggParameters p = SecAggParameters.derive(17, 0.01, 0.01, QUANTIZER);
    assertEquals(16, p.degree());
    assertTrue(p.isCompleteGraph());
    assertTrue(2 * p.threshold() > 16);
    SecAggParameters q = SecAggParameters.derive(44, 0.05, 0.1, QUANTIZER);
    assertEquals(43, q.degree()); // odd: the complete graph
    assertTrue(2 * q.threshold() > 43);
    SecAggParameters two = SecAggParameters.derive(2, 0, 0, QUANTIZER);
    assertEquals(1, two.degree());
    assertEquals(1, two.threshold());
    assertArrayEquals(new int[] {1}, two.neighbours(0, 5));
  }

  @Test
  void derive_ratesTooHigh_throwExplaining() {
    IllegalArgumentException few =
        assertThrows(IllegalArgumentException.class, () -> SecAggParameters.derive(10, 0.05, 0.1, QUANTIZER));
    assertTrue(few.getMessage().contains("too high for 10 clients"), few.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SecAggParameters.derive(200_000, 0.3, 0.5, SMALL));
    assertThrows(IllegalArgumentException.class, () -> SecAggParameters.derive(200_000, 0.6, 0.45, SMALL));
  }

  @Test
  void derive_badArguments_throwNamingThem() {
    assertMessage("clients", () -> SecAggParameters.derive(1, 0.05, 0.1, QUANTIZER));
    assertMessage("corruptFraction", () -> SecAggParameters.derive(100, -0.1, 0.1, QUANTIZER));
    assertMessage("corruptFraction", () -> SecAggParameters.derive(100, 1, 0.1, QUANTIZER));
    assertMessage("corruptFraction", () -> SecAggParameters.derive(100, Double.NaN, 0.1, QUANTIZER));
    assertMessage("dropoutFraction", () -> SecAggParameters.derive(100, 0.05, 1.5, QUANTIZER));
    assertMessage("dropoutFraction", () -> SecAggParameters.derive(100, 0.05, Double.NaN, QUANTIZER));
    Quantizer tight = new Quantizer(1, 1 << 16, 1 << 10); // 2^26 per client
    assertMessage("lower levels", () -> SecAggParameters.derive(100, 0.05, 0.1, tight));
  }

  @Test
  void of_thresholdNotAboveHalfTheDegree_refused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SecAggParameters.of(10, 2, 1, QUANTIZER));
    assertTrue(e.getMessage().contains("threshold t must exceed k/2"), e.getMessage());
    assertTrue(e.getMessage().contains("learn"), e.getMessage());
    assertMessage("threshold", () -> SecAggParameters.of(10, 4, 2, QUANTIZER));
    assertMessage("threshold", () -> SecAggParameters.of(10, 9, 4, QUANTIZER)); // 4 <= 4.5
    SecAggParameters ok = SecAggParameters.of(10, 9, 5, QUANTIZER);
    assertEquals(5, ok.threshold());
    assertTrue(Double.isNaN(ok.corruptFraction()));
    assertTrue(Double.isNaN(ok.dropoutFraction()));
  }

  @Test
  void of_badValues_throwNamingThem() {
    assertMessage("clients", () -> SecAggParameters.of(1, 1, 1, QUANTIZER));
    assertMessage("degree", () -> SecAggParameters.of(10, 3, 2, QUANTIZER)); // odd, not n - 1
    assertMessage("degree", () -> SecAggParameters.of(10, 10, 6, QUANTIZER)); // above n - 1
    assertMessage("degree", () -> SecAggParameters.of(10, 0, 1, QUANTIZER));
    assertMessage("threshold", () -> SecAggParameters.of(10, 4, 5, QUANTIZER)); // above k
    assertMessage("maxWeight", () -> SecAggParameters.of(10, 4, 3, new Quantizer(1, 2, 1L << 30)));
    assertThrows(NullPointerException.class, () -> SecAggParameters.of(10, 4, 3, null));
  }

  @Test
  void neighbours_hararyGraph_symmetricRegularWithoutSelfLoops() {
    for (int[] nk : new int[][] {{10, 2}, {10, 4}, {11, 6}, {50, 8}, {1000, 46}, {7, 6}, {8, 7}}) {
      int n = nk[0];
      int k = nk[1];
      SecAggParameters p = SecAggParameters.of(n, k, k / 2 + 1, QUANTIZER);
      long seed = 99L * n + k;
      Set<Long> edges = new HashSet<>();
      for (int v = 0; v < n; v++) {
        int[] nb = p.neighbours(v, seed);
        assertEquals(k, nb.length, "client " + v);
        assertEquals(k, Arrays.stream(nb).distinct().count());
        for (int i = 0; i < nb.length; i++) {
          assertTrue(nb[i] != v, "client " + v + " is its own neighbour");
          assertTrue(nb[i] >= 0 && nb[i] < n);
          assertTrue(i == 0 || nb[i - 1] < nb[i], "sorted");
          edges.add((long) v * n + nb[i]);
        }
      }
      for (long e : edges) {
        long u = e / n;
        long w = e % n;
        assertTrue(edges.contains(w * n + u), "edge " + u + "-" + w + " is one-way");
      }
    }
  }

  @Test
  void neighbours_completeGraph_everyoneElse() {
    SecAggParameters p = SecAggParameters.of(6, 5, 3, QUANTIZER);
    assertArrayEquals(new int[] {0, 1, 2, 4, 5}, p.neighbours(3, 123));
    assertArrayEquals(new int[] {1, 2, 3, 4, 5}, p.neighbours(0, -7));
  }

  @Test
  void neighbours_graphSeed_determinesTheRing() {
    SecAggParameters p = SecAggParameters.of(100, 6, 4, QUANTIZER);
    SecAggParameters same = SecAggParameters.of(100, 6, 4, QUANTIZER);
    int[] a = p.neighbours(17, 1);
    p.neighbours(3, 2); // switches the cached ring
    assertArrayEquals(a, p.neighbours(17, 1));
    assertArrayEquals(a, same.neighbours(17, 1));
    boolean differs = false;
    for (long seed = 2; seed < 10 && !differs; seed++) {
      differs = !Arrays.equals(a, p.neighbours(17, seed));
    }
    assertTrue(differs);
    // the ring is the Fisher-Yates permutation of SplittableRandom(seed)
    int[] order = new int[100];
    for (int i = 0; i < 100; i++) {
      order[i] = i;
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 99; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int s = order[i];
      order[i] = order[j];
      order[j] = s;
    }
    int pos = 0;
    while (order[pos] != 17) {
      pos++;
    }
    int[] expected = new int[6];
    for (int d = 1; d <= 3; d++) {
      expected[2 * d - 2] = order[(pos + d) % 100];
      expected[2 * d - 1] = order[(pos - d + 100) % 100];
    }
    Arrays.sort(expected);
    assertArrayEquals(expected, a);
  }

  @Test
  void neighbours_badClient_throws() {
    SecAggParameters p = SecAggParameters.of(10, 4, 3, QUANTIZER);
    assertThrows(IllegalArgumentException.class, () -> p.neighbours(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> p.neighbours(10, 0));
  }

  @Test
  void equals_sameValues_equal() {
    assertEquals(SecAggParameters.of(10, 4, 3, QUANTIZER), SecAggParameters.of(10, 4, 3, new Quantizer(1.0, 1 << 10, 100)));
    assertEquals(SecAggParameters.derive(500, 0.05, 0.1, QUANTIZER), SecAggParameters.derive(500, 0.05, 0.1, QUANTIZER));
    assertFalse(SecAggParameters.of(10, 4, 3, QUANTIZER).equals(SecAggParameters.of(10, 4, 4, QUANTIZER)));
  }

  private static void assertMessage(String name, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  @Test
  void sharePoint_ringOffsets_distinctPerOwnerAndAlikeAcrossOwners() {
    Quantizer q = new Quantizer(1.0, 16, 1);
    for (SecAggParameters p : new SecAggParameters[] {SecAggParameters.of(30, 8, 5, q),
        SecAggParameters.of(30, 29, 16, q)}) {
      java.util.Set<java.util.Set<Integer>> holderPointSets = new java.util.HashSet<>();
      for (int owner = 0; owner < 30; owner++) {
        java.util.Set<Integer> points = new java.util.TreeSet<>();
        for (int holder : p.neighbours(owner, 99)) {
          int x = p.sharePoint(owner, holder, 99);
          assertTrue(x >= 1 && x <= 29, "point " + x);
          assertTrue(points.add(x), "points of one owner's holders are distinct");
        }
        holderPointSets.add(points);
      }
      assertEquals(1, holderPointSets.size(), "every owner's neighbours hold the same points: " + holderPointSets);
    }
    assertThrows(IllegalArgumentException.class, () -> SecAggParameters.of(30, 8, 5, q).sharePoint(3, 3, 99));
  }

  @Test
  void ringNeighbours_sameSetAsNeighbours_andPointSlotsRankThePoints() {
    Quantizer q = new Quantizer(1.0, 16, 1);
    for (SecAggParameters p : new SecAggParameters[] {SecAggParameters.of(30, 8, 5, q),
        SecAggParameters.of(30, 29, 16, q), SecAggParameters.of(31, 30, 16, q)}) {
      for (int owner = 0; owner < p.clients(); owner++) {
        int[] ring = p.ringNeighbours(owner, 7);
        int[] sorted = ring.clone();
        Arrays.sort(sorted);
        assertArrayEquals(p.neighbours(owner, 7), sorted);
        // Slots: a bijection of the holders' points onto [0, k), in the order of the points.
        int[] points = new int[ring.length];
        for (int i = 0; i < ring.length; i++) {
          points[i] = p.sharePoint(owner, ring[i], 7);
        }
        for (int holder = 0; holder < p.clients(); holder++) {
          boolean adjacent = p.adjacent(owner, holder, 7);
          assertEquals(adjacent ? p.sharePoint(owner, holder, 7) : -1, p.neighbourPoint(owner, holder, 7),
              owner + " -> " + holder);
        }
        Arrays.sort(points);
        for (int i = 0; i < points.length; i++) {
          assertEquals(i, p.pointSlot(points[i]), "slot of point " + points[i]);
        }
      }
    }
    SecAggParameters harary = SecAggParameters.of(30, 8, 5, q);
    assertThrows(IllegalArgumentException.class, () -> harary.pointSlot(5)); // offsets 1..4 and 26..29 only
    assertThrows(IllegalArgumentException.class, () -> harary.pointSlot(0));
    assertThrows(IllegalArgumentException.class, () -> harary.pointSlot(30));
    assertThrows(IllegalArgumentException.class, () -> harary.ringNeighbours(30, 7));
  }
}
