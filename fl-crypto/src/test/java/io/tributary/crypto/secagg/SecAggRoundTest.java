package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Whole SecAgg+ rounds between real client and server state machines: the property checked is the
 * protocol's — the server gets exactly the sum of the survivors' inputs, survives dropouts at every
 * stage, learns nothing from one masked vector, and cannot make clients reveal more or see different
 * survivor sets.
 */
class SecAggRoundTest {
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** n clients with identity keys and inputs, one server, and the stages run by hand. */
  static final class Harness {
    final RoundSetup setup;
    final SecAggServer server;
    final Map<String, SecAggClient> clients = new TreeMap<>();
    final Map<String, int[]> inputs = new TreeMap<>();
    final Map<String, byte[]> identityPrivate = new HashMap<>();
    Map<String, UnmaskRequest> requests;

    Harness(long round, SecAggParameters params, int dimension, long seed) {
      SecureRandom r = seeded(seed);
      List<String> ids = new ArrayList<>();
      Map<String, byte[]> identityPublic = new HashMap<>();
      for (int i = 0; i < params.clients(); i++) {
        String id = String.format("client-%04d", i);
        ids.add(id);
        SecAggCrypto.KeyPair identity = SecAggCrypto.ed25519(r);
        identityPublic.put(id, identity.publicKey());
        identityPrivate.put(id, identity.privateKey());
      }
      setup = new RoundSetup(round, ids, params, seed * 31 + round, dimension, identityPublic);
      server = new SecAggServer(setup, 2);
      SplittableRandom values = new SplittableRandom(seed);
      for (String id : ids) {
        clients.put(id, new SecAggClient(setup, id, identityPrivate.get(id), seeded(seed * 1000 + ids.indexOf(id))));
        int[] x = new int[dimension];
        for (int i = 0; i < dimension; i++) {
          x[i] = values.nextInt();
        }
        inputs.put(id, x);
      }
    }

    /** Runs every stage; clients in {@code dropAfter.get(stage)} stop answering after that stage. */
    int[] run(Set<String> dropBeforeShares, Set<String> dropBeforeMask, Set<String> dropBeforeConsistency,
        Set<String> dropBeforeUnmask) throws SecAggException {
      for (SecAggClient c : clients.values()) {
        server.receiveAdvertisement(c.advertiseKeys());
      }
      Map<String, List<KeyAdvertisement>> keys = server.closeAdvertisements();
      for (Map.Entry<String, List<KeyAdvertisement>> e : keys.entrySet()) {
        if (!dropBeforeShares.contains(e.getKey())) {
          server.receiveShares(clients.get(e.getKey()).shareKeys(e.getValue()));
        }
      }
      Map<String, List<EncryptedShare>> inbox = server.closeShares();
      for (Map.Entry<String, List<EncryptedShare>> e : inbox.entrySet()) {
        if (!dropBeforeMask.contains(e.getKey())) {
          server.receiveMaskedInput(clients.get(e.getKey()).maskedInput(e.getValue(), inputs.get(e.getKey())));
        }
      }
      SurvivorSet survivors = server.closeMaskedInputs();
      for (String u : survivors.survivors()) {
        if (!dropBeforeConsistency.contains(u)) {
          server.receiveConsistencySignature(clients.get(u).consistencyCheck(survivors));
        }
      }
      Map<String, UnmaskRequest> requests = server.closeConsistency();
      for (Map.Entry<String, UnmaskRequest> e : requests.entrySet()) {
        if (!dropBeforeUnmask.contains(e.getKey())) {
          server.receiveUnmaskResponse(clients.get(e.getKey()).unmask(e.getValue()));
        }
      }
      return server.finish();
    }

    int[] plainSum(Set<String> excluded) {
      int[] s = new int[setup.dimension()];
      inputs.forEach((id, x) -> {
        if (!excluded.contains(id)) {
          for (int i = 0; i < s.length; i++) {
            s[i] += x[i];
          }
        }
      });
      return s;
    }

    /** The first {@code count} clients after skipping {@code offset}, in id order. */
    Set<String> pick(int offset, int count) {
      Set<String> out = new HashSet<>();
      List<String> ids = new ArrayList<>(clients.keySet());
      for (int i = 0; i < count; i++) {
        out.add(ids.get((offset + i * 7) % ids.size()));
      }
      return out;
    }
  }

