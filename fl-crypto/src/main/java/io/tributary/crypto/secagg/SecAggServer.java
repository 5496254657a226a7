package io.tributary.crypto.secagg;

import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * The server's side of a SecAgg+ round: it relays keys and shares between neighbours, sums the masked
 * inputs as they arrive (one {@code int} per coordinate, modulo 2^32 — memory O(model), however many
 * clients), and at the end removes the masks with the shares the survivors reveal. It learns the sum
 * of the surviving clients' inputs and nothing else.
 *
 * <pre>
 *   ADVERTISE   receiveAdvertisement(..) × n   closeAdvertisements() → each client's neighbours' keys (U1)
 *   SHARE       receiveShares(..)               closeShares()         → each client's incoming shares (U2)
 *   MASK        receiveMaskedInput(..)          closeMaskedInputs()   → the survivor set U3
 *   CONSISTENCY receiveConsistencySignature(..) closeConsistency()    → each client's unmask request (U4)
 *   UNMASK      receiveUnmaskResponse(..)       finish()              → Σ_{u ∈ U3} x_u mod 2^32
 *   DONE / FAILED
 * </pre>
 *
 * <p>Unmasking: for every survivor v the server rebuilds v's self-mask seed b_v from t of its
 * neighbours' shares and subtracts PRG(b_v); for every client v that sent shares but no masked input
 * (dropped after ShareKeys), it rebuilds v's mask key, checks it against v's advertised public key, and
 * removes the pairwise masks v's surviving neighbours added for it. The PRG expansions run on {@code
 * threads} threads, each into its own correction vector; corrections are summed modulo 2^32, so the
 * result does not depend on the thread count. If any survivor's self-mask or any dropped client's mask
 * key has fewer than t shares, the round <b>fails closed</b>: {@link #finish()} throws and no sum,
 * partial or not, is released.
 *
 * <p>Every received message is checked — round, sender in the round and in the previous stage's set,
 * no repeats, signatures — and a bad one is rejected with {@link SecAggException} without changing
 * the round. Thread-safe: messages of one stage may arrive from many threads; the {@code close} calls
 * and {@link #finish()} are made by one thread.
 */
public final class SecAggServer {
  /** The server's stages, in order. */
  public enum Stage {
    ADVERTISE, SHARE, MASK, CONSISTENCY, UNMASK, DONE, FAILED
  }

  private final RoundSetup setup;
  private final int threads;
  private final int threshold;
  private Stage stage = Stage.ADVERTISE;
  private final Map<String, KeyAdvertisement> u1 = new TreeMap<>();
  private final Map<String, List<EncryptedShare>> u2 = new TreeMap<>();
  private final Set<String> u3 = new TreeSet<>();
  private final Map<String, byte[]> u4 = new TreeMap<>();
  private final Set<String> answered = new HashSet<>();
  private final int[] sum;
  /** Revealed shares by the client they belong to: its self-mask seed's and its mask key's. */
  private final Map<String, List<Share>> selfMaskShares = new HashMap<>();
  private final Map<String, List<Share>> maskKeyShares = new HashMap<>();
  private String failure;
  /** The bytes every consistency signature covers, fixed when U3 is. */
  private byte[] survivorBytes;

  /**
   * @param threads threads for the PRG expansions of unmasking (at least 1)
   */
  public SecAggServer(RoundSetup setup, int threads) {
    this.setup = Objects.requireNonNull(setup, "setup");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.threshold = setup.parameters().threshold();
    this.sum = new int[setup.dimension()];
  }

  public synchronized Stage stage() {
    return stage;
  }

  /** Why the round failed, or null. */
  public synchronized String failure() {
    return failure;
  }

  /** Stage 0: a client's signed key advertisement. */
  public synchronized void receiveAdvertisement(KeyAdvertisement a) throws SecAggException {
    expect(Stage.ADVERTISE);
    checkSender(a.round(), a.client(), "advertisement");
    if (u1.containsKey(a.client())) {
      throw new SecAggException("advertisement of " + a.client() + " already received (replay)");
    }
    if (!SecAggCrypto.verify(setup.identityKey(a.client()), a.signedBytes(), a.signature())) {
      throw new SecAggException("advertisement of " + a.client() + " is not signed by its identity key");
    }
    u1.put(a.client(), a);
  }

  /** Ends stage 0: for each client that advertised, the advertisements of its neighbours that did. */
  public synchronized Map<String, List<KeyAdvertisement>> closeAdvertisements() throws SecAggException {
    expect(Stage.ADVERTISE);
    requireAtLeast(u1.size(), "advertised");
    Map<String, List<KeyAdvertisement>> out = new TreeMap<>();
    for (String u : u1.keySet()) {
      List<KeyAdvertisement> list = new ArrayList<>();
      for (String v : setup.neighbours(u)) {
        KeyAdvertisement a = u1.get(v);
        if (a != null) {
          list.add(a);
        }
      }
      out.put(u, list);
    }
    stage = Stage.SHARE;
    return out;
  }

  /** Stage 1: a client's encrypted shares, one per neighbour that advertised. */
  public synchronized void receiveShares(EncryptedShares m) throws SecAggException {
    expect(Stage.SHARE);
    checkSender(m.round(), m.sender(), "shares");
    if (!u1.containsKey(m.sender())) {
      throw new SecAggException("shares from " + m.sender() + ", who did not advertise keys");
    }
    if (u2.containsKey(m.sender())) {
      throw new SecAggException("shares of " + m.sender() + " already received (replay)");
    }
    Set<String> neighbours = new HashSet<>(setup.neighbours(m.sender()));
    Set<String> receivers = new HashSet<>();
    for (EncryptedShare s : m.shares()) {
      if (!s.sender().equals(m.sender())) {
        throw new SecAggException("shares from " + m.sender() + " contain one signed as " + s.sender());
      }
      if (!neighbours.contains(s.receiver()) || !u1.containsKey(s.receiver())) {
        throw new SecAggException("share from " + m.sender() + " to " + s.receiver()
            + ", who is not one of its neighbours that advertised");
      }
      if (!receivers.add(s.receiver())) {
        throw new SecAggException("shares from " + m.sender() + " address " + s.receiver() + " twice");
      }
    }
    u2.put(m.sender(), m.shares());
  }

  /** Ends stage 1: for each client that sent shares, the shares addressed to it by others that did. */
  public synchronized Map<String, List<EncryptedShare>> closeShares() throws SecAggException {
    expect(Stage.SHARE);
    requireAtLeast(u2.size(), "sent shares");
    Map<String, List<EncryptedShare>> out = new TreeMap<>();
    for (String u : u2.keySet()) {
      out.put(u, new ArrayList<>());
    }
    for (List<EncryptedShare> shares : u2.values()) {
      for (EncryptedShare s : shares) {
        List<EncryptedShare> inbox = out.get(s.receiver());
        if (inbox != null) {
          inbox.add(s);
        }
      }
    }
    stage = Stage.MASK;
    return out;
  }

  /** Stage 2: a masked input, folded into the running sum at once. */
  public synchronized void receiveMaskedInput(MaskedInput m) throws SecAggException {
    expect(Stage.MASK);
    checkSender(m.round(), m.sender(), "masked input");
    if (!u2.containsKey(m.sender())) {
      throw new SecAggException("masked input from " + m.sender() + ", who sent no shares");
    }
    if (u3.contains(m.sender())) {
      throw new SecAggException("masked input of " + m.sender() + " already received (replay)");
    }
    if (m.values().length != sum.length) {
      throw new SecAggException("masked input of " + m.sender() + " has " + m.values().length
          + " values, the round's dimension is " + sum.length);
    }
    int[] v = m.values();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += v[i];
    }
    u3.add(m.sender());
  }

  /** Ends stage 2: the survivor set U3, the same for every client. */
  public synchronized SurvivorSet closeMaskedInputs() throws SecAggException {
    expect(Stage.MASK);
    requireAtLeast(u3.size(), "sent masked inputs");
    survivorBytes = SecAggMessages.survivorBytes(setup.round(), new ArrayList<>(u3));
    stage = Stage.CONSISTENCY;
    return new SurvivorSet(setup.round(), new ArrayList<>(u3));
  }

  /** Stage 3: a survivor's signature over U3, checked at once. */
  public synchronized void receiveConsistencySignature(ConsistencySignature s) throws SecAggException {
    expect(Stage.CONSISTENCY);
    checkSender(s.round(), s.sender(), "consistency signature");
    if (!u3.contains(s.sender())) {
      throw new SecAggException("consistency signature from " + s.sender() + ", who is not a survivor");
    }
    if (u4.containsKey(s.sender())) {
      throw new SecAggException("consistency signature of " + s.sender() + " already received (replay)");
    }
    if (!SecAggCrypto.verify(setup.identityKey(s.sender()), survivorBytes, s.signature())) {
      throw new SecAggException("consistency signature of " + s.sender() + " does not verify over the survivor set");
    }
    u4.put(s.sender(), s.signature().clone());
  }

  /**
   * Ends stage 3: for each client that signed, its unmask request — the survivors, the clients that
   * dropped after sending shares, and its neighbours' signatures.
   */
  public synchronized Map<String, UnmaskRequest> closeConsistency() throws SecAggException {
    expect(Stage.CONSISTENCY);
    requireAtLeast(u4.size(), "confirmed the survivor set");
    List<String> survivors = new ArrayList<>(u3);
    List<String> dropped = new ArrayList<>();
    for (String u : u2.keySet()) {
      if (!u3.contains(u)) {
        dropped.add(u);
      }
    }
    Map<String, UnmaskRequest> out = new TreeMap<>();
    for (String u : u4.keySet()) {
      Map<String, byte[]> signatures = new TreeMap<>();
      for (String v : setup.neighbours(u)) {
        byte[] sig = u4.get(v);
        if (sig != null) {
          signatures.put(v, sig);
        }
      }
      out.put(u, new UnmaskRequest(setup.round(), survivors, dropped, signatures));
    }
    stage = Stage.UNMASK;
    return out;
  }

  /** Stage 4: the shares a client reveals, each checked to be one the request asked it for. */
  public synchronized void receiveUnmaskResponse(UnmaskResponse r) throws SecAggException {
    expect(Stage.UNMASK);
    checkSender(r.round(), r.sender(), "unmask response");
    if (!u4.containsKey(r.sender())) {
      throw new SecAggException("unmask response from " + r.sender() + ", who did not confirm the survivor set");
    }
    if (!answered.add(r.sender())) {
      throw new SecAggException("unmask response of " + r.sender() + " already received (replay)");
    }
    Set<String> neighbours = new HashSet<>(setup.neighbours(r.sender()));
    for (Map.Entry<String, Share> e : r.selfMaskShares().entrySet()) {
      if (!u3.contains(e.getKey()) || !neighbours.contains(e.getKey())) {
        answered.remove(r.sender());
        throw new SecAggException("unmask response of " + r.sender() + " reveals a self-mask share of "
            + e.getKey() + ", which is not a surviving neighbour");
      }
    }
    for (Map.Entry<String, Share> e : r.maskKeyShares().entrySet()) {
      if (u3.contains(e.getKey()) || !u2.containsKey(e.getKey()) || !neighbours.contains(e.getKey())) {
        answered.remove(r.sender());
        throw new SecAggException("unmask response of " + r.sender() + " reveals a mask-key share of "
            + e.getKey() + ", which is not a dropped neighbour");
      }
    }
    for (Map.Entry<String, Share> e : r.selfMaskShares().entrySet()) {
      checkPoint(r.sender(), e.getValue(), setup.sharePoint(e.getKey(), r.sender()));
    }
    for (Map.Entry<String, Share> e : r.maskKeyShares().entrySet()) {
      checkPoint(r.sender(), e.getValue(), setup.sharePoint(e.getKey(), r.sender()));
    }
    r.selfMaskShares().forEach((v, s) -> selfMaskShares.computeIfAbsent(v, k -> new ArrayList<>()).add(s));
    r.maskKeyShares().forEach((v, s) -> maskKeyShares.computeIfAbsent(v, k -> new ArrayList<>()).add(s));
  }

  /**
   * Removes the masks and returns Σ_{u ∈ U3} x_u modulo 2^32 (a copy).
   *
   * @throws SecAggException when a survivor's self-mask seed or a dropped client's mask key has fewer
   *     than t shares, the shares are inconsistent, or a rebuilt mask key does not match its
   *     advertisement; the round is then FAILED and no sum is released
   */
  public synchronized int[] finish() throws SecAggException {
    expect(Stage.UNMASK);
    try {
      List<Correction> corrections = new ArrayList<>();
      for (String v : u3) {
        byte[] b = reconstruct(v, selfMaskShares, "self-mask seed");
        corrections.add(new Correction(b, false));
      }
      for (String v : u2.keySet()) {
        if (u3.contains(v)) {
          continue;
        }
        byte[] maskKey = reconstruct(v, maskKeyShares, "mask key");
        byte[] publicKey = new X25519PrivateKeyParameters(maskKey, 0).generatePublicKey().getEncoded();
        if (!Arrays.equals(publicKey, u1.get(v).maskKey())) {
          throw new SecAggException("the mask key rebuilt for dropped client " + v
              + " does not match its advertisement: wrong shares");
        }
        int iv = setup.indexOf(v);
        for (EncryptedShare s : u2.get(v)) {
          String w = s.receiver();
          if (!u3.contains(w)) {
            continue;
          }
          byte[] seed = SecAggClient.pairwiseSeed(maskKey, u1.get(w).maskKey(), setup.round(), v, w);
          // w added +PRG when its index is below v's, −PRG otherwise: undo what it did.
          corrections.add(new Correction(seed, setup.indexOf(w) > iv));
        }
      }
      applyCorrections(corrections);
      stage = Stage.DONE;
      return sum.clone();
    } catch (SecAggException e) {
      fail(e.getMessage());
      throw e;
    }
  }

  /** One mask to remove: subtract PRG(seed), or add it back when {@code add}. */
  private record Correction(byte[] seed, boolean add) {}

  private void applyCorrections(List<Correction> corrections) throws SecAggException {
    int workers = Math.min(threads, Math.max(1, corrections.size()));
    if (workers == 1) {
      for (Correction c : corrections) {
        apply(c, sum);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "tributary-secagg-unmask");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<int[]>> parts = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int first = w;
        parts.add(pool.submit(() -> {
          int[] part = new int[sum.length];
          for (int i = first; i < corrections.size(); i += workers) {
            apply(corrections.get(i), part);
          }
          return part;
        }));
      }
      for (Future<int[]> f : parts) {
        int[] part = f.get();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += part[i];
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecAggException("unmasking interrupted", e);
    } catch (ExecutionException e) {
      throw new SecAggException("unmasking failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void apply(Correction c, int[] target) {
    if (c.add()) {
      MaskExpander.add(c.seed(), target);
    } else {
      MaskExpander.subtract(c.seed(), target);
    }
  }

  private byte[] reconstruct(String v, Map<String, List<Share>> shares, String what) throws SecAggException {
    List<Share> list = shares.getOrDefault(v, List.of());
    if (list.size() < threshold) {
      throw new SecAggException("only " + list.size() + " shares of the " + what + " of " + v + " arrived, fewer"
          + " than the threshold " + threshold + ": failing closed, no sum is released");
    }
    try {
      // t shares determine the secret; one more, when there is one, detects a wrong share among them
      // (any t + 1 points of an honest set lie on one polynomial). Checking every extra share would
      // cost O(t · shares) field operations a secret for no more safety: unused shares change nothing.
      // The lowest points first: when holders are alike (few dropouts), every secret interpolates from
      // the same points and Shamir reuses its Lagrange coefficients.
      List<Share> sorted = new ArrayList<>(list);
      sorted.sort(java.util.Comparator.comparingInt(Share::x));
      return Shamir.combine(sorted.subList(0, Math.min(sorted.size(), threshold + 1)), threshold);
    } catch (IllegalArgumentException e) {
      throw new SecAggException("shares of the " + what + " of " + v + " are inconsistent: " + e.getMessage(), e);
    }
  }

  private static void checkPoint(String sender, Share s, int point) throws SecAggException {
    if (s.x() != point) {
      throw new SecAggException("unmask response of " + sender + " holds a share for point " + s.x() + ", not "
          + point);
    }
  }

  private void checkSender(long round, String sender, String what) throws SecAggException {
    if (round != setup.round()) {
      throw new SecAggException(what + " from " + sender + " is for round " + round + ", not " + setup.round());
    }
    if (setup.indexOf(sender) < 0) {
      throw new SecAggException(what + " from " + sender + ", who is not in round " + setup.round());
    }
  }

  private void requireAtLeast(int count, String what) throws SecAggException {
    if (count < threshold) {
      String reason = "only " + count + " clients " + what + ", fewer than the threshold " + threshold;
      fail(reason);
      throw new SecAggException(reason + ": failing closed");
    }
  }

  private void fail(String reason) {
    stage = Stage.FAILED;
    failure = reason;
  }

  private void expect(Stage expected) throws SecAggException {
    if (stage != expected) {
      throw new SecAggException("the round is at stage " + stage + ", not " + expected);
    }
  }
}
