/**
 * Typed values exchanged in a round: instructions, results, failures, independent of the wire
 * format (the gRPC messages live in fl-proto).
 */
package io.tributary.core.protocol;