  private static Quantizer quantizer() {
    return new Quantizer(1.0, 1 << 8, 1 << 10);
  }

  @Test
  void run_completeGraph_noDropout_sumIsExact() throws Exception {
    Harness h = new Harness(1, SecAggParameters.of(8, 7, 5, quantizer()), 1000, 1);
    assertArrayEquals(h.plainSum(Set.of()), h.run(Set.of(), Set.of(), Set.of(), Set.of()));
    assertEquals(SecAggServer.Stage.DONE, h.server.stage());
  }

  @Test
  void run_hararyGraph_noDropout_sumIsExact() throws Exception {
    SecAggParameters p = SecAggParameters.of(40, 12, 8, quantizer());
    Harness h = new Harness(3, p, 257, 2);
    assertArrayEquals(h.plainSum(Set.of()), h.run(Set.of(), Set.of(), Set.of(), Set.of()));
  }

  @Test
  void run_dropoutsAfterShareKeys_survivorsSumIsExact() throws Exception {
    for (int percent : new int[] {0, 10, 30}) {
      SecAggParameters p = SecAggParameters.of(40, 20, 11, quantizer());
      Harness h = new Harness(4, p, 300, 3 + percent);
      Set<String> dropped = h.pick(1, 40 * percent / 100);
      assertArrayEquals(h.plainSum(dropped), h.run(Set.of(), dropped, Set.of(), Set.of()),
          percent + "% dropped after ShareKeys");
    }
  }

  @Test
  void run_dropoutsAfterMaskedInput_survivorsSumIsExact() throws Exception {
    for (int percent : new int[] {0, 10, 30}) {
      SecAggParameters p = SecAggParameters.of(40, 20, 11, quantizer());
      Harness h = new Harness(5, p, 300, 50 + percent);
      Set<String> gone = h.pick(2, 40 * percent / 100);
      // They sent their masked input, then vanished: their input counts, their shares are not needed.
      assertArrayEquals(h.plainSum(Set.of()), h.run(Set.of(), Set.of(), gone, gone),
          percent + "% dropped after MaskedInputCollection");
    }
  }

  @Test
  void run_dropoutsAtEveryStage_survivorsSumIsExact() throws Exception {
    SecAggParameters p = SecAggParameters.of(60, 30, 16, quantizer());
    Harness h = new Harness(6, p, 128, 9);
    Set<String> beforeShares = h.pick(0, 3);
    Set<String> beforeMask = new HashSet<>(h.pick(20, 4));
    beforeMask.removeAll(beforeShares);
    Set<String> later = new HashSet<>(h.pick(40, 4));
    later.removeAll(beforeShares);
    later.removeAll(beforeMask);
    Set<String> excluded = new HashSet<>(beforeShares);
    excluded.addAll(beforeMask);
    assertArrayEquals(h.plainSum(excluded), h.run(beforeShares, beforeMask, later, later));
  }

  @Test
  void run_tooFewSurvivingNeighbours_failsClosedWithoutASum() throws Exception {
    SecAggParameters p = SecAggParameters.of(10, 9, 6, quantizer());
    Harness h = new Harness(7, p, 50, 11);
    // 4 of 10 vanish before unmasking: every mask needs 6 shares, only 5 clients answer.
    Set<String> gone = h.pick(0, 5);
    SecAggException e = assertThrows(SecAggException.class, () -> h.run(Set.of(), Set.of(), Set.of(), gone));
    assertTrue(e.getMessage().contains("fewer than the threshold 6"), e.getMessage());
    assertEquals(SecAggServer.Stage.FAILED, h.server.stage());
    assertThrows(SecAggException.class, h.server::finish, "no sum after failing");
  }

