/** End-to-end server ingest over loopback gRPC: parse, stage, validate, checksum and fold. */
package io.tributary.benchmarks.ingest;
