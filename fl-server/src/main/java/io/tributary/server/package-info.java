/**
 * The aggregation server: {@link io.tributary.server.FlServer} runs federated rounds over gRPC as a
 * {@link io.tributary.server.ServerConfig} says.
 */
package io.tributary.server;
