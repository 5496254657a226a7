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
 * registered when it enrolled. The graph seed places the clients on the random ring of the Harary
 * graph (fresh each round); the dimension is the length of every client's encoded input ({@link
 * Quantizer#encode}: the update's values and its weight). Immutable and thread-safe.
 */
public final class RoundSetup {
  private final long round;
  private final List<String> clients;
  private final SecAggParameters parameters;
  private final long graphSeed;
  private final int dimension;
  private final Map<String, byte[]> identityKeys;
  /** Client id to index: the protocol looks indices up for every share, so O(1), not a list search. */
  private final Map<String, Integer> indices;

  public RoundSetup(long round, List<String> clients, SecAggParameters parameters, long graphSeed, int dimension,
      Map<String, byte[]> identityKeys) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    this.round = round;
    this.clients = List.copyOf(clients);
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.graphSeed = graphSeed;
    this.dimension = dimension;
    if (this.clients.size() != parameters.clients()) {
      throw new IllegalArgumentException(
          this.clients.size() + " clients selected, the parameters are for " + parameters.clients());
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < this.clients.size(); i++) {
      if (index.put(this.clients.get(i), i) != null) {
        throw new IllegalArgumentException("client " + this.clients.get(i) + " is selected twice");
      }
    }
    this.indices = Collections.unmodifiableMap(index);
    Map<String, byte[]> keys = new HashMap<>();
    for (String c : this.clients) {
      byte[] key = identityKeys.get(c);
      if (key == null || key.length != 32) {
        throw new IllegalArgumentException("client " + c + " has no 32-byte Ed25519 identity key");
      }
      keys.put(c, key.clone());
    }
    this.identityKeys = Collections.unmodifiableMap(keys);
  }

  public long round() {
    return round;
  }

  /** The selected clients; their order fixes their indices. */
  public List<String> clients() {
    return clients;
  }

  public SecAggParameters parameters() {
    return parameters;
  }

  public long graphSeed() {
    return graphSeed;
  }

  public int dimension() {
    return dimension;
  }

  /** Every selected client's identity key (unmodifiable; the arrays must not be changed). */
  public Map<String, byte[]> identityKeys() {
    return identityKeys;
  }

  /** The client's index 0..n−1, or −1 when it is not in the round. */
  public int indexOf(String client) {
    Integer i = indices.get(client);
    return i == null ? -1 : i;
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

  /** Whether clients with indices {@code a} and {@code b} are neighbours on the round's graph (O(1)). */
  public boolean adjacent(int a, int b) {
    return parameters.adjacent(a, b, graphSeed);
  }

  /** The Shamir point of the share {@code holder} keeps of {@code owner}'s secrets ({@link SecAggParameters#sharePoint}). */
  public int sharePoint(String owner, String holder) {
    return parameters.sharePoint(indexOf(owner), indexOf(holder), graphSeed);
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
