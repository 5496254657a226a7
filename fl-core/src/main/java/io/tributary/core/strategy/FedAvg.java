package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * Federated Averaging: clients run E epochs of minibatch SGD (batch B, rate η) from the global
 * model; the server moves the global model by the example-weighted mean of their deltas, scaled by a
 * server learning rate (1 reproduces the paper).
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas: "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017.
 *
 * <p>Immutable and thread-safe.
 */
public final class FedAvg implements Strategy {
  private final double learningRate;
  private final long localEpochs;
  private final long batchSize;
  private final double serverLearningRate;
  private final long seed;

  private FedAvg(Builder b) {
    this.learningRate = b.learningRate;
    this.localEpochs = b.localEpochs;
    this.batchSize = b.batchSize;
    this.serverLearningRate = b.serverLearningRate;
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedavg";
  }

  public double learningRate() {
    return learningRate;
  }

  public long localEpochs() {
    return localEpochs;
  }

  public long batchSize() {
    return batchSize;
  }

  public double serverLearningRate() {
    return serverLearningRate;
  }

  @Override
  public ConfigValues configureFit(long round) {
    return ConfigValues.builder()
        .set(TrainingKeys.LEARNING_RATE, learningRate)
        .set(TrainingKeys.LOCAL_EPOCHS, localEpochs)
        .set(TrainingKeys.BATCH_SIZE, batchSize)
        .set(TrainingKeys.SEED, Seeds.derive(seed, round))
        .build();
  }

  @Override
  public long aggregationWeight(long numExamples, long localSteps) {
    return numExamples;
  }

  @Override
  public ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    return global.plus(aggregate.mean(), (float) serverLearningRate);
  }

  @Override
  public String toString() {
    return "FedAvg{lr=" + learningRate + ", E=" + localEpochs + ", B=" + (batchSize == 0 ? "inf" : batchSize)
        + ", serverLr=" + serverLearningRate + "}";
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder {
    private double learningRate = TrainingKeys.LEARNING_RATE.defaultValue();
    private long localEpochs = TrainingKeys.LOCAL_EPOCHS.defaultValue();
    private long batchSize = TrainingKeys.BATCH_SIZE.defaultValue();
    private double serverLearningRate = 1.0;
    private long seed;

    public Builder learningRate(double v) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException("learning rate must be positive and finite, got " + v);
      }
      learningRate = v;
      return this;
    }

    public Builder localEpochs(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("local epochs must be >= 1, got " + v);
      }
      localEpochs = v;
      return this;
    }

    /** Local batch size; 0 means the whole local dataset (B = ∞). */
    public Builder batchSize(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("batch size must be >= 0 (0 = full batch), got " + v);
      }
      batchSize = v;
      return this;
    }

    public Builder serverLearningRate(double v) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException("server learning rate must be positive and finite, got " + v);
      }
      serverLearningRate = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public FedAvg build() {
      return new FedAvg(this);
    }
  }
}
