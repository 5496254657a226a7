package io.tributary.crypto.secagg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What every participant of one secure aggregation round agrees on before it starts: the round id,
 * the selected clients (their order fixes their indices 0..n−1), the parameters (k, t, the
 * quantizer), the seed of the round's Harary graph and each client's long-term Ed25519 identity key,
 * registered when it enrolled. Immutable and thread-safe.
 *
 * @param graphSeed seed of the random ring of the Harary graph; fresh each round
 * @param dimension length of every client's encoded input ({@link Quantizer#encode}: the update's
 *     values and its weight)
 */
public record RoundSetup(long round, List<String> clients, SecAggParameters parameters, long graphSeed,
    int dimension, Map<String, byte[]> identityKeys) {
  public RoundSetup {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    clients = List.copyOf(clients);
    Objects.requireNonNull(parameters, "parameters");
    if (clients.size() != parameters.clients()) {
      throw new IllegalArgumentException(
          clients.size() + " clients selected, the parameters are for " + parameters.clients());
    }
    if (clients.stream().distinct().count() != clients.size()) {
      throw new IllegalArgumentException("a client is selected twice");
    }
    Map<String, byte[]> keys = new HashMap<>();
    for (String c : clients) {
      byte[] key = identityKeys.get(c);
      if (key == null || key.length != 32) {
        throw new IllegalArgumentException("client " + c + " has no 32-byte Ed25519 identity key");
      }
      keys.put(c, key.clone());
    }
    identityKeys = Collections.unmodifiableMap(keys);
  }

  /** The client's index 0..n−1, or −1 when it is not in the round. */
  public int indexOf(String client) {
    return clients.indexOf(client);
  }

  /** The ids of {@code client}'s neighbours on the round's graph, in index order. */
  public List<String> neighbours(String client) {
    int index = indexOf(client);
    if (index < 0) {
      throw new IllegalArgumentException("client " + client + " is not in round " + round);
    }
    List<String> out = new ArrayList<>();
    for (int v : parameters.neighbours(index, graphSeed)) {
      out.add(clients.get(v));
    }
    return out;
  }

  /** The identity key of {@code client} (a copy). */
  public byte[] identityKey(String client) {
    byte[] key = identityKeys.get(client);
    return key == null ? null : key.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RoundSetup s) || s.round != round || s.graphSeed != graphSeed || s.dimension != dimension
        || !s.clients.equals(clients)
        || !s.parameters.equals(parameters)) {
      return false;
    }
    for (String c : clients) {
      if (!Arrays.equals(identityKeys.get(c), s.identityKeys.get(c))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(round, clients, graphSeed);
  }
}