  @Test
  void maskedInput_looksUniform_andMasksDifferAcrossRounds() throws Exception {
    int d = 1 << 16;
    int[][] masked = new int[2][];
    for (int round = 1; round <= 2; round++) {
      Harness h = new Harness(round, SecAggParameters.of(5, 4, 3, quantizer()), d, 77);
      for (String id : h.inputs.keySet()) {
        h.inputs.put(id, new int[d]); // all-zero inputs: whatever the server sees is mask alone
      }
      for (SecAggClient c : h.clients.values()) {
        h.server.receiveAdvertisement(c.advertiseKeys());
      }
      Map<String, List<KeyAdvertisement>> keys = h.server.closeAdvertisements();
      for (var e : keys.entrySet()) {
        h.server.receiveShares(h.clients.get(e.getKey()).shareKeys(e.getValue()));
      }
      Map<String, List<EncryptedShare>> inbox = h.server.closeShares();
      String first = inbox.keySet().iterator().next();
      masked[round - 1] = h.clients.get(first).maskedInput(inbox.get(first), new int[d]).values();
    }
    for (int[] m : masked) {
      // Chi-square of the top byte over 256 cells: 255 degrees of freedom, mean 255, sd about 22.6.
      long[] cells = new long[256];
      for (int v : m) {
        cells[v >>> 24]++;
      }
      double expected = m.length / 256.0;
      double chi = 0;
      for (long c : cells) {
        chi += (c - expected) * (c - expected) / expected;
      }
      assertTrue(chi < 255 + 6 * 22.6, "chi-square " + chi);
    }
    int same = 0;
    for (int i = 0; i < d; i++) {
      same += masked[0][i] == masked[1][i] ? 1 : 0;
    }
    assertTrue(same < 10, same + " equal coordinates between rounds");
  }

  @Test
  void server_rejectsForgedReplayedCrossRoundAndUnknownMessages() throws Exception {
    Harness h = new Harness(8, SecAggParameters.of(5, 4, 3, quantizer()), 10, 13);
    List<SecAggClient> cs = new ArrayList<>(h.clients.values());
    KeyAdvertisement a = cs.get(0).advertiseKeys();
    KeyAdvertisement forged = new KeyAdvertisement(a.round(), "client-0001", a.encryptionKey(), a.maskKey(),
        a.signature());
    assertMessage(assertThrows(SecAggException.class, () -> h.server.receiveAdvertisement(forged)), "not signed");
    h.server.receiveAdvertisement(a);
    assertMessage(assertThrows(SecAggException.class, () -> h.server.receiveAdvertisement(a)), "replay");
    KeyAdvertisement otherRound = new KeyAdvertisement(9, a.client(), a.encryptionKey(), a.maskKey(), a.signature());
    assertMessage(assertThrows(SecAggException.class, () -> h.server.receiveAdvertisement(otherRound)), "round 9");
    KeyAdvertisement stranger = new KeyAdvertisement(8, "mallory", a.encryptionKey(), a.maskKey(), a.signature());
    assertMessage(assertThrows(SecAggException.class, () -> h.server.receiveAdvertisement(stranger)),
        "not in round");
    assertEquals(SecAggServer.Stage.ADVERTISE, h.server.stage(), "rejections leave the round as it was");
    assertThrows(SecAggException.class, () -> h.server.receiveMaskedInput(new MaskedInput(8, a.client(), new int[10])),
        "a message of a later stage");
  }

