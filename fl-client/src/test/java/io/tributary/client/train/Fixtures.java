package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.Trainer;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shared test data and an independent double-precision reference of the dense network's maths
 * (forward pass, loss, plain SGD in numpy's order), written as directly as possible so the fast
 * trainers can be checked against it.
 */
final class Fixtures {
  private Fixtures() {}

  /** Samples as the trainers take them: all features row-major, one label per row. */
  record Data(float[] x, int[] labels, int features, int classes) {
    int rows() {
      return labels.length;
    }

    int[] allRows() {
      int[] rows = new int[rows()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = i;
      }
      return rows;
    }
  }

  /** Uniform features in [-1, 1) and uniform labels: noise, for equivalence tests. */
  static Data random(int rows, int features, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[rows * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = random.nextInt(classes);
    }
    return new Data(x, labels, features, classes);
  }

  /**
   * A learnable problem: one Gaussian cluster per class around a random centre, noise {@code
   * spread}; a small network separates the classes well.
   */
  static Data clusters(int rows, int features, int classes, double spread, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] centres = new double[classes][features];
    for (double[] centre : centres) {
      for (int f = 0; f < features; f++) {
        centre[f] = random.nextDouble() * 2 - 1;
      }
    }
    float[] x = new float[rows * features];
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      int label = random.nextInt(classes);
      labels[r] = label;
      for (int f = 0; f < features; f++) {
        x[r * features + f] = (float) (centres[label][f] + spread * random.nextGaussian());
      }
    }
    return new Data(x, labels, features, classes);
  }

  /**
   * 28x28 images (784 pixels in [0, 1], row by row) of four classes, each a bright 10x10 square in
   * its own quadrant, with noise on every pixel: easy enough that a few SGD steps of the CNN
   * visibly lower the loss, and no two pixels equal, so no max-pooling window has a tie.
   */
  static Data quadrantImages(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[count * 784];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int label = i % 4;
      labels[i] = label;
      int top = label / 2 == 0 ? 2 : 16;
      int left = label % 2 == 0 ? 2 : 16;
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          boolean inSquare = r >= top && r < top + 10 && c >= left && c < left + 10;
          double noise = 0.1 * random.nextDouble();
          x[i * 784 + r * 28 + c] = (float) (inSquare ? 1 - noise : noise);
        }
      }
    }
    return new Data(x, labels, 784, 10);
  }

  static FitInstructions instructions(double learningRate, long epochs, long batchSize, long seed) {
    return new FitInstructions(
        1,
        "task-1",
        ConfigValues.builder()
            .set(TrainingKeys.LEARNING_RATE, learningRate)
            .set(TrainingKeys.LOCAL_EPOCHS, epochs)
            .set(TrainingKeys.BATCH_SIZE, batchSize)
            .set(TrainingKeys.SEED, seed)
            .build());
  }

  /** {@link #instructions} with FedProx's μ and a gradient correction (null for none). */
  static FitInstructions instructions(
      double learningRate, long epochs, long batchSize, long seed, double mu, float[] correction) {
    return new FitInstructions(
        1,
        "task-1",
        ConfigValues.builder()
            .set(TrainingKeys.LEARNING_RATE, learningRate)
            .set(TrainingKeys.LOCAL_EPOCHS, epochs)
            .set(TrainingKeys.BATCH_SIZE, batchSize)
            .set(TrainingKeys.SEED, seed)
            .set(TrainingKeys.PROXIMAL_MU, mu)
            .build(),
        correction);
  }

  /** {@code n} values drawn uniformly from [-scale, scale). */
  static float[] randomVector(int n, double scale, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * (random.nextDouble() * 2 - 1));
    }
    return v;
  }

  /**
   * The delta of {@code steps} full-batch steps with FedProx's μ and a gradient correction c (null
   * for none), built from plain steps only: each step is one plain full-batch fit of {@code plain}
   * (μ = 0, no correction) from the current weights w, giving {@code w' = w − η·g(w)}, after which
   * {@code η·(μ·(w − w_t) + c)} is subtracted by hand, in double, with w_t the fixed {@code global}.
   */
  static double[] proximalStepByStep(
      Trainer plain, ModelWeights global, double learningRate, double mu, float[] correction, int steps) {
    float[] start = global.toArray();
    float[] w = start.clone();
    for (int k = 0; k < steps; k++) {
      float[] plainDelta = plain.fit(ModelWeights.of(global.layout(), w), instructions(learningRate, 1, 0, k)).delta();
      float[] next = new float[w.length];
      for (int i = 0; i < w.length; i++) {
        double c = correction == null ? 0 : correction[i];
        double afterPlainStep = (double) w[i] + plainDelta[i];
        next[i] = (float) (afterPlainStep - learningRate * (mu * ((double) w[i] - start[i]) + c));
      }
      w = next;
    }
    double[] delta = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      delta[i] = (double) w[i] - start[i];
    }
    return delta;
  }

  /** Euclidean norm, in double. */
  static double norm(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum);
  }

  /** {@code executable} throws {@link IllegalArgumentException} with {@code expected} in its message. */
  static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** Two evaluations of the same weights on the same rows agree: count, loss (1e-5), accuracy. */
  static void assertEvaluationsAgree(EvaluateResult expected, EvaluateResult actual) {
    assertEquals(expected.numExamples(), actual.numExamples());
    assertEquals(expected.loss(), actual.loss(), 1e-5);
    assertEquals(expected.accuracy(), actual.accuracy(), 1e-12);
  }

  /**
   * Fits from {@code global} twice with seed 9 and once with seed 10 (learning rate 0.05, the given
   * epochs and batch size): the same seed gives the same delta bit for bit, another seed another.
   */
  static void assertSeedDeterminesDelta(Trainer trainer, ModelWeights global, long epochs, long batch) {
    float[] first = trainer.fit(global, instructions(0.05, epochs, batch, 9)).delta().clone();
    float[] second = trainer.fit(global, instructions(0.05, epochs, batch, 9)).delta();
    float[] otherSeed = trainer.fit(global, instructions(0.05, epochs, batch, 10)).delta();

    assertArrayEquals(first, second);
    assertFalse(Arrays.equals(first, otherSeed));
  }

  /** Weights of a dense network of {@code sizes}, biases included, drawn at random. */
  static float[] randomDenseWeights(int[] sizes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int total = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      total += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    float[] w = new float[total];
    int offset = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      double std = Math.sqrt(2.0 / sizes[l]);
      for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) {
        w[offset++] = (float) (random.nextGaussian() * std);
      }
      for (int i = 0; i < sizes[l + 1]; i++) {
        w[offset++] = (float) (random.nextGaussian() * 0.1);
      }
    }
    return w;
  }

  /** Logits of one sample under a dense ReLU network with flat weights {@code w}, in double. */
  static double[] logits(int[] sizes, double[] w, float[] x, int row) {
    double[] a = new double[sizes[0]];
    for (int f = 0; f < sizes[0]; f++) {
      a[f] = x[row * sizes[0] + f];
    }
    int offset = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double[] z = new double[out];
      for (int j = 0; j < out; j++) {
        z[j] = w[offset + in * out + j];
      }
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < out; j++) {
          z[j] += a[i] * w[offset + i * out + j];
        }
      }
      if (l + 2 < sizes.length) {
        for (int j = 0; j < out; j++) {
          z[j] = Math.max(0, z[j]);
        }
      }
      offset += in * out + out;
      a = z;
    }
    return a;
  }

  /** Mean softmax cross-entropy over {@code rows}, in double. */
  static double meanLoss(int[] sizes, double[] w, Data data, int[] rows) {
    double sum = 0;
    for (int row : rows) {
      double[] z = logits(sizes, w, data.x(), row);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double partition = 0;
      for (double v : z) {
        partition += Math.exp(v - max);
      }
      sum += Math.log(partition) - (z[data.labels()[row]] - max);
    }
    return sum / rows.length;
  }

  /** Central finite differences of {@link #meanLoss} with respect to every weight. */
  static double[] numericalGradient(int[] sizes, float[] weights, Data data, int[] rows) {
    double[] w = toDouble(weights);
    double[] gradient = new double[w.length];
    double h = 1e-6;
    for (int i = 0; i < w.length; i++) {
      double saved = w[i];
      w[i] = saved + h;
      double plus = meanLoss(sizes, w, data, rows);
      w[i] = saved - h;
      double minus = meanLoss(sizes, w, data, rows);
      w[i] = saved;
      gradient[i] = (plus - minus) / (2 * h);
    }
    return gradient;
  }

  /**
   * Plain minibatch SGD as {@code fedavg_numpy.py} runs it, in double: per epoch a fresh
   * Fisher–Yates permutation of {@code rows} from one {@code SplittableRandom(seed)}, each batch's
   * gradient averaged over its size, finite differences standing in for backpropagation (slow, so
   * for tiny networks only). Returns the final weights.
   */
  static double[] referenceSgd(
      int[] sizes, float[] start, Data data, int[] rows, double lr, int epochs, int batch, long seed) {
    return referenceSgd(sizes, start, data, rows, lr, epochs, batch, seed, 0, null);
  }

  /**
   * {@link #referenceSgd} with FedProx's proximal term and a gradient correction (null for none):
   * each step is {@code w -= lr·(g(w) + mu·(w − start) + correction)}.
   */
  static double[] referenceSgd(
      int[] sizes,
      float[] start,
      Data data,
      int[] rows,
      double lr,
      int epochs,
      int batch,
      long seed,
      double mu,
      float[] correction) {
    double[] w = toDouble(start);
    SplittableRandom random = new SplittableRandom(seed);
    int n = rows.length;
    int step = batch == 0 ? n : Math.min(batch, n);
    int[] order = new int[n];
    for (int e = 0; e < epochs; e++) {
      System.arraycopy(rows, 0, order, 0, n);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int s = 0; s < n; s += step) {
        int[] batchRows = java.util.Arrays.copyOfRange(order, s, Math.min(n, s + step));
        double[] g = numericalGradient(sizes, toFloat(w), data, batchRows);
        for (int i = 0; i < w.length; i++) {
          double extra = mu * (w[i] - start[i]) + (correction == null ? 0 : correction[i]);
          w[i] -= lr * (g[i] + extra);
        }
      }
    }
    return w;
  }

  static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  static float[] toFloat(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** {@code ||a - b|| / ||b||}. */
  static double relativeDifference(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      norm += (double) b[i] * b[i];
    }
    return Math.sqrt(diff / norm);
  }

  /** Largest {@code |a[i] - b[i]|}. */
  static double maxAbsDifference(float[] a, double[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
