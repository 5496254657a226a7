package io.tributary.simulations.engine;

import io.tributary.core.strategy.Seeds;
import java.util.SplittableRandom;

/**
 * Systems heterogeneity of one virtual client, drawn from the run seed and the client id alone (so a
 * population of any size costs no memory and every draw reproduces): its relative compute speed, its
 * local epochs, and how likely it is to be online and to finish a round.
 *
 * <p>Following the setups of FedProx (Li et al., MLSys 2020: stragglers doing fewer local epochs) and
 * FedNova (Wang et al., NeurIPS 2020: local epochs drawn per client). Immutable.
 *
 * @param speed relative compute speed (1 = nominal), log-normal around 1
 * @param localEpochs this client's local epochs
 * @param availability probability of being online when a round samples
 * @param dropout probability of dropping out of a round after being selected
 */
public record ClientTraits(double speed, long localEpochs, double availability, double dropout) {

  /** The traits of {@code client} under {@code config}'s heterogeneity settings. */
  public static ClientTraits of(ExperimentConfig config, long client) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(Seeds.derive(config.seed(), -3), client));
    double speed = Math.exp(config.speedSigma() * random.nextGaussian());
    long epochs = config.localEpochs();
    if (config.localEpochsMax() > config.localEpochs()) {
      epochs += random.nextLong(config.localEpochsMax() - config.localEpochs() + 1);
    }
    return new ClientTraits(speed, epochs, config.availability(), config.dropout());
  }

  /**
   * Whether {@code client} straggles in round {@code round}: a seeded coin per client and round with
   * probability {@code stragglers} (FedProx: a fixed share of each round's devices cannot finish E
   * epochs).
   */
  public static boolean straggles(ExperimentConfig config, long round, long client) {
    return config.stragglers() > 0.0 && coin(config.seed(), -6, round, client) < config.stragglers();
  }

  /**
   * The local epochs {@code client} runs in round {@code round}: its own epochs ({@link #of}), or
   * with {@code epochs-per-round} a fresh draw from [local-epochs, local-epochs-max] each round; a
   * straggler instead runs x ~ U{1..that} epochs (FedProx's partial work).
   */
  public static long epochs(ExperimentConfig config, long round, long client) {
    long epochs = config.epochsPerRound()
        ? config.localEpochs() + stream(config.seed(), -7, round, client)
            .nextLong(config.localEpochsMax() - config.localEpochs() + 1)
        : of(config, client).localEpochs();
    if (straggles(config, round, client)) {
      epochs = 1 + stream(config.seed(), -8, round, client).nextLong(epochs);
    }
    return epochs;
  }

  /** Whether {@code client} is online when round {@code round} samples (a seeded coin per round). */
  public static boolean online(ExperimentConfig config, long round, long client) {
    return config.availability() >= 1.0 || coin(config.seed(), -4, round, client) < config.availability();
  }

  /** Whether {@code client} drops out of round {@code round} after being selected. */
  public static boolean dropsOut(ExperimentConfig config, long round, long client) {
    return config.dropout() > 0.0 && coin(config.seed(), -5, round, client) < config.dropout();
  }

  private static double coin(long seed, long stream, long round, long client) {
    return stream(seed, stream, round, client).nextDouble();
  }

  private static SplittableRandom stream(long seed, long stream, long round, long client) {
    return new SplittableRandom(Seeds.derive(Seeds.derive(Seeds.derive(seed, stream), round), client));
  }
}
