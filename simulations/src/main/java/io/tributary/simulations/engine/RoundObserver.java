package io.tributary.simulations.engine;

import io.tributary.simulations.report.RoundRecord;

/** Hears about a simulation's progress, on the engine's thread. Implementations return quickly. */
public interface RoundObserver {
  /** A round finished; {@code metrics} has its numbers. */
  void onRound(RoundRecord metrics);

  /** An observer that ignores everything. */
  static RoundObserver none() {
    return m -> {};
  }
}
