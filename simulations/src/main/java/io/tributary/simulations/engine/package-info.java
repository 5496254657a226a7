/**
 * The in-process simulation engine: virtual clients as descriptors over shared dataset arrays, a
 * bounded worker pool, and the same trainers, mods, update pipeline, accumulator and strategies as the
 * gRPC server and client.
 */
package io.tributary.simulations.engine;
