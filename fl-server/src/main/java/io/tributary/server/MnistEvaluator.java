package io.tributary.server;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.data.Mnist;
import io.tributary.data.MnistDataset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Central evaluation of a dense model on the 10,000 MNIST test images, in plain Java on all cores.
 * Thread-safe (the dataset is read-only).
 */
public final class MnistEvaluator implements CentralEvaluator {
  private final DenseNetwork network;
  private final float[] x;
  private final int[] labels;
  private final int n;
  private final int threads;

  public MnistEvaluator(ModelArchitecture architecture, MnistDataset test, int threads) {
    if (!(architecture instanceof DenseNetwork dense)) {
      throw new IllegalArgumentException(
          "central evaluation supports dense models only; '" + architecture.name()
              + "' must be evaluated by clients");
    }
    if (dense.inputs() != test.features()) {
      throw new IllegalArgumentException(
          "model " + dense + " expects " + dense.inputs() + " inputs, the data has " + test.features());
    }
    this.network = dense;
    this.x = test.images();
    this.n = test.size();
    this.labels = test.intLabels();
    this.threads = threads;
  }

  /** Loads the test split from a directory holding the four MNIST IDX files. */
  public static MnistEvaluator fromDirectory(ModelArchitecture architecture, Path dir) throws IOException {
    return new MnistEvaluator(architecture, Mnist.loadDirectory(dir).test(),
        Runtime.getRuntime().availableProcessors());
  }

  @Override
  public EvaluateResult evaluate(ModelWeights model) {
    return network.evaluate(model, x, labels, n, threads);
  }
}
