/**
 * Benchmarks of the server's collect step: {@link
 * io.tributary.benchmarks.aggregation.StreamingAggregationBenchmark} folds wire-format updates into
 * an {@link io.tributary.core.aggregate.UpdateAccumulator}, {@link
 * io.tributary.benchmarks.aggregation.StreamTriadBenchmark} measures the memory bandwidth it is
 * compared with, and {@link io.tributary.benchmarks.aggregation.AggregationReport} runs both and
 * writes the table in {@code benchmarks/RESULTS.md}.
 */
package io.tributary.benchmarks.aggregation;
