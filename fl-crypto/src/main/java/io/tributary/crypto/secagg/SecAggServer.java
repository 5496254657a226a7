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
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
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
  private final int n;
  /** Client indices in the order of their ids: the canonical order of every list the server sends. */
  private final int[] byId;
  private Stage stage = Stage.ADVERTISE;
  // Per-client state by index (O(1) lookups; a round routes n·k shares): U1 to U4 and the answers.
  private final KeyAdvertisement[] u1;
  private final List<EncryptedShare>[] u2;
  /** The index of each share's receiver, in the order of u2's lists: found once, on receipt. */
  private final int[][] u2Receivers;
  private final boolean[] u3;
  private final byte[][] u4;
  private final boolean[] answered;
  private int u1Count;
  private int u2Count;
  private int u3Count;
  private int u4Count;
  private final int[] sum;
  /**
   * Revealed shares by the index of the client they belong to — its self-mask seed's and its mask
   * key's — each array indexed by the share point's slot ({@link SecAggParameters#pointSlot}), so it
   * lists the shares lowest point first without sorting; with their counts.
   */
  private final Share[][] selfMaskShares;
  private final Share[][] maskKeyShares;
  private final int[] selfMaskCount;
  private final int[] maskKeyCount;
  private String failure;
  /** The bytes every consistency signature covers, fixed when U3 is. */
  private volatile byte[] survivorBytes;

  /**
   * @param threads threads for the PRG expansions of unmasking (at least 1)
   */
  @SuppressWarnings("unchecked")
  public SecAggServer(RoundSetup setup, int threads) {
    this.setup = Objects.requireNonNull(setup, "setup");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.threshold = setup.parameters().threshold();
    this.sum = new int[setup.dimension()];
    this.n = setup.clients().size();
    List<String> clients = setup.clients();
    this.byId = IntStream.range(0, n).boxed().sorted(Comparator.comparing(clients::get))
        .mapToInt(Integer::intValue).toArray();
    this.u1 = new KeyAdvertisement[n];
    this.u2 = new List[n];
    this.u2Receivers = new int[n][];
    this.u3 = new boolean[n];
    this.u4 = new byte[n][];
    this.answered = new boolean[n];
    this.selfMaskShares = new Share[n][];
    this.maskKeyShares = new Share[n][];
    this.selfMaskCount = new int[n];
    this.maskKeyCount = new int[n];
  }

  public synchronized Stage stage() {
    return stage;
  }

  /** Why the round failed, or null. */
  public synchronized String failure() {
    return failure;
  }

  /**
   * Stage 0: a client's signed key advertisement. The signature is checked before the server's lock
   * is taken, so a server receiving on many threads checks many signatures at once.
   */
  public void receiveAdvertisement(KeyAdvertisement a) throws SecAggException {
    int u = checkSender(a.round(), a.client(), "advertisement");
    boolean signed = SecAggCrypto.verify(setup.identityKeys().get(a.client()), a.signedBytes(), a.signature());
    synchronized (this) {
      expect(Stage.ADVERTISE);
      if (u1[u] != null) {
        throw new SecAggException("advertisement of " + a.client() + " already received (replay)");
      }
      if (!signed) {
        throw new SecAggException("advertisement of " + a.client() + " is not signed by its identity key");
      }
      u1[u] = a;
      u1Count++;
    }
  }

  /** Ends stage 0: for each client that advertised, the advertisements of its neighbours that did. */
  public synchronized Map<String, List<KeyAdvertisement>> closeAdvertisements() throws SecAggException {
    expect(Stage.ADVERTISE);
    requireAtLeast(u1Count, "advertised");
    Map<String, List<KeyAdvertisement>> out = new HashMap<>(2 * u1Count);
    for (int u : byId) {
      if (u1[u] == null) {
        continue;
      }
      List<KeyAdvertisement> list = new ArrayList<>(setup.parameters().degree());
      for (int v : setup.parameters().ringNeighbours(u, setup.graphSeed())) {
        if (u1[v] != null) {
          list.add(u1[v]);
        }
      }
      out.put(u1[u].client(), list);
    }
    stage = Stage.SHARE;
    return out;
  }

  /** Stage 1: a client's encrypted shares, one per neighbour that advertised. */
  public void receiveShares(EncryptedShares m) throws SecAggException {
    int u = checkSender(m.round(), m.sender(), "shares");
    // The addressing is checked before the lock: it reads only U1, which is fixed in this stage.
    synchronized (this) {
      expect(Stage.SHARE);
    }
    BitSet receivers = new BitSet(n);
    int[] receiverIndices = new int[m.shares().size()];
    int at = 0;
    for (EncryptedShare s : m.shares()) {
      if (!s.sender().equals(m.sender())) {
        throw new SecAggException("shares from " + m.sender() + " contain one signed as " + s.sender());
      }
      int v = setup.indexOf(s.receiver());
      if (v < 0 || !setup.adjacent(u, v) || u1[v] == null) {
        throw new SecAggException("share from " + m.sender() + " to " + s.receiver()
            + ", who is not one of its neighbours that advertised");
      }
      if (receivers.get(v)) {
        throw new SecAggException("shares from " + m.sender() + " address " + s.receiver() + " twice");
      }
      receivers.set(v);
      receiverIndices[at++] = v;
    }
    synchronized (this) {
      expect(Stage.SHARE);
      if (u1[u] == null) {
        throw new SecAggException("shares from " + m.sender() + ", who did not advertise keys");
      }
      if (u2[u] != null) {
        throw new SecAggException("shares of " + m.sender() + " already received (replay)");
      }
      u2[u] = m.shares();
      u2Receivers[u] = receiverIndices;
      u2Count++;
    }
  }

  /** Ends stage 1: for each client that sent shares, the shares addressed to it by others that did. */
  public synchronized Map<String, List<EncryptedShare>> closeShares() throws SecAggException {
    expect(Stage.SHARE);
    requireAtLeast(u2Count, "sent shares");
    @SuppressWarnings("unchecked")
    List<EncryptedShare>[] inbox = new List[n];
    for (int u = 0; u < n; u++) {
      if (u2[u] != null) {
        inbox[u] = new ArrayList<>(setup.parameters().degree());
      }
    }
    for (int u : byId) {
      if (u2[u] == null) {
        continue;
      }
      List<EncryptedShare> sent = u2[u];
      int[] to = u2Receivers[u];
      for (int i = 0; i < to.length; i++) {
        List<EncryptedShare> list = inbox[to[i]];
        if (list != null) {
          list.add(sent.get(i));
        }
      }
    }
    Map<String, List<EncryptedShare>> out = new HashMap<>(2 * u2Count);
    for (int u = 0; u < n; u++) {
      if (inbox[u] != null) {
        out.put(setup.clients().get(u), inbox[u]);
      }
    }
    stage = Stage.MASK;
    return out;
  }

  /** Stage 2: a masked input, folded into the running sum at once. */
  public synchronized void receiveMaskedInput(MaskedInput m) throws SecAggException {
    expect(Stage.MASK);
    int u = checkSender(m.round(), m.sender(), "masked input");
    if (u2[u] == null) {
      throw new SecAggException("masked input from " + m.sender() + ", who sent no shares");
    }
    if (u3[u]) {
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
    u3[u] = true;
    u3Count++;
  }

  /** Ends stage 2: the survivor set U3, the same for every client. */
  public synchronized SurvivorSet closeMaskedInputs() throws SecAggException {
    expect(Stage.MASK);
    requireAtLeast(u3Count, "sent masked inputs");
    List<String> survivors = survivors();
    survivorBytes = SecAggMessages.survivorBytes(setup.round(), survivors);
    stage = Stage.CONSISTENCY;
    return new SurvivorSet(setup.round(), survivors);
  }

  /**
   * Stage 3: a survivor's signature over U3, checked at once — before the server's lock is taken, so
   * that signatures arriving on many threads are checked in parallel.
   */
  public void receiveConsistencySignature(ConsistencySignature s) throws SecAggException {
    int u = checkSender(s.round(), s.sender(), "consistency signature");
    byte[] signed = survivorBytes;
    if (signed == null) {
      synchronized (this) {
        expect(Stage.CONSISTENCY);
      }
      signed = survivorBytes;
    }
    boolean valid = SecAggCrypto.verify(setup.identityKeys().get(s.sender()), signed, s.signature());
    synchronized (this) {
      expect(Stage.CONSISTENCY);
      if (!u3[u]) {
        throw new SecAggException("consistency signature from " + s.sender() + ", who is not a survivor");
      }
      if (u4[u] != null) {
        throw new SecAggException("consistency signature of " + s.sender() + " already received (replay)");
      }
      if (!valid) {
        throw new SecAggException(
            "consistency signature of " + s.sender() + " does not verify over the survivor set");
      }
      u4[u] = s.signature().clone();
      u4Count++;
    }
  }

  /**
   * Ends stage 3: for each client that signed, its unmask request — the survivors, the clients that
   * dropped after sending shares, and its neighbours' signatures.
   */
  public synchronized Map<String, UnmaskRequest> closeConsistency() throws SecAggException {
    expect(Stage.CONSISTENCY);
    requireAtLeast(u4Count, "confirmed the survivor set");
    // Immutable once: every request shares the two lists instead of copying them (the record copies
    // only lists that are not already immutable).
    List<String> survivors = List.copyOf(survivors());
    List<String> dropped = new ArrayList<>();
    for (int u : byId) {
      if (u2[u] != null && !u3[u]) {
        dropped.add(setup.clients().get(u));
      }
    }
    dropped = List.copyOf(dropped);
    Map<String, UnmaskRequest> out = new HashMap<>(2 * u4Count);
    List<String> ids = setup.clients();
    for (int u : byId) {
      if (u4[u] == null) {
        continue;
      }
      int[] neighbours = setup.parameters().ringNeighbours(u, setup.graphSeed());
      int signed = 0;
      for (int v : neighbours) {
        if (u4[v] != null) {
          signed++;
        }
      }
      String[] signers = new String[signed];
      byte[][] signatures = new byte[signed][];
      int j = 0;
      for (int v : neighbours) {
        if (u4[v] != null) {
          signers[j] = ids.get(v);
          signatures[j++] = u4[v];
        }
      }
      out.put(ids.get(u), new UnmaskRequest(setup.round(), survivors, dropped,
          new SecAggMessages.SignatureList(signers, signatures)));
    }
    stage = Stage.UNMASK;
    return out;
  }

  /** Stage 4: the shares a client reveals, each checked to be one the request asked it for. */
  public synchronized void receiveUnmaskResponse(UnmaskResponse r) throws SecAggException {
    expect(Stage.UNMASK);
    int h = checkSender(r.round(), r.sender(), "unmask response");
    if (u4[h] == null) {
      throw new SecAggException("unmask response from " + r.sender() + ", who did not confirm the survivor set");
    }
    if (answered[h]) {
      throw new SecAggException("unmask response of " + r.sender() + " already received (replay)");
    }
    int[] selfOwners = owners(r.sender(), h, r.selfMaskShares(), true);
    int[] keyOwners = owners(r.sender(), h, r.maskKeyShares(), false);
    answered[h] = true;
    add(selfMaskShares, selfMaskCount, selfOwners, r.selfMaskShares());
    add(maskKeyShares, maskKeyCount, keyOwners, r.maskKeyShares());
  }

  /**
   * The indices of the owners of the revealed shares, each checked: a self-mask share must belong to
   * a surviving neighbour, a mask-key share to a neighbour that dropped after ShareKeys, and every share
   * must sit at the point the holder was given for that owner.
   */
  private int[] owners(String sender, int holder, Map<String, Share> shares, boolean selfMask)
      throws SecAggException {
    int[] owners = new int[shares.size()];
    int i = 0;
    for (Map.Entry<String, Share> e : shares.entrySet()) {
      int v = setup.indexOf(e.getKey());
      int point = v < 0 ? -1 : setup.parameters().neighbourPoint(v, holder, setup.graphSeed());
      boolean allowed = point > 0 && (selfMask ? u3[v] : u2[v] != null && !u3[v]);
      if (!allowed) {
        throw new SecAggException("unmask response of " + sender + " reveals a "
            + (selfMask ? "self-mask share of " : "mask-key share of ") + e.getKey() + ", which is not a "
            + (selfMask ? "surviving neighbour" : "dropped neighbour"));
      }
      if (e.getValue().x() != point) {
        throw new SecAggException("unmask response of " + sender + " holds a share for point " + e.getValue().x()
            + ", not " + point);
      }
      owners[i++] = v;
    }
    return owners;
  }

  /**
   * Files each share under its owner at its point's slot. {@link #owners} checked every point against
   * the holder, and a holder answers once, so no slot is filled twice.
   */
  private void add(Share[][] byOwner, int[] counts, int[] owners, Map<String, Share> shares) {
    int i = 0;
    for (Share s : shares.values()) {
      int v = owners[i++];
      if (byOwner[v] == null) {
        byOwner[v] = new Share[setup.parameters().degree()];
      }
      byOwner[v][setup.parameters().pointSlot(s.x())] = s;
      counts[v]++;
    }
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
      for (int v : byId) {
        if (u3[v]) {
          byte[] b = reconstruct(v, selfMaskShares, selfMaskCount, "self-mask seed");
          corrections.add(new Correction(b, false));
        }
      }
      for (int v : byId) {
        if (u2[v] == null || u3[v]) {
          continue;
        }
        String id = setup.clients().get(v);
        byte[] maskKey = reconstruct(v, maskKeyShares, maskKeyCount, "mask key");
        byte[] publicKey = new X25519PrivateKeyParameters(maskKey, 0).generatePublicKey().getEncoded();
        if (!Arrays.equals(publicKey, u1[v].maskKey())) {
          throw new SecAggException("the mask key rebuilt for dropped client " + id
              + " does not match its advertisement: wrong shares");
        }
        for (EncryptedShare s : u2[v]) {
          int w = setup.indexOf(s.receiver());
          if (!u3[w]) {
            continue;
          }
          byte[] seed = SecAggClient.pairwiseSeed(maskKey, u1[w].maskKey(), setup.round(), id, s.receiver());
          // w added +PRG when its index is below v's, −PRG otherwise: undo what it did.
          corrections.add(new Correction(seed, w > v));
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

  /** U3 as client ids, in id order: the list every client signs. */
  private List<String> survivors() {
    List<String> out = new ArrayList<>(u3Count);
    for (int u : byId) {
      if (u3[u]) {
        out.add(setup.clients().get(u));
      }
    }
    return out;
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

  private byte[] reconstruct(int owner, Share[][] shares, int[] counts, String what) throws SecAggException {
    String v = setup.clients().get(owner);
    if (counts[owner] < threshold) {
      throw new SecAggException("only " + counts[owner] + " shares of the " + what + " of " + v + " arrived,"
          + " fewer than the threshold " + threshold + ": failing closed, no sum is released");
    }
    try {
      // t shares determine the secret; one more, when there is one, detects a wrong share among them
      // (any t + 1 points of an honest set lie on one polynomial). Checking every extra share would
      // cost O(t · shares) field operations a secret for no more safety: unused shares change nothing.
      // The lowest points first (the slots are in point order): when holders are alike (few dropouts),
      // every secret interpolates from the same points and Shamir reuses its Lagrange coefficients.
      Share[] used = new Share[Math.min(counts[owner], threshold + 1)];
      int j = 0;
      for (Share s : shares[owner]) {
        if (s != null) {
          used[j++] = s;
          if (j == used.length) {
            break;
          }
        }
      }
      return Shamir.combine(Arrays.asList(used), threshold);
    } catch (IllegalArgumentException e) {
      throw new SecAggException("shares of the " + what + " of " + v + " are inconsistent: " + e.getMessage(), e);
    }
  }

  /** Checks the round and that the sender is in it (the setup is immutable: no lock needed); its index. */
  private int checkSender(long round, String sender, String what) throws SecAggException {
    if (round != setup.round()) {
      throw new SecAggException(what + " from " + sender + " is for round " + round + ", not " + setup.round());
    }
    int index = setup.indexOf(sender);
    if (index < 0) {
      throw new SecAggException(what + " from " + sender + ", who is not in round " + setup.round());
    }
    return index;
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