  @Test
  void client_rejectsForgedAdvertisementAndTamperedOrMisaddressedShares() throws Exception {
    Harness h = new Harness(10, SecAggParameters.of(4, 3, 2, quantizer()), 10, 17);
    List<String> ids = new ArrayList<>(h.clients.keySet());
    Map<String, KeyAdvertisement> ads = new HashMap<>();
    for (String id : ids) {
      ads.put(id, h.clients.get(id).advertiseKeys());
    }
    // The server substitutes its own key for client 1's: client 0 refuses.
    KeyAdvertisement real = ads.get(ids.get(1));
    KeyAdvertisement swapped = new KeyAdvertisement(real.round(), real.client(),
        SecAggCrypto.x25519(seeded(5)).publicKey(), real.maskKey(), real.signature());
    SecAggException e = assertThrows(SecAggException.class,
        () -> h.clients.get(ids.get(0)).shareKeys(List.of(swapped, ads.get(ids.get(2)), ads.get(ids.get(3)))));
    assertMessage(e, "not signed by its identity key");
    assertEquals(SecAggClient.Stage.ABORTED, h.clients.get(ids.get(0)).stage());
    // Shares: a flipped ciphertext bit, and a share redirected to the wrong client, are refused.
    EncryptedShares from1 = h.clients.get(ids.get(1)).shareKeys(List.of(ads.get(ids.get(0)), ads.get(ids.get(2)),
        ads.get(ids.get(3))));
    EncryptedShares from3 = h.clients.get(ids.get(3)).shareKeys(List.of(ads.get(ids.get(0)), ads.get(ids.get(1)),
        ads.get(ids.get(2))));
    h.clients.get(ids.get(2)).shareKeys(List.of(ads.get(ids.get(0)), ads.get(ids.get(1)), ads.get(ids.get(3))));
    EncryptedShare toTwo = from1.shares().stream().filter(s -> s.receiver().equals(ids.get(2))).findFirst().get();
    byte[] flipped = toTwo.ciphertext().clone();
    flipped[20] ^= 1;
    assertMessage(assertThrows(SecAggException.class, () -> h.clients.get(ids.get(2)).maskedInput(
        List.of(new EncryptedShare(toTwo.sender(), toTwo.receiver(), flipped)), new int[10])), "does not decrypt");
    EncryptedShare toZero = from3.shares().stream().filter(s -> s.receiver().equals(ids.get(0))).findFirst().get();
    SecAggClient c2 = h.clients.get(ids.get(3));
    assertMessage(assertThrows(SecAggException.class, () -> c2.maskedInput(List.of(toZero), new int[10])),
        "addressed to");
    // Re-labelled as addressed to client 3: the associated data no longer matches, decryption fails.
    SecAggClient c1 = h.clients.get(ids.get(1));
    EncryptedShare relabelled = new EncryptedShare(toZero.sender(), ids.get(1), toZero.ciphertext());
    assertMessage(assertThrows(SecAggException.class, () -> c1.maskedInput(List.of(relabelled), new int[10])),
        "does not decrypt");
  }

  @Test
  void client_refusesToRevealBothSecretsOfOneClient() throws Exception {
    Harness h = new Harness(11, SecAggParameters.of(6, 5, 3, quantizer()), 20, 19);
    UnmaskRequest[] captured = new UnmaskRequest[1];
    String victim = driveToUnmask(h, captured);
    // The server lists the victim, a survivor, as dropped too, to get its mask key and its self-mask seed.
    List<String> dropped = new ArrayList<>(captured[0].dropped());
    dropped.add(victim);
    UnmaskRequest greedy = new UnmaskRequest(captured[0].round(), captured[0].survivors(), dropped,
        captured[0].signatures());
    String asked = firstOtherThan(h, victim);
    SecAggException e = assertThrows(SecAggException.class, () -> h.clients.get(asked).unmask(greedy));
    assertMessage(e, "both secrets of " + victim);
    // Nor can it get the other secret by asking again once the first answer was given.
    String other = firstOtherThan(h, asked, victim);
    UnmaskResponse honest = h.clients.get(other).unmask(requestFor(h, other));
    assertFalse(honest.maskKeyShares().containsKey(victim));
    assertThrows(IllegalStateException.class, () -> h.clients.get(other).unmask(greedy));
  }

  @Test
  void client_detectsDifferentSurvivorSetsToldToDifferentClients() throws Exception {
    Harness h = new Harness(12, SecAggParameters.of(6, 5, 3, quantizer()), 20, 23);
    for (SecAggClient c : h.clients.values()) {
      h.server.receiveAdvertisement(c.advertiseKeys());
    }
    var keys = h.server.closeAdvertisements();
    for (var e : keys.entrySet()) {
      h.server.receiveShares(h.clients.get(e.getKey()).shareKeys(e.getValue()));
    }
    var inbox = h.server.closeShares();
    Map<String, MaskedInput> masked = new TreeMap<>();
    for (var e : inbox.entrySet()) {
      masked.put(e.getKey(), h.clients.get(e.getKey()).maskedInput(e.getValue(), h.inputs.get(e.getKey())));
    }
    List<String> ids = new ArrayList<>(h.clients.keySet());
    // A cheating server tells client 0 that client 5 dropped, and everyone else that all survived.
    List<String> all = new ArrayList<>(ids);
    List<String> withoutFive = new ArrayList<>(ids.subList(0, 5));
    Map<String, byte[]> signatures = new TreeMap<>();
    signatures.put(ids.get(0), h.clients.get(ids.get(0)).consistencyCheck(new SurvivorSet(12, withoutFive))
        .signature());
    for (String u : ids.subList(1, 6)) {
      signatures.put(u, h.clients.get(u).consistencyCheck(new SurvivorSet(12, all)).signature());
    }
    // Client 1 receives the others' signatures: client 0's is over another set, so it refuses to reveal.
    Map<String, byte[]> others = new TreeMap<>(signatures);
    others.remove(ids.get(1));
    SecAggException e = assertThrows(SecAggException.class,
        () -> h.clients.get(ids.get(1)).unmask(new UnmaskRequest(12, all, List.of(), others)));
    assertMessage(e, "different survivor sets");
    // And client 0, asked to unmask for the full set it never signed, refuses too.
    Map<String, byte[]> forZero = new TreeMap<>(signatures);
    forZero.remove(ids.get(0));
    assertMessage(assertThrows(SecAggException.class,
        () -> h.clients.get(ids.get(0)).unmask(new UnmaskRequest(12, all, List.of(), forZero))), "signed");
  }

