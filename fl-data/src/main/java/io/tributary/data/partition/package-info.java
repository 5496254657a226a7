/**
 * Splitting a dataset's sample indices among federated clients.
 *
 * <p>{@link io.tributary.data.partition.Partitioners} builds {@link io.tributary.data.partition.Partition}
 * values deterministically from a seed, so an experiment's client data is reproducible from its
 * configuration alone: IID, the McMahan et al. 2017 label-sorted shards, Dirichlet label skew (Hsu et
 * al. 2019) and power-law quantity skew.
 * {@link io.tributary.data.partition.Partition#summary(int[], int)} prints per-client sample counts and
 * label histograms for checking how skewed a split is.
 */
package io.tributary.data.partition;
