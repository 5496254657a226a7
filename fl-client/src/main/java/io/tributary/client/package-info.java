/**
 * The client SDK: {@link io.tributary.client.FlClient} joins federated rounds over gRPC and runs a
 * {@link io.tributary.client.Trainer} on local data.
 */
package io.tributary.client;
