/**
 * Aggregation: the exact streaming {@link io.tributary.core.aggregate.UpdateAccumulator} with its
 * immutable {@link io.tributary.core.aggregate.AggregatedUpdate} snapshot, and the reference maths
 * in {@link io.tributary.core.aggregate.Aggregations}. Byzantine-robust aggregators, which need all
 * of a round's updates at once, are in {@link io.tributary.core.aggregate.robust}.
 */
package io.tributary.core.aggregate;
