/**
 * Synthetic federated datasets generated on demand per client from a seed, so that populations of
 * any size cost no storage: {@link io.tributary.data.synthetic.Synthetic} is Synthetic(α, β) and
 * Synthetic-IID of Li et al. 2020 (FedProx).
 */
package io.tributary.data.synthetic;
