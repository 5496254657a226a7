/**
 * Loading federated datasets published in the JSON format of the LEAF benchmark (FEMNIST,
 * Shakespeare, Synthetic, ...) into per-user sample lists; see
 * {@link io.tributary.data.leaf.LeafDataset}.
 */
package io.tributary.data.leaf;
