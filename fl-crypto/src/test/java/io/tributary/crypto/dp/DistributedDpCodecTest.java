package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggClient;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.SecAggServer;
import io.tributary.crypto.secagg.SeededSecureRandom;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedDpCodec}: the client encoding and server decoding of the distributed discrete
 * Gaussian over SecAgg+, alone and through whole in-memory SecAgg+ rounds.
 */
class DistributedDpCodecTest {
  private static final int D = 1000;
  private static final int D_PADDED = 1024;
  private static final int CLIENTS = 10;
  private static final int THRESHOLD = 6;
  private static final double CLIP = 1.0;
  private static final double BETA = Math.exp(-0.5);

  /** c = 1, β = e^−0.5, 2^32, n = 10, n_min = t = 6 (no corrupt clients), z = 1, wrap ≤ 10^−9. */
  private static final DistributedDiscreteGaussian PARAMS = DistributedDiscreteGaussian.calibrate(
      D_PADDED, CLIP, BETA, 32, CLIENTS, DistributedDiscreteGaussian.noiseCarriers(THRESHOLD, 0), 1.0,
      1e-9);

  private static final byte[] SEED = DistributedDpCodec.rotationSeed(0x5eedL, 7);

  private static DistributedDpCodec codec() {
    return new DistributedDpCodec(PARAMS, D, SEED);
  }

  private static DistributedDpCodec noiseFree() {
    return new DistributedDpCodec(PARAMS, D, SEED, false);
  }

  /** An update of L2 norm {@code norm}, with a few dominant coordinates (not flat). */
  private static float[] update(SplittableRandom random, double norm) {
    double[] x = new double[D];
    double s = 0;
    for (int i = 0; i < D; i++) {
      x[i] = random.nextGaussian() * (i % 97 == 0 ? 20 : 1);
      s += x[i] * x[i];
    }
    float[] out = new float[D];
    for (int i = 0; i < D; i++) {
      out[i] = (float) (x[i] * norm / Math.sqrt(s));
    }
    return out;
  }

