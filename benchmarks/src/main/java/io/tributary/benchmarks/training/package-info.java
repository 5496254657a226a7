/**
 * Macro benchmarks of local training: {@link
 * io.tributary.benchmarks.training.TrainingThroughput} compares the lean dense trainer (OpenBLAS
 * and pure Java), DL4J and the numpy reference on McMahan et al.'s MNIST 2NN, and with {@code
 * --model mnist-cnn} the lean ConvTrainer against DL4J on their CNN, one thread each.
 */
package io.tributary.benchmarks.training;
