/**
 * Model architectures (layouts and initialisation) and a dependency-free dense network used for
 * server-side evaluation and on devices without native BLAS.
 */
package io.tributary.core.nn;
