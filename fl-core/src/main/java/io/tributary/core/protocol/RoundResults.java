package io.tributary.core.protocol;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The typed outcome of collecting one round: the accepted updates and the failures. Immutable.
 */
public record RoundResults(long round, List<ClientUpdate> successes, List<ClientFailure> failures) {
  public RoundResults {
    successes = List.copyOf(successes);
    failures = List.copyOf(failures);
  }

  /**
   * Example-weighted mean of each metric the successful clients reported (metrics missing at some
   * clients are averaged over the clients that have them). Keys are sorted.
   */
  public Map<String, Double> weightedMetrics() {
    Map<String, double[]> acc = new TreeMap<>();
    for (ClientUpdate u : successes) {
      for (Map.Entry<String, Double> e : u.metrics().entrySet()) {
        double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[2]);
        a[0] += u.numExamples() * e.getValue();
        a[1] += u.numExamples();
      }
    }
    Map<String, Double> out = new TreeMap<>();
    acc.forEach((k, a) -> out.put(k, a[0] / a[1]));
    return out;
  }
}
