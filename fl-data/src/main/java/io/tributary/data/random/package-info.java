/**
 * Reproducible samplers for continuous distributions (normal, log-normal, gamma, Dirichlet, Pareto)
 * on top of {@link java.util.SplittableRandom}, computed with {@link java.lang.StrictMath} so that a
 * seed gives the same variates on every JVM.
 *
 * <p>Used by the label- and quantity-skew partitioners in {@link io.tributary.data.partition} and the
 * synthetic datasets in {@link io.tributary.data.synthetic}.
 */
package io.tributary.data.random;
