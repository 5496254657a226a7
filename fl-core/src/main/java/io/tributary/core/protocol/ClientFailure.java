package io.tributary.core.protocol;

import java.util.Objects;

/** A selected client that did not contribute to a round, and why (timeout, rejected, ...). Immutable. */
public record ClientFailure(String clientId, long round, String reason) {
  public ClientFailure {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(reason, "reason");
  }
}
