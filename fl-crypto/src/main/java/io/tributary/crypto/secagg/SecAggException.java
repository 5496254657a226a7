package io.tributary.crypto.secagg;

/**
 * A secure aggregation round cannot go on: a message failed a check (bad signature, wrong round,
 * replay, a request that would reveal both secrets of a client) or too few clients survived. The
 * message says which check and which client; the party that threw keeps no partial result.
 */
public final class SecAggException extends Exception {
  private static final long serialVersionUID = 1L;

  public SecAggException(String message) {
    super(message);
  }

  public SecAggException(String message, Throwable cause) {
    super(message, cause);
  }
}
