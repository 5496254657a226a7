/**
 * Built-in {@link io.tributary.client.Trainer}s.
 *
 * <ul>
 *   <li>{@link io.tributary.client.train.DenseTrainer}: the lean trainer for fully connected
 *       networks ({@link io.tributary.core.nn.DenseNetwork}, e.g. McMahan et al.'s 2NN) — a few
 *       large matrix products per step on buffers allocated once, through native OpenBLAS or a
 *       pure-Java backend with the same structure for apps and Android without native code.
 *   <li>{@link io.tributary.client.train.ConvTrainer}: the lean trainer for McMahan et al.'s MNIST
 *       CNN ({@link io.tributary.core.nn.ConvNetwork}) — im2col and one matrix product per
 *       convolution and pass, on the same kernels, in the same layout as DL4J's.
 *   <li>{@link io.tributary.client.train.Dl4jTrainer}: the general path for any layer DL4J has,
 *       through a {@link io.tributary.client.train.Dl4jModel} that maps our named tensors to DL4J's
 *       parameters.
 * </ul>
 *
 * <p>All three run plain minibatch SGD as the task's {@link
 * io.tributary.core.config.TrainingKeys} say (learning rate, local epochs, batch size with 0 for
 * the full local set, seed), visit the local samples in a fresh seeded permutation each epoch
 * ({@code new SplittableRandom(seed)}), average each step's gradient over its batch and report the
 * delta {@code local - global}.
 */
package io.tributary.client.train;
