/**
 * Differential privacy noise without floating-point samplers, and its accounting.
 *
 * <p><b>Why exact.</b> Textbook samplers that turn a uniform double into Laplace or Gaussian noise
 * leak: the set of doubles they can output depends on the input, which Mironov ("On Significance of the
 * Least Significant Bits for Differential Privacy", CCS 2012) exploited for the Laplace mechanism and
 * Jin, McMurtry, Rubinstein and Ohrimenko ("Are We There Yet? Timing and Floating-Point Attacks on
 * Differential Privacy Systems", IEEE S&amp;P 2022) for Gaussian samplers. This package samples the
 * discrete Gaussian exactly instead and builds real-valued mechanisms on a grid.
 *
 * <ul>
 *   <li><b>Randomness</b>: {@link io.tributary.crypto.dp.RandomBits}, an AES-256-CTR stream keyed from
 *       {@link java.security.SecureRandom} (or, in simulations, from the run seed), handed out in
 *       blocks, with exact uniform integers and exact rational coins.
 *   <li><b>Exact discrete Gaussian sampling</b>: {@link io.tributary.crypto.dp.BernoulliExp}, {@link
 *       io.tributary.crypto.dp.DiscreteLaplace} and {@link io.tributary.crypto.dp.DiscreteGaussian}
 *       implement Algorithms 1, 2 and 3 of Canonne, Kamath and Steinke ("The Discrete Gaussian for
 *       Differential Privacy", NeurIPS 2020) in exact integer arithmetic, for exactly the σ given.
 *   <li><b>Gaussian mechanism on a grid</b>: {@link io.tributary.crypto.dp.GaussianMechanism} snaps a
 *       real vector to a power-of-two grid and adds scaled discrete Gaussian noise, with the
 *       sensitivity the snapping costs stated and computed.
 *   <li><b>Rényi DP accounting</b>: the RDP accountant classes of this package compose the privacy
 *       loss of the (subsampled) Gaussian mechanism over rounds (Mironov, "Rényi Differential
 *       Privacy", CSF 2017) and convert it to (ε, δ).
 *   <li><b>Distributed discrete Gaussian</b>: the randomized Hadamard rotation, conditional randomized
 *       rounding and per-client discrete Gaussian noise of Kairouz, Liu and Steinke ("The Distributed
 *       Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation", ICML 2021), so
 *       that noise added by the clients survives modular secure aggregation; {@link
 *       io.tributary.crypto.dp.DistributedDpCodec} is the client encoding and server decoding of the
 *       vector masked by SecAgg+.
 * </ul>
 *
 * <p>Samplers and bit sources are not thread-safe; mechanisms are immutable and take the bit source
 * per call.
 */
package io.tributary.crypto.dp;
