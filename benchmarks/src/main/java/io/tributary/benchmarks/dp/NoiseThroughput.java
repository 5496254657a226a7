package io.tributary.benchmarks.dp;

import io.tributary.crypto.dp.DiscreteGaussian;
import io.tributary.crypto.dp.GaussianMechanism;
import io.tributary.crypto.dp.RandomBits;

/**
 * Single-thread throughput of the exact noise samplers in {@code io.tributary.crypto.dp}: the {@link
 * RandomBits} AES-256-CTR stream (consumed as 64-bit words, in MB/s of 10^6 bytes), exact discrete
 * Gaussian samples per second at several σ (the 64-bit path at σ = 1, 10, 1000, 10^5, and σ = 0.1,
 * whose 53-bit dyadic numerator forces the BigInteger path), a rational variance through {@link
 * DiscreteGaussian#ofVariance}, and the time for {@link
 * GaussianMechanism} to noise a float vector of 1,000,000 parameters. Run it on an idle machine with
 * {@code ./fl bench dp [millions of samples per trial, default 4]}.
 *
 * <p>Each figure is the best of five trials after two warm-up trials; the output is a markdown table.
 */
public final class NoiseThroughput {
  private static final int TRIALS = 7;
  private static final int WARMUP = 2;

  private NoiseThroughput() {}

  /** One timed trial; returns its checksum so that the JIT cannot drop the work. */
  private interface Trial {
    long run();
  }

  /** The shortest time of the trials after the warm-up ones, in seconds; prints nothing. */
  private static double bestSeconds(Trial trial, long[] checksum) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < TRIALS; i++) {
      long start = System.nanoTime();
      checksum[0] += trial.run();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (i >= WARMUP) {
        best = Math.min(best, seconds);
      }
    }
    return best;
  }

  public static void main(String[] args) {
    int millions = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int samples = millions * 1_000_000;
    long[] checksum = new long[1];
    System.out.println("JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
        + ", " + millions + "M samples per trial, best of " + (TRIALS - WARMUP) + " trials, one thread");
    System.out.println();
    System.out.println("| measurement | throughput |");
    System.out.println("|---|---|");

    RandomBits stream = RandomBits.seeded(1, "bench/bits");
    long words = 8L * samples;
    double seconds = bestSeconds(() -> {
      long x = 0;
      for (long i = 0; i < words; i++) {
        x ^= stream.nextLong();
      }
      return x;
    }, checksum);
    System.out.printf("| RandomBits.nextLong (AES-256-CTR) | %.0f MB/s |%n", 8 * words / 1e6 / seconds);

    for (double sigma : new double[] {1, 10, 1000, 1e5, 0.1}) {
      DiscreteGaussian gaussian = DiscreteGaussian.of(sigma, RandomBits.seeded(2, "bench/sigma " + sigma));
      // The BigInteger path is an order of magnitude slower: give it a tenth of the samples.
      long[] out = new long[sigma == 0.1 ? samples / 10 : samples];
      seconds = bestSeconds(() -> {
        gaussian.sample(out);
        return out[out.length - 1];
      }, checksum);
      System.out.printf("| DiscreteGaussian σ = %s%s | %.2f M samples/s |%n", sigma,
          sigma == 0.1 ? " (BigInteger path)" : "", out.length / 1e6 / seconds);
    }

    // A rational variance (CKS's integer proposal scale), as a client's share σ²/n of distributed noise.
    DiscreteGaussian share = DiscreteGaussian.ofVariance(1_000_000, 7, RandomBits.seeded(2, "bench/variance"));
    long[] shareOut = new long[samples];
    seconds = bestSeconds(() -> {
      share.sample(shareOut);
      return shareOut[shareOut.length - 1];
    }, checksum);
    System.out.printf("| DiscreteGaussian σ² = 10^6/7 (ofVariance, σ ≈ %.1f) | %.2f M samples/s |%n", share.sigma(),
        samples / 1e6 / seconds);

    float[] vector = new float[1_000_000];
    GaussianMechanism mechanism = GaussianMechanism.withDefaultGranularity(1.0, 1.0, vector.length);
    RandomBits bits = RandomBits.seeded(3, "bench/mechanism");
    seconds = bestSeconds(() -> {
      mechanism.addNoise(vector, bits);
      return Float.floatToRawIntBits(vector[0]);
    }, checksum);
    System.out.printf("| GaussianMechanism.addNoise, 1M floats (σ = 1, g = 2^%d, σ/g = %.0f) | %.1f ms |%n",
        Math.getExponent(mechanism.granularity()), mechanism.discreteSigma(), seconds * 1e3);
    System.out.println();
    System.out.println("checksum " + checksum[0]);
  }
}
