package io.tributary.simulations.engine;

/**
 * What one simulated round did. Metrics are exact functions of the config and seed; {@code
 * seconds} is timing and is kept apart from them in the output files.
 *
 * @param testLoss NaN in rounds without evaluation
 * @param testAccuracy NaN in rounds without evaluation
 */
public record RoundMetrics(
    String run,
    int round,
    int sampledClients,
    int reportingClients,
    long examples,
    double trainLoss,
    double testLoss,
    double testAccuracy,
    long bytesUp,
    long bytesDown,
    double seconds) {}
