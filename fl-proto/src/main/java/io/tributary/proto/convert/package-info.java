/** Conversions between fl-core's typed values and the fl.v1 wire messages, shared by server and client. */
package io.tributary.proto.convert;
