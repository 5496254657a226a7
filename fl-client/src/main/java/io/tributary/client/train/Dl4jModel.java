package io.tributary.client.train;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A DL4J network configuration paired with the two-way mapping between our named-tensor {@link
 * ModelLayout} and DL4J's parameters, so any layer DL4J has can train in federated rounds.
 *
 * <p>The mapping binds each of our tensors to one DL4J parameter by key ({@code "<layer>_W"},
 * {@code "<layer>_b"}) and copies values through the parameter's own shape and memory order, so it
 * does not depend on how DL4J flattens its parameter vector (it keeps dense weights {@code [in,
 * out]} in Fortran order and puts a convolution's bias before its kernel there). Convolution
 * kernels are {@code [out, in, kh, kw]} in both; our biases {@code [out]} are DL4J's {@code [1,
 * out]}. {@link #newNetwork()} checks every binding's shape, so a mismatch fails at setup.
 *
 * <p>Networks use plain SGD ({@link Sgd}); trainers set the task's learning rate before each fit.
 * {@link Dl4jTrainer} relies on it: its FedNova accumulation norm is the plain-SGD closed form.
 * Immutable and thread-safe; the networks it creates are not.
 */
public final class Dl4jModel {
  private final String name;
  private final ModelLayout layout;
  private final int inputs;
  private final int classes;
  private final MultiLayerConfiguration configuration;
  /** paramKeys[t] is the DL4J parameter bound to our tensor t. */
  private final String[] paramKeys;

  private Dl4jModel(
      String name,
      ModelLayout layout,
      int inputs,
      int classes,
      MultiLayerConfiguration configuration,
      String[] paramKeys) {
    this.name = name;
    this.layout = layout;
    this.inputs = inputs;
    this.classes = classes;
    this.configuration = configuration;
    this.paramKeys = paramKeys;
  }

  /**
   * McMahan et al.'s MNIST CNN in {@link ConvNetwork#mnistCnn()}'s layout: 5x5 convolutions with 32
   * and 64 channels ("same" padding, ReLU), each followed by 2x2 max pooling, a 512-unit ReLU layer
   * and a softmax output over 10 classes; 1,663,370 parameters. Input rows are 784 pixels, row by
   * row. DL4J flattens the last pooling output channel-major ({@code c * 49 + row * 7 + col}), the
   * input order of our {@code dense_0/kernel}.
   */
  public static Dl4jModel mnistCnn() {
    MultiLayerConfiguration configuration =
        base()
            .list()
            .layer(
                new ConvolutionLayer.Builder(5, 5)
                    .nIn(1)
                    .nOut(32)
                    .stride(1, 1)
                    .convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(2, 2)
                    .stride(2, 2)
                    .build())
            .layer(
                new ConvolutionLayer.Builder(5, 5)
                    .nOut(64)
                    .stride(1, 1)
                    .convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(2, 2)
                    .stride(2, 2)
                    .build())
            .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1))
            .build();
    String[] keys = {"0_W", "0_b", "2_W", "2_b", "4_W", "4_b", "5_W", "5_b"};
    ConvNetwork cnn = ConvNetwork.mnistCnn();
    return new Dl4jModel(cnn.name(), cnn.layout(), 28 * 28, 10, configuration, keys);
  }

  /**
   * The DL4J twin of a {@link DenseNetwork}: dense ReLU layers and a softmax output trained on
   * cross-entropy, tensor {@code dense_i/*} bound to DL4J layer {@code i}.
   */
  public static Dl4jModel dense(DenseNetwork network) {
    Objects.requireNonNull(network, "network");
    int[] sizes = network.sizes();
    NeuralNetConfiguration.ListBuilder list = base().list();
    List<String> keys = new ArrayList<>();
    for (int l = 0; l < network.layers(); l++) {
      if (l + 1 < network.layers()) {
        list.layer(
            new DenseLayer.Builder().nIn(sizes[l]).nOut(sizes[l + 1]).activation(Activation.RELU).build());
      } else {
        list.layer(
            new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(sizes[l])
                .nOut(sizes[l + 1])
                .activation(Activation.SOFTMAX)
                .build());
      }
      keys.add(l + "_W");
      keys.add(l + "_b");
    }
    MultiLayerConfiguration configuration =
        list.setInputType(InputType.feedForward(network.inputs())).build();
    return new Dl4jModel(
        network.name(),
        network.layout(),
        network.inputs(),
        network.classes(),
        configuration,
        keys.toArray(new String[0]));
  }

  private static NeuralNetConfiguration.Builder base() {
    // The seed only fixes DL4J's own initialisation, which every fit overwrites with the global model.
    return new NeuralNetConfiguration.Builder()
        .seed(0)
        .dataType(DataType.FLOAT)
        .weightInit(WeightInit.RELU)
        .updater(new Sgd(0.05));
  }

  /** Name of the architecture, e.g. {@code mnist-cnn}. */
  public String name() {
    return name;
  }

  public ModelLayout layout() {
    return layout;
  }

  /** Features per input row. */
  public int inputs() {
    return inputs;
  }

  /** Number of output classes. */
  public int classes() {
    return classes;
  }

  /**
   * A fresh, initialised network whose parameters match this model's layout tensor by tensor.
   *
   * @throws IllegalStateException if a bound DL4J parameter is missing or has another shape
   */
  public MultiLayerNetwork newNetwork() {
    MultiLayerNetwork network = new MultiLayerNetwork(configuration.clone());
    network.init();
    if (network.numParams() != layout.totalElements()) {
      throw new IllegalStateException(
          "DL4J network has " + network.numParams() + " parameters, layout " + layout);
    }
    for (int t = 0; t < layout.size(); t++) {
      TensorSpec spec = layout.tensor(t);
      INDArray param = network.getParam(paramKeys[t]);
      if (param == null || !shapesAgree(spec.shape(), param.shape())) {
        throw new IllegalStateException(
            "tensor " + spec + " does not match DL4J parameter " + paramKeys[t] + " "
                + (param == null ? "(missing)" : Arrays.toString(param.shape())));
      }
    }
    return network;
  }

  /** Equal shapes, or a vector of ours against DL4J's {@code [1, n]} row vector. */
  private static boolean shapesAgree(int[] ours, long[] theirs) {
    if (ours.length == 1) {
      long elements = 1;
      for (long d : theirs) {
        elements *= d;
      }
      return elements == ours[0] && (theirs.length == 1 || theirs[0] == 1);
    }
    if (ours.length != theirs.length) {
      return false;
    }
    for (int i = 0; i < ours.length; i++) {
      if (ours[i] != theirs[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies {@code weights} into {@code network}'s parameters.
   *
   * @throws IllegalArgumentException if {@code weights} has another layout
   */
  public void write(ModelWeights weights, MultiLayerNetwork network) {
    checkLayout(weights);
    for (int t = 0; t < layout.size(); t++) {
      INDArray param = network.getParam(paramKeys[t]);
      // Built in C order with DL4J's own shape, assign() copies by logical index whatever the
      // parameter's memory order is.
      param.assign(Nd4j.create(weights.tensor(layout.tensor(t).name()), param.shape(), 'c'));
    }
  }

  /** {@code network}'s parameters as weights in this model's layout. */
  public ModelWeights read(MultiLayerNetwork network) {
    float[] flat = new float[layout.totalElements()];
    for (int t = 0; t < layout.size(); t++) {
      float[] values = Nd4j.toFlattened('c', network.getParam(paramKeys[t])).toFloatVector();
      System.arraycopy(values, 0, flat, layout.offset(t), values.length);
    }
    return ModelWeights.of(layout, flat);
  }

  /** Throws a clear error when {@code weights} do not have this model's layout. */
  public void checkLayout(ModelWeights weights) {
    if (!weights.layout().equals(layout)) {
      throw new IllegalArgumentException(
          "model layout " + weights.layout() + " does not match " + name + " " + layout);
    }
  }

  @Override
  public String toString() {
    return "Dl4jModel[" + name + ", " + layout.totalElements() + " parameters]";
  }
}
