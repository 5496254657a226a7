package io.tributary.data.synthetic;

import io.tributary.data.random.RandomVariates;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The Synthetic(α, β) federated dataset of Li et al. 2020 ("Federated Optimization in Heterogeneous
 * Networks", the FedProx paper, MLSys 2020, section 5.1), generated on demand per client.
 *
 * <p>Client {@code k} has its own softmax-regression "teacher" and feature distribution:
 * <ul>
 *   <li>{@code u_k ~ N(0, α)}, {@code B_k ~ N(0, β)};
 *   <li>{@code W_k} ({@code classes x features}) and {@code b_k} ({@code classes}) with entries
 *       {@code ~ N(u_k, 1)};
 *   <li>{@code v_k} ({@code features}) with entries {@code ~ N(B_k, 1)};
 *   <li>each sample {@code x ~ N(v_k, Σ)} with {@code Σ} diagonal, {@code Σ_jj = j^-1.2} for
 *       {@code j = 1..features};
 *   <li>its label {@code y = argmax(softmax(W_k x + b_k)) = argmax(W_k x + b_k)}, computed from the
 *       float features as stored, ties to the lower class.
 * </ul>
 * As in the authors' generator ({@code generate_niid.py} in the FedProx repository), α and β are the
 * <em>standard deviations</em> of {@code u_k} and {@code B_k} (the paper's {@code N(0, α)} notation
 * reads as a variance; the two agree for the customary 0 and 1). α governs how much the teachers
 * differ and β how much the clients' feature distributions differ. Note that {@code u_k} adds the
 * same amount, {@code u_k * (sum(x) + 1)}, to every class's logit, so α on its own does not change
 * which class wins; label heterogeneity comes from β (through {@code x}) and from each client's own
 * draw of {@code W_k} and {@code b_k}.
 *
 * <p>The IID variant ({@link #iid(long, int, int, int, int)}, the paper's Synthetic-IID) gives all
 * clients one shared {@code W} and {@code b} with entries {@code ~ N(0, 1)} and {@code v_k = 0}.
 *
 * <p>Sizes follow the authors' heavy-tailed scheme: {@code size_k = minSize + floor(L)} with
 * {@code L ~ LogNormal(4, 2)} (the reference adds 50 to {@code int(lognormal(4, 2))}), here
 * truncated to {@code maxSize} by redrawing, so that clients range over {@code minSize..maxSize}
 * (defaults {@value #DEFAULT_MIN_SIZE}..{@value #DEFAULT_MAX_SIZE}) with most of them small.
 *
 * <p>On demand: nothing is stored. Every quantity of client {@code k} is drawn from generators seeded
 * by mixing {@code (seed, k)} with SplitMix64's finalizer, one independent stream each for the size,
 * the client's model and its samples. The data of a client is therefore the same whatever order
 * clients are generated in, on any thread or JVM ({@link RandomVariates} uses only
 * {@link StrictMath}), and {@link #size(long)} costs a few draws without generating the model.
 *
 * <p>Immutable and thread-safe; generating a client allocates only its model ({@code classes *
 * features} doubles).
 */
public final class Synthetic {

  /** Feature dimension used in the paper. */
  public static final int DEFAULT_FEATURES = 60;
  /** Number of classes used in the paper. */
  public static final int DEFAULT_CLASSES = 10;
  /** Default smallest client size. */
  public static final int DEFAULT_MIN_SIZE = 20;
  /** Default largest client size. */
  public static final int DEFAULT_MAX_SIZE = 200;

  /** Mean of the log of the size excess, from the authors' {@code lognormal(4, 2)}. */
  static final double SIZE_LOG_MEAN = 4;
  /** Standard deviation of the log of the size excess, from the authors' {@code lognormal(4, 2)}. */
  static final double SIZE_LOG_SIGMA = 2;
  /** {@code Σ_jj = j^-COVARIANCE_DECAY}. */
  static final double COVARIANCE_DECAY = 1.2;

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final int STREAM_GLOBAL_MODEL = 1;
  private static final int STREAM_SIZE = 2;
  private static final int STREAM_CLIENT_MODEL = 3;
  private static final int STREAM_SAMPLES = 4;

  private final double alpha;
  private final double beta;
  private final long seed;
  private final int features;
  private final int classes;
  private final int minSize;
  private final int maxSize;
  private final boolean iid;
  /** Standard deviation of each feature around its mean, {@code sqrt(Σ_jj)}. */
  private final double[] featureDeviations;
  /** The shared teacher of the IID variant; null otherwise. */
  private final ClientModel globalModel;

  /**
   * Creates Synthetic(α, β) with the paper's 60 features and 10 classes and client sizes
   * {@value #DEFAULT_MIN_SIZE}..{@value #DEFAULT_MAX_SIZE}.
   *
   * @param alpha standard deviation of the teachers' offsets {@code u_k}, at least 0
   * @param beta standard deviation of the feature means' offsets {@code B_k}, at least 0
   * @param seed the dataset's seed
   * @throws IllegalArgumentException if {@code alpha} or {@code beta} is negative or not finite
   */
  public Synthetic(double alpha, double beta, long seed) {
    this(alpha, beta, seed, DEFAULT_FEATURES, DEFAULT_CLASSES, DEFAULT_MIN_SIZE,
        DEFAULT_MAX_SIZE);
  }

  /**
   * Creates Synthetic(α, β) with chosen dimensions and size bounds.
   *
   * @param alpha standard deviation of the teachers' offsets {@code u_k}, at least 0 and finite
   * @param beta standard deviation of the feature means' offsets {@code B_k}, at least 0 and finite
   * @param seed the dataset's seed
   * @param features feature dimension, positive
   * @param classes number of classes, at least 2
   * @param minSize smallest client size, positive
   * @param maxSize largest client size, at least {@code minSize}
   * @throws IllegalArgumentException if a parameter is out of range; the message names it
   */
  public Synthetic(double alpha, double beta, long seed, int features, int classes, int minSize,
      int maxSize) {
    this(alpha, beta, seed, features, classes, minSize, maxSize, false);
  }

  private Synthetic(double alpha, double beta, long seed, int features, int classes, int minSize,
      int maxSize, boolean iid) {
    requireDeviation(alpha, "alpha");
    requireDeviation(beta, "beta");
    if (features <= 0) {
      throw new IllegalArgumentException("features must be positive, got " + features);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be at least 2, got " + classes);
    }
    if (minSize <= 0) {
      throw new IllegalArgumentException("minSize must be positive, got " + minSize);
    }
    if (maxSize < minSize) {
      throw new IllegalArgumentException("maxSize must be at least minSize = " + minSize
          + ", got " + maxSize);
    }
    if ((long) maxSize * features > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxSize * features = " + maxSize + " * " + features
          + " values do not fit in one array");
    }
    this.alpha = alpha;
    this.beta = beta;
    this.seed = seed;
    this.features = features;
    this.classes = classes;
    this.minSize = minSize;
    this.maxSize = maxSize;
    this.iid = iid;
    featureDeviations = new double[features];
    for (int j = 0; j < features; j++) {
      featureDeviations[j] = StrictMath.pow(j + 1, -COVARIANCE_DECAY / 2);
    }
    globalModel = iid ? drawModel(stream(0, STREAM_GLOBAL_MODEL), 0, 0, false) : null;
  }

  /**
   * Creates Synthetic-IID with the paper's dimensions and the default size bounds.
   *
   * @param seed the dataset's seed
   * @return the IID variant: one shared teacher, {@code v_k = 0}
   */
  public static Synthetic iid(long seed) {
    return iid(seed, DEFAULT_FEATURES, DEFAULT_CLASSES, DEFAULT_MIN_SIZE, DEFAULT_MAX_SIZE);
  }

  /**
   * Creates Synthetic-IID: every client shares one teacher {@code W, b ~ N(0, 1)} and draws
   * {@code x ~ N(0, Σ)}; only the sizes differ.
   *
   * @param seed the dataset's seed
   * @param features feature dimension, positive
   * @param classes number of classes, at least 2
   * @param minSize smallest client size, positive
   * @param maxSize largest client size, at least {@code minSize}
   * @return the IID variant
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public static Synthetic iid(long seed, int features, int classes, int minSize, int maxSize) {
    return new Synthetic(0, 0, seed, features, classes, minSize, maxSize, true);
  }

  /**
   * Returns α, the standard deviation of the teachers' offsets.
   *
   * @return α; 0 for the IID variant
   */
  public double alpha() {
    return alpha;
  }

  /**
   * Returns β, the standard deviation of the feature means' offsets.
   *
   * @return β; 0 for the IID variant
   */
  public double beta() {
    return beta;
  }

  /**
   * Returns the dataset's seed.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns the feature dimension.
   *
   * @return 60 by default
   */
  public int features() {
    return features;
  }

  /**
   * Returns the number of classes.
   *
   * @return 10 by default
   */
  public int classes() {
    return classes;
  }

  /**
   * Returns the smallest possible client size.
   *
   * @return the minimum
   */
  public int minSize() {
    return minSize;
  }

  /**
   * Returns the largest possible client size.
   *
   * @return the maximum
   */
  public int maxSize() {
    return maxSize;
  }

  /**
   * Tells whether this is the IID variant.
   *
   * @return true for {@link #iid(long)}
   */
  public boolean isIid() {
    return iid;
  }

  /**
   * Returns how many samples a client has, without generating them.
   *
   * @param client the client id, at least 0
   * @return a size in {@code minSize()..maxSize()}
   * @throws IllegalArgumentException if {@code client} is negative
   */
  public int size(long client) {
    requireClient(client);
    if (minSize == maxSize) {
      return minSize;
    }
    SplittableRandom random = stream(client, STREAM_SIZE);
    int range = maxSize - minSize;
    while (true) {
      // Redrawing instead of clamping keeps the shape of the tail without a spike at maxSize.
      // Every draw below 2 is accepted and has probability above 4%, so the loop ends quickly.
      double excess = RandomVariates.logNormal(SIZE_LOG_MEAN, SIZE_LOG_SIGMA, random);
      if (excess < range + 1.0) {
        return minSize + (int) excess;
      }
    }
  }

  /**
   * Generates a client's samples into caller-provided buffers, so that a simulation can reuse two
   * arrays of {@link #maxSize()} rows for every client.
   *
   * @param client the client id, at least 0
   * @param xOut receives the features row-major, sample {@code i} at {@code i * features()}; at
   *     least {@code size(client) * features()} long
   * @param yOut receives the labels in {@code 0..classes()-1}; at least {@code size(client)} long
   * @return the number of samples written, {@code size(client)}; entries past it are untouched
   * @throws IllegalArgumentException if {@code client} is negative or a buffer is too short
   */
  public int generate(long client, float[] xOut, int[] yOut) {
    Objects.requireNonNull(xOut, "xOut");
    Objects.requireNonNull(yOut, "yOut");
    int size = size(client);
    if (xOut.length < (long) size * features) {
      throw new IllegalArgumentException("xOut has " + xOut.length + " entries but client "
          + client + " needs size * features = " + size + " * " + features + " = "
          + (long) size * features);
    }
    if (yOut.length < size) {
      throw new IllegalArgumentException("yOut has " + yOut.length + " entries but client "
          + client + " has " + size + " samples");
    }
    ClientModel model = model(client);
    SplittableRandom random = stream(client, STREAM_SAMPLES);
    double[] transposed = model.transposedWeights();
    double[] bias = model.bias();
    double[] mean = model.mean();
    double[] logits = new double[classes];
    for (int sample = 0; sample < size; sample++) {
      int offset = sample * features;
      for (int j = 0; j < features; j++) {
        xOut[offset + j] = (float) (mean[j] + featureDeviations[j]
            * RandomVariates.standardNormal(random));
      }
      // logit_c = b_c + sum_j W_cj x_j, summed over j in order for every class at once: the same
      // sums as one class at a time, without a chain of dependent additions per class.
      System.arraycopy(bias, 0, logits, 0, classes);
      for (int j = 0; j < features; j++) {
        double xj = xOut[offset + j];
        int row = j * classes;
        for (int c = 0; c < classes; c++) {
          logits[c] += transposed[row + c] * xj;
        }
      }
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[c] > logits[best]) {
          best = c;
        }
      }
      yOut[sample] = best;
    }
    return size;
  }

  /**
   * Generates a client's samples into fresh arrays.
   *
   * @param client the client id, at least 0
   * @return the client's features and labels
   * @throws IllegalArgumentException if {@code client} is negative
   */
  public SyntheticClient generate(long client) {
    int size = size(client);
    float[] x = new float[size * features];
    int[] y = new int[size];
    generate(client, x, y);
    return new SyntheticClient(client, features, x, y);
  }

  /** The teacher and feature mean of one client; for tests and diagnostics. */
  ClientModel model(long client) {
    requireClient(client);
    if (iid) {
      return globalModel;
    }
    return drawModel(stream(client, STREAM_CLIENT_MODEL), alpha, beta, true);
  }

  private ClientModel drawModel(SplittableRandom random, double alphaDeviation,
      double betaDeviation, boolean withMean) {
    double u = RandomVariates.normal(0, alphaDeviation, random);
    double offset = RandomVariates.normal(0, betaDeviation, random);
    double[][] weights = new double[classes][features];
    for (double[] row : weights) {
      for (int j = 0; j < features; j++) {
        row[j] = u + RandomVariates.standardNormal(random);
      }
    }
    double[] bias = new double[classes];
    for (int c = 0; c < classes; c++) {
      bias[c] = u + RandomVariates.standardNormal(random);
    }
    double[] mean = new double[features];
    if (withMean) {
      for (int j = 0; j < features; j++) {
        mean[j] = offset + RandomVariates.standardNormal(random);
      }
    }
    return new ClientModel(weights, bias, mean);
  }

  /** An independent generator for one purpose of one client (or of the dataset, for client 0). */
  private SplittableRandom stream(long client, int purpose) {
    return new SplittableRandom(mix64(mix64(seed + GOLDEN_GAMMA * purpose) ^ mix64(client)));
  }

  /** SplitMix64's finalizer (Stafford's variant 13): a bijection that spreads every input bit. */
  static long mix64(long value) {
    long z = value;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void requireClient(long client) {
    if (client < 0) {
      throw new IllegalArgumentException("client must be at least 0, got " + client);
    }
  }

  private static void requireDeviation(double value, String name) {
    if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be finite and at least 0, got " + value);
    }
  }

  @Override
  public String toString() {
    return (iid ? "Synthetic-IID[" : "Synthetic[alpha=" + alpha + ", beta=" + beta + ", ")
        + "seed=" + seed + ", features=" + features + ", classes=" + classes + ", sizes="
        + minSize + ".." + maxSize + "]";
  }

  /**
   * One client's teacher and feature mean.
   *
   * @param weights {@code [class][feature]}
   * @param bias per class
   * @param mean the feature mean {@code v_k}
   */
  record ClientModel(double[][] weights, double[] bias, double[] mean) {
    /** The weights feature-major, {@code [feature * classes + class]}. */
    double[] transposedWeights() {
      int classes = weights.length;
      int features = weights[0].length;
      double[] out = new double[features * classes];
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < features; j++) {
          out[j * classes + c] = weights[c][j];
        }
      }
      return out;
    }
  }
}