  @Test
  void server_rejectsLyingUnmaskShares() throws Exception {
    Harness h = new Harness(13, SecAggParameters.of(6, 5, 3, quantizer()), 20, 29);
    for (SecAggClient c : h.clients.values()) {
      h.server.receiveAdvertisement(c.advertiseKeys());
    }
    var keys = h.server.closeAdvertisements();
    for (var e : keys.entrySet()) {
      h.server.receiveShares(h.clients.get(e.getKey()).shareKeys(e.getValue()));
    }
    var inbox = h.server.closeShares();
    for (var e : inbox.entrySet()) {
      h.server.receiveMaskedInput(h.clients.get(e.getKey()).maskedInput(e.getValue(), h.inputs.get(e.getKey())));
    }
    SurvivorSet s = h.server.closeMaskedInputs();
    for (String u : s.survivors()) {
      h.server.receiveConsistencySignature(h.clients.get(u).consistencyCheck(s));
    }
    Map<String, UnmaskRequest> requests = h.server.closeConsistency();
    boolean first = true;
    for (var e : requests.entrySet()) {
      UnmaskResponse r = h.clients.get(e.getKey()).unmask(e.getValue());
      if (first) {
        // One client corrupts every share it reveals: with 5 shares for threshold 3, the extras expose it.
        Map<String, Share> bad = new TreeMap<>();
        r.selfMaskShares().forEach((v, sh) -> {
          byte[] value = sh.value().clone();
          value[Share.VALUE_BYTES - 1] ^= 1;
          bad.put(v, new Share(sh.x(), value));
        });
        r = new UnmaskResponse(r.round(), r.sender(), bad, r.maskKeyShares());
        first = false;
      }
      h.server.receiveUnmaskResponse(r);
    }
    SecAggException e = assertThrows(SecAggException.class, h.server::finish);
    assertMessage(e, "inconsistent");
    assertEquals(SecAggServer.Stage.FAILED, h.server.stage());
  }

  private static String driveToUnmask(Harness h, UnmaskRequest[] captured) throws SecAggException {
    for (SecAggClient c : h.clients.values()) {
      h.server.receiveAdvertisement(c.advertiseKeys());
    }
    var keys = h.server.closeAdvertisements();
    for (var e : keys.entrySet()) {
      h.server.receiveShares(h.clients.get(e.getKey()).shareKeys(e.getValue()));
    }
    var inbox = h.server.closeShares();
    for (var e : inbox.entrySet()) {
      h.server.receiveMaskedInput(h.clients.get(e.getKey()).maskedInput(e.getValue(), h.inputs.get(e.getKey())));
    }
    SurvivorSet s = h.server.closeMaskedInputs();
    for (String u : s.survivors()) {
      h.server.receiveConsistencySignature(h.clients.get(u).consistencyCheck(s));
    }
    Map<String, UnmaskRequest> requests = h.server.closeConsistency();
    h.requests = requests;
    captured[0] = requests.values().iterator().next();
    return s.survivors().get(s.survivors().size() - 1);
  }

  private static UnmaskRequest requestFor(Harness h, String client) {
    return h.requests.get(client);
  }

  private static String firstOtherThan(Harness h, String... excluded) {
    Set<String> ex = Set.of(excluded);
    return h.clients.keySet().stream().filter(c -> !ex.contains(c)).findFirst().get();
  }

  private static void assertMessage(Exception e, String fragment) {
    assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
  }
}
