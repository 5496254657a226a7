package io.tributary.crypto.secagg;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The parameters of one SecAgg+ round, validated together: the number of clients n, the degree k of
 * the communication graph (each client masks with and shares its secrets among k neighbours), the
 * Shamir threshold t, and the {@link Quantizer}. Bonawitz et al. (CCS 2017) is the special case
 * k = n − 1, the complete graph.
 *
 * <p><b>Derivation</b> ({@link #derive}, after Bell et al., "Secure Single-Server Aggregation with
 * (Poly)Logarithmic Overhead", CCS 2020, §3–4). The graph is a random Harary graph H(n, k): clients
 * on a randomly permuted ring, each linked to its k/2 nearest on either side. For a client, the number
 * of neighbours that drop out is modelled as Binomial(k, δ) and the number that are corrupt (and
 * collude with the server) as Binomial(k, γ). With σ = 40 bits of statistical security and η = 30 bits
 * of correctness, and a union bound over the n clients, k and t must satisfy
 *
 * <ol>
 *   <li>correctness: P[Binomial(k, δ) &gt; k − t] ≤ 2^−η / n — every client keeps at least t live
 *       neighbours, so each of its secrets that the server needs can be reconstructed and the round
 *       finishes;
 *   <li>security: P[Binomial(k, γ) ≥ t] ≤ 2^−σ / n — no client's corrupt neighbours alone hold t
 *       shares, so the server cannot unmask an individual input;
 *   <li>k/2 &lt; t ≤ k — an honest client reveals, per neighbour, a share of either its self-mask seed
 *       or its mask key, never both; a majority threshold means that a server claiming different
 *       survivor sets to different neighbours still cannot collect t shares of both.
 * </ol>
 *
 * {@code derive} takes the smallest even k that admits such a t (k grows as O(log n) for fixed γ,
 * δ), and for it the <em>largest</em> t meeting (1) — security beyond the target costs nothing at the
 * declared dropout rate. If no even k &lt; n − 1 works, the complete graph k = n − 1 is tried (with its
 * best t, and then with t = ⌊n/2⌋ + 1); if that fails too, the rates are too high for n clients.
 * Binomial tails are computed exactly in log space — the largest term from log-factorials (Stirling's
 * series above 256), the others by the ratio of consecutive terms, dropping only terms below 10^−17
 * of the sum — never by a normal approximation. Examples at γ = 0.05, δ = 0.1: n = 100 → k = 46,
 * t = 24; n = 10^4 → k = 56, t = 29; n = 10^6 → k = 64, t = 33; n = 44 gets the complete graph
 * (k = 43, t = 22), and fewer clients are refused: a client would need more neighbours than there
 * are. The parity of k matters for small n: t &gt; k/2 costs an even k one more share than the odd
 * k − 1, so n = 45 (complete graph k = 44) is refused although n = 44 and n = 46 are not.
 *
 * <p>Immutable and thread-safe. {@link #neighbours} caches the ring of the last graph seed it saw.
 */
public final class SecAggParameters {
  /** σ: statistical security, bits. */
  public static final int SECURITY_BITS = 40;

  /** η: correctness (probability that the round cannot finish), bits. */
  public static final int CORRECTNESS_BITS = 30;

  private final int clients;
  private final int degree;
  private final int threshold;
  private final double corruptFraction;
  private final double dropoutFraction;
  private final Quantizer quantizer;

  /** The ring of the last graph seed asked for: one permutation serves all n clients of a round. */
  private volatile Ring ring;

  private SecAggParameters(int clients, int degree, int threshold, double corruptFraction,
      double dropoutFraction, Quantizer quantizer) {
    this.clients = clients;
    this.degree = degree;
    this.threshold = threshold;
    this.corruptFraction = corruptFraction;
    this.dropoutFraction = dropoutFraction;
    this.quantizer = quantizer;
  }

  /**
   * Derives k and t for {@code clients} clients, a fraction γ of them corrupt and a fraction δ
   * dropping out, as described in the class documentation.
   *
   * @param clients n, at least 2
   * @param corruptFraction γ in [0, 1): the fraction of clients that may collude with the server
   * @param dropoutFraction δ in [0, 1): the fraction of clients expected to drop out mid-round
   * @throws IllegalArgumentException on a value out of range (naming it), when no k ≤ n − 1 meets the
   *     targets (the rates are too high for n clients), or when the quantizer's capacity is exceeded
   */
  public static SecAggParameters derive(int clients, double corruptFraction, double dropoutFraction,
      Quantizer quantizer) {
    requireClients(clients);
    requireFraction(corruptFraction, "corruptFraction");
    requireFraction(dropoutFraction, "dropoutFraction");
    Objects.requireNonNull(quantizer, "quantizer");
    quantizer.checkCapacity(clients);

    int complete = clients - 1;
    double logN = Math.log(clients);
    double logCorrectness = -CORRECTNESS_BITS * Math.log(2) - logN;
    double logSecurity = -SECURITY_BITS * Math.log(2) - logN;

    // The complete graph is the most concentrated: the margins (1 - delta - gamma) k of the two tails
    // grow linearly in k, their spread as sqrt(k). Checking it first keeps hopeless inputs from
    // scanning every k up to n.
    int completeThreshold = bestThreshold(complete,
        smallestWithin(complete, dropoutFraction, logCorrectness, -1), corruptFraction, logSecurity);
    if (completeThreshold < 0) {
      int t = clients / 2 + 1;
      if (t <= complete
          && Binomial.logUpperTail(complete, dropoutFraction, complete - t + 1) <= logCorrectness
          && Binomial.logUpperTail(complete, corruptFraction, t) <= logSecurity) {
        completeThreshold = t;
      } else {
        throw new IllegalArgumentException(String.format(
            "dropout rate %s and corruption rate %s are too high for %d clients: no neighbourhood size"
                + " k <= n - 1 keeps %d bits of correctness and %d bits of security; lower the"
                + " rates or add clients",
            dropoutFraction, corruptFraction, clients, CORRECTNESS_BITS, SECURITY_BITS));
      }
    }
    int m = -1; // the smallest m with P[Binomial(k, delta) >= m] within target, for the last k
    for (int k = 2; k < complete; k += 2) {
      m = smallestWithin(k, dropoutFraction, logCorrectness, m);
      int t = bestThreshold(k, m, corruptFraction, logSecurity);
      if (t > 0) {
        return new SecAggParameters(clients, k, t, corruptFraction, dropoutFraction, quantizer);
      }
    }
    return new SecAggParameters(
        clients, complete, completeThreshold, corruptFraction, dropoutFraction, quantizer);
  }

  /**
   * Explicit parameters, e.g. from a configuration file; the corruption and dropout fractions are then
   * unknown (NaN).
   *
   * @param clients n, at least 2
   * @param degree k: even and at most n − 1, or n − 1 itself (the complete graph)
   * @param threshold t with k/2 &lt; t ≤ k
   * @throws IllegalArgumentException naming the parameter out of range, or when the quantizer's
   *     capacity is exceeded
   */
  public static SecAggParameters of(int clients, int degree, int threshold, Quantizer quantizer) {
    requireClients(clients);
    Objects.requireNonNull(quantizer, "quantizer");
    if (degree < 1 || degree > clients - 1) {
      throw new IllegalArgumentException(
          "degree k must be in [1, n - 1 = " + (clients - 1) + "], got " + degree);
    }
    if (degree % 2 != 0 && degree != clients - 1) {
      throw new IllegalArgumentException("degree k must be even (k/2 neighbours on each side of the"
          + " ring) or n - 1 = " + (clients - 1) + " (the complete graph), got " + degree);
    }
    if (threshold > degree) {
      throw new IllegalArgumentException(
          "threshold t must be at most the degree k = " + degree + ", got " + threshold);
    }
    if (2L * threshold <= degree) {
      throw new IllegalArgumentException("threshold t must exceed k/2 = " + degree / 2.0 + ", got "
          + threshold + ": otherwise the server could collect shares of both secrets of a client and"
          + " learn its input");
    }
    quantizer.checkCapacity(clients);
    return new SecAggParameters(clients, degree, threshold, Double.NaN, Double.NaN, quantizer);
  }

  /** n, the number of clients selected for the round. */
  public int clients() {
    return clients;
  }

  /** k, each client's number of neighbours; n − 1 for the complete graph. */
  public int degree() {
    return degree;
  }

  /** t, the Shamir threshold: shares needed to reconstruct a client's secret. */
  public int threshold() {
    return threshold;
  }

  /** γ, the corruption fraction derived for; NaN for {@link #of explicit} parameters. */
  public double corruptFraction() {
    return corruptFraction;
  }

  /** δ, the dropout fraction derived for; NaN for {@link #of explicit} parameters. */
  public double dropoutFraction() {
    return dropoutFraction;
  }

  /** The quantizer of the round's inputs. */
  public Quantizer quantizer() {
    return quantizer;
  }

  /** Whether the graph is complete (k = n − 1): the original protocol of Bonawitz et al. */
  public boolean isCompleteGraph() {
    return degree == clients - 1;
  }

  /**
   * The neighbours of {@code client} on the round's random Harary graph H(n, k): a permutation of
   * 0..n−1 drawn by Fisher–Yates from {@code new SplittableRandom(graphSeed)} places the clients on a
   * ring, and each is linked to the k/2 nearest on either side; for k = n − 1, everyone else. The
   * relation is symmetric, and every client has exactly k neighbours, never itself.
   *
   * @param client a 0-based client index
   * @param graphSeed the round's graph seed, the same for every participant
   * @return the neighbours' indices, ascending
   * @throws IllegalArgumentException when the index is not in [0, n)
   */
  public int[] neighbours(int client, long graphSeed) {
    int[] out = ringNeighbours(client, graphSeed);
    Arrays.sort(out);
    return out;
  }

  /**
   * The same neighbours as {@link #neighbours}, in ring order (nearest first, alternating sides) rather
   * than sorted: the server walks every client's neighbourhood twice a round and needs no order.
   */
  int[] ringNeighbours(int client, long graphSeed) {
    if (client < 0 || client >= clients) {
      throw new IllegalArgumentException(
          "client index must be in [0, " + clients + "), got " + client);
    }
    int[] out = new int[degree];
    if (isCompleteGraph()) {
      for (int v = 0, j = 0; v < clients; v++) {
        if (v != client) {
          out[j++] = v;
        }
      }
      return out;
    }
    Ring r = ring(graphSeed);
    int position = r.position[client];
    int half = degree / 2;
    int j = 0;
    for (int d = 1; d <= half; d++) {
      out[j++] = r.order[(position + d) % clients];
      out[j++] = r.order[(position - d + clients) % clients];
    }
    return out;
  }

  /**
   * {@link #sharePoint}{@code (owner, holder)} when the two are neighbours, −1 when they are not (or are
   * the same client): adjacency and the point in one ring lookup, for indices already known valid.
   */
  int neighbourPoint(int owner, int holder, long graphSeed) {
    if (owner == holder) {
      return -1;
    }
    if (isCompleteGraph()) {
      return Math.floorMod(holder - owner, clients);
    }
    Ring r = ring(graphSeed);
    int offset = Math.floorMod(r.position[holder] - r.position[owner], clients);
    int half = degree / 2;
    return offset <= half || offset >= clients - half ? offset : -1;
  }

  /**
   * The rank of a share point among the k points a client's neighbours hold ({@link #sharePoint}):
   * in [0, k), increasing with the point, so an array indexed by it lists shares lowest point first.
   *
   * @throws IllegalArgumentException when the point is not one a neighbour holds
   */
  int pointSlot(int point) {
    int half = degree / 2;
    if (isCompleteGraph()) {
      if (point < 1 || point > clients - 1) {
        throw new IllegalArgumentException("share point " + point + " is not in [1, " + (clients - 1) + "]");
      }
      return point - 1;
    }
    if (point >= 1 && point <= half) {
      return point - 1;
    }
    if (point >= clients - half && point <= clients - 1) {
      return point - clients + 2 * half;
    }
    throw new IllegalArgumentException("share point " + point + " is not a ring offset within k/2 = " + half);
  }

  /**
   * The Shamir evaluation point of the share that {@code holder} keeps of {@code owner}'s secrets: the
   * holder's offset from the owner on the round's ring (on the complete graph, in index order), in [1,
   * n − 1]. Points by offset mean that every owner's neighbours hold the same set of points — offsets 1
   * to k/2 and n − k/2 to n − 1 — so the server can reuse one set of Lagrange coefficients for every
   * secret whose surviving holders are alike, instead of paying O(t²) per secret.
   *
   * @throws IllegalArgumentException when an index is out of range or the two are the same client
   */
  public int sharePoint(int owner, int holder, long graphSeed) {
    if (owner < 0 || owner >= clients || holder < 0 || holder >= clients || owner == holder) {
      throw new IllegalArgumentException(
          "share point needs two different client indices in [0, " + clients + "), got " + owner + " and " + holder);
    }
    if (isCompleteGraph()) {
      return Math.floorMod(holder - owner, clients);
    }
    Ring r = ring(graphSeed);
    return Math.floorMod(r.position[holder] - r.position[owner], clients);
  }

  /**
   * Whether clients {@code a} and {@code b} are neighbours on the round's graph, in O(1): on the ring,
   * whether their offset is within k/2 either way. Equivalent to searching {@link #neighbours}.
   */
  public boolean adjacent(int a, int b, long graphSeed) {
    if (a < 0 || a >= clients || b < 0 || b >= clients) {
      throw new IllegalArgumentException(
          "client indices must be in [0, " + clients + "), got " + a + " and " + b);
    }
    return neighbourPoint(a, b, graphSeed) > 0;
  }

  private Ring ring(long graphSeed) {
    Ring r = ring;
    if (r == null || r.seed != graphSeed) {
      r = new Ring(graphSeed, clients);
      ring = r;
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecAggParameters other
        && clients == other.clients
        && degree == other.degree
        && threshold == other.threshold
        && Double.compare(corruptFraction, other.corruptFraction) == 0
        && Double.compare(dropoutFraction, other.dropoutFraction) == 0
        && quantizer.equals(other.quantizer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clients, degree, threshold, corruptFraction, dropoutFraction, quantizer);
  }

  @Override
  public String toString() {
    return "SecAggParameters[clients=" + clients + ", degree=" + degree + ", threshold=" + threshold
        + ", corruptFraction=" + corruptFraction + ", dropoutFraction=" + dropoutFraction + ", "
        + quantizer + "]";
  }

  /**
   * The largest t in (k/2, k] meeting correctness, if it also meets security; −1 when none does.
   * Correctness holds for t ≤ k − m + 1 where m is the smallest count of dropped neighbours whose
   * upper tail is within the target ({@link #smallestWithin}).
   */
  private static int bestThreshold(int k, int m, double gamma, double logSecurity) {
    int t = k - m + 1;
    if (2L * t <= k || t <= Math.floor(k * gamma)) { // the latter: P[Binomial(k, gamma) >= t] >= 1/2
      return -1;
    }
    return Binomial.logUpperTail(k, gamma, t) <= logSecurity ? t : -1;
  }

  /**
   * The smallest m with ln P[Binomial(k, p) ≥ m] ≤ logTarget (at most k + 1, where the tail is 0).
   * The tail decreases in m. A {@code hint} (the answer for a nearby k, or −1 for none) is walked from
   * one step at a time, the tail at m − 1 being the tail at m plus one term; without a hint, or far
   * from it, bisection.
   */
  static int smallestWithin(int k, double p, double logTarget, int hint) {
    // P[X >= floor(k p)] >= 1/2 (a median is floor(kp) or ceil(kp)), far above any target here, so
    // the answer exceeds floor(k p).
    int lo = (int) Math.floor(k * p) + 1;
    int hi = k + 1; // P[X >= k + 1] = 0
    if (hint >= 0) {
      int m = Math.max(lo, Math.min(hi, hint));
      double tail = Binomial.logUpperTail(k, p, m);
      if (tail <= logTarget) {
        for (int steps = 0; m > lo && steps < 64; steps++) { // down, while still within the target
          double below = logSumExp(tail, Binomial.logPmf(k, m - 1, p));
          if (below > logTarget) {
            return m;
          }
          tail = below;
          m--;
        }
        if (m == lo) {
          return m;
        }
        hi = m;
      } else {
        for (int steps = 0; steps < 64; steps++) { // up, until within the target
          m++;
          if (m == hi || Binomial.logUpperTail(k, p, m) <= logTarget) {
            return m;
          }
        }
        lo = m + 1;
      }
    }
    while (lo < hi) { // invariant: tail(lo - 1) > target (or lo - 1 <= floor(kp)), tail(hi) <= target
      int mid = (lo + hi) >>> 1;
      if (Binomial.logUpperTail(k, p, mid) <= logTarget) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private static double logSumExp(double a, double b) {
    double max = Math.max(a, b);
    return max == Double.NEGATIVE_INFINITY ? max : max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }

  private static void requireClients(int clients) {
    if (clients < 2) {
      throw new IllegalArgumentException("clients n must be at least 2, got " + clients);
    }
  }

  private static void requireFraction(double value, String name) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
  }

  /** A random ring: {@code order[i]} is the client at position i, {@code position} its inverse. */
  private static final class Ring {
    final long seed;
    final int[] order;
    final int[] position;

    Ring(long seed, int n) {
      this.seed = seed;
      order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      position = new int[n];
      for (int i = 0; i < n; i++) {
        position[order[i]] = i;
      }
    }
  }

  /**
   * Exact binomial upper tails in log space. ln x! comes from a table below 256 and from Stirling's
   * series with four correction terms above (error under 10^−20, far below the rounding of the sum),
   * so no table of size n is needed.
   */
  static final class Binomial {
    private static final int TABLE = 256;
    private static final double[] LOG_FACTORIAL = new double[TABLE];
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    static {
      for (int i = 2; i < TABLE; i++) {
        LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + Math.log(i);
      }
    }

    private Binomial() {}

    static double logFactorial(int x) {
      if (x < TABLE) {
        return LOG_FACTORIAL[x];
      }
      double n = x;
      double inv = 1 / n;
      double inv2 = inv * inv;
      double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
      return n * Math.log(n) - n + HALF_LOG_TWO_PI + 0.5 * Math.log(n) + series;
    }

    /**
     * ln P[Binomial(k, p) ≥ m]; −∞ when the probability is 0. The terms are summed outwards from the
     * largest, pmf(max(m, mode)), by the ratio pmf(i + 1) / pmf(i) = (k − i) / (i + 1) · p / q, and
     * each direction stops once its terms fall below 10^−17 of the sum: past the mode they fall ever
     * faster, so the rest is below double precision.
     */
    static double logUpperTail(int k, double p, int m) {
      if (m <= 0) {
        return 0;
      }
      if (m > k || p == 0) {
        return Double.NEGATIVE_INFINITY;
      }
      double odds = p / (1 - p);
      int mode = (int) Math.min(k, Math.floor((k + 1) * p));
      int anchorAt = Math.max(m, mode);
      double sum = 1; // pmf(anchorAt), the largest term at or above m, scaled to 1
      double term = 1;
      for (int i = anchorAt; i < k; i++) { // upwards
        term *= (k - i) / (i + 1.0) * odds;
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      term = 1;
      for (int i = anchorAt; i > m; i--) { // downwards to m, when m is below the mode
        term *= i / ((k - i + 1.0) * odds);
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      return logPmf(k, anchorAt, p) + Math.log(sum);
    }

    /** ln P[Binomial(k, p) = i]. */
    static double logPmf(int k, int i, double p) {
      return logFactorial(k) - logFactorial(i) - logFactorial(k - i) + i * Math.log(p)
          + (k - i) * Math.log1p(-p);
    }
  }
}