  /** The update clipped to L2 norm c, in double precision, as the codec clips it. */
  private static double[] clipped(float[] u) {
    double s = 0;
    for (float v : u) {
      s += (double) v * v;
    }
    double scale = Math.sqrt(s) > CLIP ? CLIP / Math.sqrt(s) : 1;
    double[] x = new double[u.length];
    for (int i = 0; i < u.length; i++) {
      x[i] = u[i] * scale;
    }
    return x;
  }


  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  private static void addInto(int[] sum, int[] x) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += x[i]; // int addition is addition modulo 2^32, as SecAgg+'s
    }
  }

  private static void addInto(double[] sum, double[] x) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += x[i];
    }
  }

  // ---- 1. the deterministic pipeline, without noise ----

  @Test
  void noiseFree_sumOfEncodingsDecodesToTheClippedSumWithinTheRoundingBound() {
    DistributedDpCodec codec = noiseFree();
    SplittableRandom random = new SplittableRandom(1);
    int n = 8;
    int[] sum = new int[codec.length()];
    double[] truth = new double[D];
    for (int j = 0; j < n; j++) {
      float[] u = update(random, j % 2 == 0 ? 5 * CLIP : 0.3 * CLIP); // half of them get clipped
      addInto(sum, codec.encode(u, RandomBits.seeded(1, "client " + j)).values());
      addInto(truth, clipped(u));
    }
    DistributedDpCodec.Decoded decoded = codec.decode(sum, n);
    assertEquals(n, decoded.summands());
    assertEquals(D, decoded.noisySum().length);
    double gamma = PARAMS.granularity();
    double error = distance(decoded.noisySum(), truth);
    // Deterministic: each rounded coordinate moves by less than one grid step, so one client's error
    // is below γ√d' in L2, before the (orthogonal) inverse rotation and the (contracting) truncation.
    assertTrue(error < n * gamma * Math.sqrt(D_PADDED) * (1 + 1e-9), "error " + error);
    // Typical: each coordinate's error has variance at most 1/4 grid step², so E‖error‖² ≤ n d' γ²/4;
    // twice that root-mean-square bound is far out in the tail.
    assertTrue(error < gamma * Math.sqrt(n * D_PADDED), "error " + error + ", gamma " + gamma);
    // and the signal is far above the grid: the decoded sum is the clipped sum to ~1e-6 relative
    double signal = NoiseStatistics.norm(truth);
    assertTrue(error < 1e-4 * signal, "error " + error + ", signal " + signal);
    assertEquals(0, decoded.nearWrapFraction());
  }

  @Test
  void noise_isWhatSeparatesAnEncodingFromItsNoiseFreeTwin_withVarianceSigmaSquared() {
    // Rounding draws first and noise after, from the same RandomBits: with identical streams the two
    // codecs round identically, and the difference of their outputs is exactly the noise vector.
    float[] u = update(new SplittableRandom(2), 3 * CLIP);
    double sigma = codec().noiseSigma();
    assertTrue(sigma >= PARAMS.localSigma() && sigma <= PARAMS.localSigma() * (1 + 0x1p-29));
    double sumSquares = 0;
    double sum = 0;
    int samples = 0;
    for (int j = 0; j < 4; j++) {
      int[] noisy = codec().encode(u, RandomBits.seeded(2, "client " + j)).values();
      int[] plain = noiseFree().encode(u, RandomBits.seeded(2, "client " + j)).values();
      assertEquals(1, noisy[D_PADDED]);
      for (int i = 0; i < D_PADDED; i++) {
        double e = noisy[i] - plain[i]; // far from the int range: σ' ≪ 2^31
        sum += e;
        sumSquares += e * e;
        samples++;
      }
    }
    // Σ e²/σ'² over 4096 independent samples is ~χ²(4096) (the discrete Gaussian at this σ' is
    // Gaussian to within far less than the test resolves): within its 10^-5 quantiles.
    double chi = sumSquares / (sigma * sigma);
    assertTrue(chi < NoiseStatistics.chiSquareQuantile(samples, NoiseStatistics.Z), "chi " + chi);
    assertTrue(chi > NoiseStatistics.chiSquareQuantile(samples, -NoiseStatistics.Z), "chi " + chi);
    assertTrue(Math.abs(sum / samples) < 5 * sigma / Math.sqrt(samples), "mean " + sum / samples);
  }

  // ---- 2. end to end through real SecAgg+ rounds ----

  /** The outcome of one in-memory SecAgg+ round of DP encodings. */
  private record Round(int[] unmasked, int[] plainSum, double[] clippedSum, int survivors) {}

  /**
   * One whole SecAgg+ round (complete graph, t = 6) among 10 clients with the real client and server
   * state machines, seeded; {@code dropped} clients vanish after ShareKeys (before sending their masked
   * input), so the sum covers the others.
   */
  private static Round secAggRound(long seed, Set<Integer> dropped) throws Exception {
    DistributedDpCodec codec = codec();
    // The quantizer is part of SecAggParameters but unused by the DP codec; any small one passes the
    // capacity check.
    SecAggParameters params = SecAggParameters.of(CLIENTS, CLIENTS - 1, THRESHOLD, new Quantizer(1, 2, 1));
    SeededSecureRandom identities = new SeededSecureRandom(seed, "identities");
    List<String> ids = new ArrayList<>();
    Map<String, byte[]> publicKeys = new HashMap<>();
    Map<String, byte[]> privateKeys = new HashMap<>();
    for (int i = 0; i < CLIENTS; i++) {
      String id = String.format("client-%02d", i);
      ids.add(id);
      SecAggCrypto.KeyPair pair = SecAggCrypto.ed25519(identities);
      publicKeys.put(id, pair.publicKey());
      privateKeys.put(id, pair.privateKey());
    }
    RoundSetup setup = new RoundSetup(3, ids, params, seed * 31 + 3, codec.length(), publicKeys);
    SecAggServer server = new SecAggServer(setup, 2);
    Map<String, SecAggClient> clients = new TreeMap<>();
    Map<String, int[]> inputs = new HashMap<>();
    SplittableRandom data = new SplittableRandom(seed);
    int[] plainSum = new int[codec.length()];
    double[] clippedSum = new double[D];
    Set<String> gone = new HashSet<>();
    for (int i = 0; i < CLIENTS; i++) {
      String id = ids.get(i);
      clients.put(id, new SecAggClient(setup, id, privateKeys.get(id), new SeededSecureRandom(seed, id)));
      float[] u = update(data, (i % 3 + 0.5) * CLIP); // norms 0.5, 1.5, 2.5: some clipped
      int[] encoded = codec.encode(u, RandomBits.seeded(seed, "noise/" + id)).values();
      inputs.put(id, encoded);
      if (dropped.contains(i)) {
        gone.add(id);
      } else {
        addInto(plainSum, encoded);
        addInto(clippedSum, clipped(u));
      }
    }
    for (SecAggClient c : clients.values()) {
      server.receiveAdvertisement(c.advertiseKeys());
    }
    Map<String, List<KeyAdvertisement>> keys = server.closeAdvertisements();
    for (Map.Entry<String, List<KeyAdvertisement>> e : keys.entrySet()) {
      server.receiveShares(clients.get(e.getKey()).shareKeys(e.getValue()));
    }
    Map<String, List<EncryptedShare>> inbox = server.closeShares();
    for (Map.Entry<String, List<EncryptedShare>> e : inbox.entrySet()) {
      if (!gone.contains(e.getKey())) {
        server.receiveMaskedInput(clients.get(e.getKey()).maskedInput(e.getValue(), inputs.get(e.getKey())));
      }
    }
    SurvivorSet survivors = server.closeMaskedInputs();
    for (String u : survivors.survivors()) {
      server.receiveConsistencySignature(clients.get(u).consistencyCheck(survivors));
    }
    Map<String, UnmaskRequest> requests = server.closeConsistency();
    for (Map.Entry<String, UnmaskRequest> e : requests.entrySet()) {
      server.receiveUnmaskResponse(clients.get(e.getKey()).unmask(e.getValue()));
    }
    int[] unmasked = server.finish();
    assertEquals(CLIENTS - dropped.size(), survivors.survivors().size());
    return new Round(unmasked, plainSum, clippedSum, survivors.survivors().size());
  }

  @Test
  void secAggRound_decodedSumIsTheSurvivorsClippedSumPlusCalibratedNoise() throws Exception {
    for (Set<Integer> dropped : List.of(Set.<Integer>of(), Set.of(1, 4, 8))) {
      Round round = secAggRound(40 + dropped.size(), dropped);
      String what = dropped.size() + " dropped after ShareKeys";
      assertArrayEquals(round.plainSum(), round.unmasked(), what + ": SecAgg+ returns the exact sum");
      int n = round.survivors();
      // the server side: a codec built from the public parameters alone
      DistributedDpCodec server = new DistributedDpCodec(PARAMS, D, DistributedDpCodec.rotationSeed(0x5eedL, 7));
      DistributedDpCodec.Decoded decoded = server.decode(round.unmasked(), n);
      assertEquals(n, decoded.summands(), what);
      double[] r = new double[D];
      for (int i = 0; i < D; i++) {
        r[i] = decoded.noisySum()[i] - round.clippedSum()[i];
      }
      // r = γ·(first d coordinates of D(1/√d')H·(E + N)), E the summed rounding errors (‖E‖ < n√d'),
      // N the summed noise: d' independent coordinates, each a sum of n discrete Gaussians of variance
      // σ'² (to within e^−2π²σ'², nil here). The inverse rotation is orthogonal, so r's noise
      // coordinates are uncorrelated with variance s² = nσ'²γ² each, and at this σ' (~10^5 grid steps)
      // the sum is Gaussian to far below the test's resolution, making T = Σ_{i<d} r_i²/s² χ²(d):
      // mean 1000, sd √2000 ≈ 44.7; the Wilson–Hilferty 10^−5 quantiles (z = ±4.2649) are
      // 1000·(1 − 2/9000 ± 4.2649·√(2/9000))³ ≈ [820, 1203], i.e. the empirical variance is within
      // about −18%/+20% of s². The rounding part adds at most (n√d'γ)²/s² = n d'/σ'² to T (asserted
      // negligible below).
      double s = server.noiseStddevInModelUnits(n);
      assertEquals(Math.sqrt(n) * server.noiseSigma() * PARAMS.granularity(), s, 1e-12 * s);
      double roundingShare = (double) n * D_PADDED / (server.noiseSigma() * server.noiseSigma());
      assertTrue(roundingShare < 1e-3, what + ": rounding share " + roundingShare);
      double t = 0;
      double mean = 0;
      for (double v : r) {
        t += v * v / (s * s);
        mean += v / D;
      }
      assertTrue(t > NoiseStatistics.chiSquareQuantile(D, -NoiseStatistics.Z)
          && t < NoiseStatistics.chiSquareQuantile(D, NoiseStatistics.Z),
          what + ": T = " + t + " (empirical variance / nσ²γ² = " + t / D + ")");
      // r's mean over d uncorrelated coordinates has standard deviation s/√d: within 5 of them
      assertTrue(Math.abs(mean) < 5 * s / Math.sqrt(D), what + ": mean " + mean + ", s " + s);
      // a healthy aggregate: nothing near the edges of the range
      assertTrue(decoded.nearWrapFraction() <= server.nearWrapProbabilityBound(n) + 2.0 / D_PADDED,
          what + ": near-wrap fraction " + decoded.nearWrapFraction());
      // calibrated for P[any wrap] ≤ 1e-9 at n = 10, 2^30 is still ~3.8 proxy standard deviations
      assertTrue(server.nearWrapProbabilityBound(n) < 1e-2, "bound " + server.nearWrapProbabilityBound(n));
    }
  }

  // ---- 3. clipping ----

  @Test
  void clipping_largeUpdateIsScaledToTheClip_smallOneIsUntouched() {
    DistributedDpCodec codec = noiseFree();
    double tolerance = PARAMS.granularity() * Math.sqrt(D_PADDED); // one client's rounding bound
    SplittableRandom random = new SplittableRandom(3);

    float[] large = update(random, 10);
    DistributedDpCodec.Encoded e = codec.encode(large, RandomBits.seeded(3, "large"));
    assertTrue(e.clipped());
    assertEquals(10, e.norm(), 1e-5);
    double[] back = codec.decode(e.values(), 1).noisySum();
    assertEquals(1, NoiseStatistics.norm(back), tolerance, "clipped to c = 1");
    double[] direction = new double[D];
    for (int i = 0; i < D; i++) {
      direction[i] = large[i] / e.norm();
    }
    assertTrue(distance(back, direction) < tolerance, "same direction, scaled by c/‖x‖");

    float[] small = update(random, 0.5);
    e = codec.encode(small, RandomBits.seeded(3, "small"));
    assertFalse(e.clipped());
    assertEquals(0.5, e.norm(), 1e-6);
    back = codec.decode(e.values(), 1).noisySum();
    double[] original = new double[D];
    for (int i = 0; i < D; i++) {
      original[i] = small[i];
    }
    assertTrue(distance(back, original) < tolerance, "unclipped update comes back as it was");

    // the flag and the norm do not depend on the noise
    DistributedDpCodec.Encoded noisy = codec().encode(large, RandomBits.seeded(3, "other"));
    assertTrue(noisy.clipped());
    assertEquals(codec.encode(large, RandomBits.seeded(3, "x")).norm(), noisy.norm());
    assertFalse(codec().encode(new float[D], RandomBits.seeded(3, "zero")).clipped());
  }

  // ---- 4. the server needs nothing but the sum ----

  @Test
  void decode_takesOnlyTheSumAndTheSurvivorCount() throws Exception {
    Method decode = DistributedDpCodec.class.getMethod("decode", int[].class, int.class);
    assertEquals(DistributedDpCodec.Decoded.class, decode.getReturnType());
    for (Method m : DistributedDpCodec.class.getMethods()) {
      if (m.getName().equals("decode")) {
        assertEquals(decode, m, "a single decode(int[], int)");
      }
      // randomness (and with it anything secret) enters only on the client side
      if (Arrays.asList(m.getParameterTypes()).contains(RandomBits.class)) {
        assertEquals("encode", m.getName());
        assertFalse(Modifier.isStatic(m.getModifiers()));
      }
    }
    List<String> components = new ArrayList<>();
    for (RecordComponent c : DistributedDpCodec.Decoded.class.getRecordComponents()) {
      components.add(c.getName());
    }
    assertEquals(List.of("noisySum", "summands", "nearWrapFraction"), components);
    // The norm and clipping bit stay with the client: the masked vector is exactly Encoded.values.
    Round round = secAggRound(4, Set.of());
    DistributedDpCodec.Decoded a = codec().decode(round.unmasked(), CLIENTS);
    DistributedDpCodec.Decoded b = new DistributedDpCodec(PARAMS, D, SEED).decode(round.unmasked().clone(), CLIENTS);
    assertArrayEquals(a.noisySum(), b.noisySum(), "a fresh codec from the public parameters decodes the same");
  }

  // ---- 5. signed reading, negative sums and the ±2^31 edges ----

  @Test
  void decode_readsEachCoordinateAsASigned32BitInteger() {
    DistributedDpCodec codec = noiseFree();
    RandomizedHadamard rotation = RandomizedHadamard.fromSeed(D, SEED);
    double gamma = PARAMS.granularity();
    int[] sum = new int[codec.length()];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < D_PADDED; i++) {
      sum[i] = -1 - random.nextInt(1 << 20); // all negative
    }
    sum[3] = Integer.MIN_VALUE; // −2^31, the bottom of the signed range
    sum[4] = Integer.MAX_VALUE; // 2^31 − 1, the top
    sum[5] = -(1 << 30) - 1; // just beyond the near-wrap threshold, negative side
    sum[6] = (1 << 30) + 1; // and positive side
    sum[7] = 1 << 30; // not beyond: |S| must exceed 2^30
    sum[D_PADDED] = 3;
    double[] signed = new double[D_PADDED];
    for (int i = 0; i < D_PADDED; i++) {
      signed[i] = sum[i];
    }
    assertEquals(-0x1p31, signed[3]);
    double[] expected = rotation.inverse(signed);
    DistributedDpCodec.Decoded decoded = codec.decode(sum, 3);
    for (int i = 0; i < D; i++) {
      assertEquals(expected[i] * gamma, decoded.noisySum()[i], 1e-9 * gamma * 0x1p31);
    }
    assertEquals(4.0 / D_PADDED, decoded.nearWrapFraction(), "coordinates 3, 4, 5 and 6");

    // Negative coordinates through modular addition: u and −u encode to (almost) opposite residues,
    // so their sum is a vector of small signed values that decodes to ~0, though each unsigned sum
    // wrapped past 2^32.
    float[] u = update(random, 0.8);
    float[] minus = new float[D];
    for (int i = 0; i < D; i++) {
      minus[i] = -u[i];
    }
    int[] a = codec.encode(u, RandomBits.seeded(5, "a")).values();
    int[] b = codec.encode(minus, RandomBits.seeded(5, "b")).values();
    int wrapped = 0;
    int[] both = a.clone();
    for (int i = 0; i < D_PADDED; i++) {
      if (Integer.toUnsignedLong(a[i]) + Integer.toUnsignedLong(b[i]) >= 1L << 32) {
        wrapped++;
      }
      both[i] += b[i];
      assertTrue(Math.abs(both[i]) <= 2, "coordinate " + i + " sums to " + both[i]);
    }
    both[D_PADDED] = a[D_PADDED] + b[D_PADDED];
    assertTrue(wrapped > D_PADDED / 4, wrapped + " unsigned sums wrapped");
    double[] zero = codec.decode(both, 2).noisySum();
    assertTrue(NoiseStatistics.norm(zero) < 2 * gamma * Math.sqrt(D_PADDED), "norm " + NoiseStatistics.norm(zero));
  }

  @Test
  void decode_aWrappedCoordinateComesBackShiftedBy2To32_asDocumented() {
    // The true aggregate of coordinate 0 is 2^31 + 7 grid steps: its residue reads as −2^31 + 7. The
    // decoder cannot see this; the decoded vector is off by γ·2^32 times the first column of the
    // inverse rotation, and the near-wrap fraction flags the coordinate.
    DistributedDpCodec codec = noiseFree();
    RandomizedHadamard rotation = RandomizedHadamard.fromSeed(D, SEED);
    double gamma = PARAMS.granularity();
    long truth = (1L << 31) + 7;
    int[] sum = new int[codec.length()];
    sum[0] = (int) truth;
    sum[D_PADDED] = 1;
    assertEquals(Integer.MIN_VALUE + 7, sum[0]);
    double[] trueY = new double[D_PADDED];
    trueY[0] = truth;
    double[] unit = new double[D_PADDED];
    unit[0] = 0x1p32;
    double[] truthDecoded = rotation.inverse(trueY);
    double[] shift = rotation.inverse(unit);
    DistributedDpCodec.Decoded decoded = codec.decode(sum, 1);
    for (int i = 0; i < D; i++) {
      assertEquals((truthDecoded[i] - shift[i]) * gamma, decoded.noisySum()[i], 1e-6 * gamma);
    }
    assertEquals(1.0 / D_PADDED, decoded.nearWrapFraction());
    // a sum with a mask left in looks uniform: about half its coordinates are near the edges
    SplittableRandom random = new SplittableRandom(6);
    int[] garbage = new int[codec.length()];
    for (int i = 0; i < D_PADDED; i++) {
      garbage[i] = random.nextInt();
    }
    garbage[D_PADDED] = 1; // even with a lucky count
    assertEquals(0.5, codec.decode(garbage, 1).nearWrapFraction(), 0.1);
  }

  // ---- 6. bad input ----

  @Test
  void encode_refusesNonFiniteValuesBeforeDrawingRandomness() {
    DistributedDpCodec codec = codec();
    float[][] bad = new float[3][];
    int[] where = {17, 0, D - 1};
    float[] what = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (int k = 0; k < 3; k++) {
      bad[k] = update(new SplittableRandom(k), 0.5);
      bad[k][where[k]] = what[k];
      RandomBits bits = RandomBits.seeded(6, "client");
      float[] u = bad[k];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(u, bits));
      assertEquals("update coordinate " + where[k] + " is " + what[k], e.getMessage());
      RandomBits fresh = RandomBits.seeded(6, "client");
      for (int i = 0; i < 600; i++) { // past the first 4 KiB block: the stream was not touched
        assertEquals(fresh.nextLong(), bits.nextLong(), "draw " + i);
      }
    }
  }

  @Test
  void wrongLengthsAndCountMismatch_areRefusedWithPreciseMessages() {
    DistributedDpCodec codec = codec();
    RandomBits bits = RandomBits.seeded(7, "client");
    assertEquals("update has 999 values, the model has d = 1000",
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new float[D - 1], bits)).getMessage());
    RandomBits fresh = RandomBits.seeded(7, "client");
    assertEquals(fresh.nextLong(), bits.nextLong(), "refused before drawing");

    assertEquals("sum has 1024 values, expected d' + 1 = 1025",
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new int[D_PADDED], 1)).getMessage());
    int[] sum = new int[codec.length()];
    for (int j = 0; j < 3; j++) {
      addInto(sum, codec.encode(new float[D], RandomBits.seeded(7, "c" + j)).values());
    }
    assertEquals(3, codec.decode(sum, 3).summands());
    assertEquals("the count coordinate of the sum is 3, but 4 survivors were summed: a mask was not"
        + " removed, an input is missing or counted twice, or a client did not encode with this codec",
        assertThrows(IllegalArgumentException.class, () -> codec.decode(sum, 4)).getMessage());
    int[] masked = sum.clone();
    masked[D_PADDED] += 0x9e3779b9; // a mask left on the count
    assertTrue(assertThrows(IllegalArgumentException.class, () -> codec.decode(masked, 3)).getMessage()
        .startsWith("the count coordinate of the sum is " + Integer.toUnsignedLong(masked[D_PADDED])));
    assertEquals("expectedSummands must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> codec.decode(sum, 0)).getMessage());

    // the parameters must match the model's padded dimension and SecAgg+'s modulus
    assertEquals("the parameters are for padded dimension 1024, but d = 500 pads to d' = 512",
        assertThrows(IllegalArgumentException.class, () -> new DistributedDpCodec(PARAMS, 500, SEED)).getMessage());
    DistributedDpCodec padsAlike = new DistributedDpCodec(PARAMS, 513, SEED); // 513 also pads to 1024
    assertEquals(D_PADDED + 1, padsAlike.length());
    DistributedDiscreteGaussian bits40 = new DistributedDiscreteGaussian(D_PADDED, CLIP,
        PARAMS.granularity(), BETA, 40, CLIENTS, THRESHOLD, PARAMS.localSigma());
    assertEquals("SecAgg+ sums modulo 2^32, but the parameters were calibrated for 2^40",
        assertThrows(IllegalArgumentException.class, () -> new DistributedDpCodec(bits40, D, SEED)).getMessage());
  }

  // ---- 7. reproducibility ----

  @Test
  void encode_sameSeedsGiveIdenticalEncodings() {
    float[] u = update(new SplittableRandom(8), 2);
    int[] a = codec().encode(u, RandomBits.seeded(8, "client 1")).values();
    int[] b = new DistributedDpCodec(PARAMS, D, DistributedDpCodec.rotationSeed(0x5eedL, 7))
        .encode(u.clone(), RandomBits.seeded(8, "client 1")).values();
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, codec().encode(u, RandomBits.seeded(8, "client 2")).values()),
        "other noise");
    assertFalse(Arrays.equals(a, new DistributedDpCodec(PARAMS, D, DistributedDpCodec.rotationSeed(0x5eedL, 8))
        .encode(u, RandomBits.seeded(8, "client 1")).values()), "other rotation");
  }

  @Test
  void rotationSeed_isASha256OfGraphSeedAndRound() {
    byte[] s = DistributedDpCodec.rotationSeed(42, 3);
    assertEquals(32, s.length);
    assertArrayEquals(s, DistributedDpCodec.rotationSeed(42, 3));
    assertFalse(Arrays.equals(s, DistributedDpCodec.rotationSeed(42, 4)));
    assertFalse(Arrays.equals(s, DistributedDpCodec.rotationSeed(43, 3)));
    assertFalse(Arrays.equals(DistributedDpCodec.rotationSeed(1, 2), DistributedDpCodec.rotationSeed(2, 1)));
    // the codec keeps its own copy
    byte[] seed = s.clone();
    DistributedDpCodec codec = new DistributedDpCodec(PARAMS, D, seed);
    seed[0] ^= 1;
    assertArrayEquals(s, codec.rotationSeed());
    assertNotEquals(0, codec.noiseSigma());
    assertEquals(0, noiseFree().noiseSigma());
  }
}
