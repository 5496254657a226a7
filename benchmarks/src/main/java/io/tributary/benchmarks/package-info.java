/** Shared helpers of the benchmark commands. */
package io.tributary.benchmarks;
