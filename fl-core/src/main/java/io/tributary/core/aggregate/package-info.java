/**
 * Aggregation: the exact streaming {@link io.tributary.core.aggregate.UpdateAccumulator} with its
 * immutable {@link io.tributary.core.aggregate.AggregatedUpdate} snapshot, and the reference maths
 * in {@link io.tributary.core.aggregate.Aggregations}.
 */
package io.tributary.core.aggregate;
