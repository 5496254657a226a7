package io.tributary.simulations.engine;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.strategy.Seeds;
import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.dp.DistributedDpCodec;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggClient;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggException;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.SecAggServer;
import io.tributary.crypto.secagg.SecureUpdateCodec;
import io.tributary.crypto.secagg.SeededSecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One simulated SecAgg+ round over the real protocol: the cohort's clients and the server are the
 * {@link SecAggClient} and {@link SecAggServer} state machines of fl-crypto, exchanging their messages
 * in memory; keys, seeds and nonces come from {@link SeededSecureRandom} streams derived from the run
 * seed, the round and the client, so a simulated run reproduces bit for bit.
 *
 * <p>Order: {@link #prepare()} runs AdvertiseKeys and ShareKeys for the whole cohort before anyone
 * trains (they do not depend on the update); then each client, as soon as it has trained, quantizes
 * and masks its update ({@link #submit}) and the server folds the masked vector at once — so memory
 * stays O(model + cohort × neighbours), never O(cohort × model). A client that drops out after
 * ShareKeys simply never submits. {@link #finish()} runs ConsistencyCheck and Unmasking with the
 * survivors and decodes the weighted mean of their updates; when too few survive, it throws and the
 * round fails closed.
 *
 * <p>Thread-safe for concurrent {@link #submit} calls from simulation workers; {@link #prepare} and
 * {@link #finish} are called by the round's thread.
 */
final class SecureAggregationRound {
  private final long round;
  private final long seed;
  private final RoundSetup setup;
  private final SecAggServer server;
  private final Map<String, SecAggClient> clients = new HashMap<>();
  private final Map<String, List<EncryptedShare>> inbox = new ConcurrentHashMap<>();
  private final SecureUpdateCodec codec;
  /** Distributed DP: clients rotate, round and noise their update instead (null otherwise). */
  private final DistributedDpCodec noisy;

  /**
   * @param cohort the round's clients (virtual client ids)
   * @param dimension the model's number of parameters
   * @param accumulationNorm whether clients also mask w·‖a‖₁ (the strategy needs τ_eff: FedNova)
   * @param distributed distributed DP's calibrated mechanism for this round, or null: each client then
   *     adds its share of discrete Gaussian noise before masking ({@link DistributedDpCodec})
   */
  SecureAggregationRound(long seed, long round, int[] cohort, SecAggParameters parameters, int dimension, int threads,
      boolean accumulationNorm, DistributedDiscreteGaussian distributed) {
    this.round = round;
    this.seed = seed;
    this.codec = new SecureUpdateCodec(parameters.quantizer(), dimension, accumulationNorm);
    long graphSeed = Seeds.derive(Seeds.derive(seed, -10), round);
    this.noisy = distributed == null ? null
        : new DistributedDpCodec(distributed, dimension, DistributedDpCodec.rotationSeed(graphSeed, round));
    if (noisy == null) {
      codec.checkCapacity(cohort.length);
    }
    List<String> ids = new ArrayList<>();
    Map<String, byte[]> identityPublic = new HashMap<>();
    Map<String, byte[]> identityPrivate = new HashMap<>();
    for (int c : cohort) {
      String id = id(c);
      ids.add(id);
      // A virtual client's long-term identity: derived from the run seed and its id, so none is stored.
      SecAggCrypto.KeyPair identity = SecAggCrypto.ed25519(new SeededSecureRandom(seed, "identity " + c));
      identityPublic.put(id, identity.publicKey());
      identityPrivate.put(id, identity.privateKey());
    }
    this.setup = new RoundSetup(round, ids, parameters, graphSeed, noisy != null ? noisy.length() : codec.length(),
        identityPublic);
    this.server = new SecAggServer(setup, threads);
    for (String id : ids) {
      clients.put(id, new SecAggClient(setup, id, identityPrivate.get(id),
          new SeededSecureRandom(Seeds.derive(seed, round), "client " + id)));
    }
  }

  static String id(int client) {
    return "sim-" + client;
  }

  /** AdvertiseKeys and ShareKeys for the whole cohort. */
  void prepare() throws SecAggException {
    for (String id : setup.clients()) {
      server.receiveAdvertisement(clients.get(id).advertiseKeys());
    }
    Map<String, List<KeyAdvertisement>> keys = server.closeAdvertisements();
    for (Map.Entry<String, List<KeyAdvertisement>> e : keys.entrySet()) {
      server.receiveShares(clients.get(e.getKey()).shareKeys(e.getValue()));
    }
    inbox.putAll(server.closeShares());
  }

  /**
   * Quantizes {@code update} with {@code weight} (and, for FedNova, its accumulation norm), masks it
   * and hands it to the server, which folds it.
   *
   * @throws IllegalArgumentException when the update has a NaN or infinite value, the weight is out
   *     of the quantizer's range or the norm out of [1, 2^20] (checked before masking: the server cannot
   *     check a masked vector)
   */
  void submit(int client, float[] update, long weight, double accumulationNorm) throws SecAggException {
    String id = id(client);
    int[] encoded = noisy != null
        ? noisy.encode(update, RandomBits.seeded(seed, "ddg round " + round + " client " + client)).values()
        : codec.encode(update, weight, accumulationNorm,
            new SplittableRandom(Seeds.derive(Seeds.derive(Seeds.derive(seed, -11), round), client)));
    SecAggClient c = clients.get(id);
    synchronized (c) {
      server.receiveMaskedInput(c.maskedInput(inbox.get(id), encoded));
    }
  }

  /**
   * ConsistencyCheck and Unmasking with every client that submitted: the weighted mean of their
   * clipped, quantized updates as a snapshot of {@code updates} updates, carrying τ_eff for FedNova.
   *
   * @throws SecAggException when the round fails closed (too few survivors for some client's threshold)
   * @throws IllegalArgumentException when the sum does not decode (a mask left in)
   */
  AggregatedUpdate finish(ModelLayout layout, int updates) throws SecAggException {
    SurvivorSet survivors = server.closeMaskedInputs();
    for (String u : survivors.survivors()) {
      server.receiveConsistencySignature(clients.get(u).consistencyCheck(survivors));
    }
    Map<String, UnmaskRequest> requests = server.closeConsistency();
    for (Map.Entry<String, UnmaskRequest> e : requests.entrySet()) {
      server.receiveUnmaskResponse(clients.get(e.getKey()).unmask(e.getValue()));
    }
    if (noisy != null) {
      // The survivors' clipped sum plus their noise: the server never sees it without the noise.
      DistributedDpCodec.Decoded d = noisy.decode(server.finish(), survivors.survivors().size());
      return AggregatedUpdate.ofMean(layout, d.mean(), d.summands(), updates);
    }
    SecureUpdateCodec.Decoded decoded = codec.decode(server.finish());
    AggregatedUpdate aggregate = AggregatedUpdate.ofMean(layout, decoded.mean(), decoded.totalWeight(), updates);
    return decoded.meanAccumulationNorm().isPresent()
        ? aggregate.withMeanAccumulationNorm(decoded.meanAccumulationNorm().getAsDouble()) : aggregate;
  }

  /** The round's setup (for tests). */
  RoundSetup setup() {
    return setup;
  }
}
