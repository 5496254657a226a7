package io.tributary.server;

/** Hears about round progress, on the round thread. Implementations should return quickly. */
public interface RoundListener {
  /** A round completed and produced a new global model. */
  default void onRoundCompleted(RoundSummary summary) {}

  /**
   * A round attempt ended without enough accepted updates, or with updates its robust aggregator
   * refused (Krum with fewer than 2f + 3); the model is unchanged. With {@code dp} on, also a round
   * skipped because its Poisson sample was empty (or, under secure aggregation, held fewer than 3
   * clients): that round counts as run, with the model unchanged and no ε spent.
   */
  default void onRoundFailed(long round, int attempt, String reason) {}

  /** All rounds are done (or the server gave up). */
  default void onFinished(boolean success, String message) {}
}
