package io.tributary.crypto.secagg;

import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One client's side of a SecAgg+ round: an explicit state machine with one method per stage, each of
 * which checks what the server relayed before answering.
 *
 * <pre>
 *   ADVERTISE  advertiseKeys()    fresh X25519 keys (encryption c, masks s), signed with the identity key
 *   SHARE      shareKeys(..)      verifies its neighbours' advertisements; Shamir-shares s_SK and the
 *                                 self-mask seed b (threshold t) and encrypts them to each neighbour
 *   MASK       maskedInput(..)    decrypts the shares it received; y = x + PRG(b) + Σ ±PRG(s_uv)
 *   CONSISTENT consistencyCheck(..) signs the survivor set U3 it was told
 *   UNMASK     unmask(..)         checks that U3 is the one it signed and that the other survivors
 *                                 signed the same; reveals, per neighbour, the b-share of a survivor
 *                                 or the s-share of a dropped client — never both for one client
 *   DONE / ABORTED
 * </pre>
 *
 * <p>Pairwise mask seeds s_uv come from X25519 between the two mask keys and HKDF-SHA256 bound to the
 * round and both client ids; the client with the smaller index adds PRG(s_uv) and the other subtracts
 * it, so the masks cancel in the sum. Share ciphertexts are AES-256-GCM under a key from X25519 between
 * the encryption keys and HKDF (nonce: the direction), with the round, sender and receiver as associated data, so a share
 * cannot be replayed into another round or redirected to another client.
 *
 * <p>Any failed check throws {@link SecAggException} and moves the client to ABORTED, after which it
 * answers nothing: aborting is always safe (the round fails closed). Randomness (keys, the seed b,
 * Shamir coefficients) comes from the injected {@link SecureRandom}: the platform's in
 * production, a seeded deterministic generator in simulation. Not thread-safe: one round, one thread.
 */
public final class SecAggClient {
  /** The client's stages, in order. */
  public enum Stage {
    ADVERTISE, SHARE, MASK, CONSISTENT, UNMASK, DONE, ABORTED
  }

  private final RoundSetup setup;
  private final String id;
  private final int index;
  private final byte[] identityPrivateKey;
  private final SecureRandom random;
  private final List<String> neighbours;
  private final int threshold;
  private Stage stage = Stage.ADVERTISE;
  private SecAggCrypto.KeyPair encryptionKeys;
  private SecAggCrypto.KeyPair maskKeys;
  private byte[] selfMaskSeed;
  /** Neighbours' advertisements that verified, by client id. */
  private final Map<String, KeyAdvertisement> verified = new HashMap<>();
  /** Shares this client holds for its neighbours: [0] of the mask key, [1] of the self-mask seed. */
  private final Map<String, Share[]> held = new TreeMap<>();
  private List<String> signedSurvivors;

  /**
   * @param identityPrivateKey the client's long-term Ed25519 private key (its public key is in the setup)
   */
  public SecAggClient(RoundSetup setup, String id, byte[] identityPrivateKey, SecureRandom random) {
    this.setup = Objects.requireNonNull(setup, "setup");
    this.id = Objects.requireNonNull(id, "id");
    this.index = setup.indexOf(id);
    if (index < 0) {
      throw new IllegalArgumentException("client " + id + " is not in round " + setup.round());
    }
    this.identityPrivateKey = identityPrivateKey.clone();
    this.random = Objects.requireNonNull(random, "random");
    this.neighbours = setup.neighbours(id);
    this.threshold = setup.parameters().threshold();
  }

  public Stage stage() {
    return stage;
  }

  /** Stage 0: fresh key pairs for this round, signed with the identity key. */
  public KeyAdvertisement advertiseKeys() {
    expect(Stage.ADVERTISE);
    encryptionKeys = SecAggCrypto.x25519(random);
    maskKeys = SecAggCrypto.x25519(random);
    KeyAdvertisement unsigned = new KeyAdvertisement(setup.round(), id, encryptionKeys.publicKey(),
        maskKeys.publicKey(), new byte[0]);
    byte[] signature = SecAggCrypto.sign(identityPrivateKey, unsigned.signedBytes());
    stage = Stage.SHARE;
    return new KeyAdvertisement(setup.round(), id, encryptionKeys.publicKey(), maskKeys.publicKey(), signature);
  }

  /**
   * Stage 1: verifies the neighbours' advertisements the server relayed and sends each of them
   * encrypted Shamir shares of this client's mask key and self-mask seed.
   *
   * @throws SecAggException when an advertisement is of another round, from a client that is not a
   *     neighbour, repeated, or badly signed, or when fewer than t neighbours advertised
   */
  public EncryptedShares shareKeys(List<KeyAdvertisement> neighbourAdvertisements) throws SecAggException {
    expect(Stage.SHARE);
    try {
      Set<String> allowed = new HashSet<>(neighbours);
      for (KeyAdvertisement a : neighbourAdvertisements) {
        if (a.round() != setup.round()) {
          throw new SecAggException("advertisement of " + a.client() + " is for round " + a.round() + ", not "
              + setup.round());
        }
        if (!allowed.contains(a.client())) {
          throw new SecAggException("advertisement of " + a.client() + ", who is not a neighbour of " + id);
        }
        if (verified.containsKey(a.client())) {
          throw new SecAggException("advertisement of " + a.client() + " relayed twice");
        }
        if (!SecAggCrypto.verify(setup.identityKey(a.client()), a.signedBytes(), a.signature())) {
          throw new SecAggException("advertisement of " + a.client() + " is not signed by its identity key");
        }
        verified.put(a.client(), a);
      }
      if (verified.size() < threshold) {
        throw new SecAggException(id + " has " + verified.size() + " live neighbours, fewer than the threshold "
            + threshold);
      }
      selfMaskSeed = new byte[32];
      random.nextBytes(selfMaskSeed);
      List<String> holders = new ArrayList<>(verified.keySet());
      holders.sort(null);
      int[] xs = new int[holders.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = setup.sharePoint(id, holders.get(i));
      }
      Share[] keyShares = Shamir.split(maskKeys.privateKey(), threshold, xs, random);
      Share[] seedShares = Shamir.split(selfMaskSeed, threshold, xs, random);
      List<EncryptedShare> out = new ArrayList<>();
      for (int i = 0; i < xs.length; i++) {
        String to = holders.get(i);
        // The receiver's point is its ring offset from this client: only the two field elements travel.
        byte[] plaintext = concat(keyShares[i].value(), seedShares[i].value());
        byte[] sealed = SecAggCrypto.seal(shareKey(to), nonce(index, setup.indexOf(to)), plaintext,
            SecAggMessages.shareAssociatedData(setup.round(), id, to));
        out.add(new EncryptedShare(id, to, sealed));
      }
      stage = Stage.MASK;
      return new EncryptedShares(setup.round(), id, out);
    } catch (SecAggException e) {
      stage = Stage.ABORTED;
      throw e;
    }
  }

  /**
   * Stage 2: decrypts the shares its neighbours sent (U2) and masks its encoded input.
   *
   * @param input the encoded input, {@link RoundSetup#dimension()} values modulo 2^32 (not changed)
   * @throws SecAggException when a share is not addressed to this client, is from a client whose
   *     advertisement it did not verify, is repeated, fails to decrypt (tampered, replayed from another
   *     round or pair), or when fewer than t neighbours sent shares
   */
  public MaskedInput maskedInput(List<EncryptedShare> received, int[] input) throws SecAggException {
    expect(Stage.MASK);
    if (input.length != setup.dimension()) {
      throw new IllegalArgumentException(
          "input has " + input.length + " values, the round's dimension is " + setup.dimension());
    }
    try {
      for (EncryptedShare e : received) {
        if (!e.receiver().equals(id)) {
          throw new SecAggException("share from " + e.sender() + " is addressed to " + e.receiver() + ", not " + id);
        }
        if (!verified.containsKey(e.sender())) {
          throw new SecAggException("share from " + e.sender() + ", whose keys " + id + " did not verify");
        }
        if (held.containsKey(e.sender())) {
          throw new SecAggException("share from " + e.sender() + " relayed twice");
        }
        held.put(e.sender(), decryptShares(e));
      }
      if (held.size() < threshold) {
        throw new SecAggException(id + " received shares from " + held.size() + " neighbours, fewer than the"
            + " threshold " + threshold);
      }
      int[] masked = input.clone();
      MaskExpander.add(selfMaskSeed, masked);
      for (String v : held.keySet()) {
        byte[] seed = pairwiseSeed(maskKeys.privateKey(), verified.get(v).maskKey(), id, v);
        if (index < setup.indexOf(v)) {
          MaskExpander.add(seed, masked);
        } else {
          MaskExpander.subtract(seed, masked);
        }
      }
      stage = Stage.CONSISTENT;
      return new MaskedInput(setup.round(), id, masked);
    } catch (SecAggException e) {
      stage = Stage.ABORTED;
      throw e;
    }
  }

  /**
   * Stage 3: signs the survivor set U3 the server announced.
   *
   * @throws SecAggException when the set is of another round, unsorted or repeats a client, leaves
   *     this client out, or keeps fewer than t of the neighbours it holds shares of
   */
  public ConsistencySignature consistencyCheck(SurvivorSet survivors) throws SecAggException {
    expect(Stage.CONSISTENT);
    try {
      if (survivors.round() != setup.round()) {
        throw new SecAggException("survivor set is for round " + survivors.round() + ", not " + setup.round());
      }
      List<String> u3 = survivors.survivors();
      for (int i = 1; i < u3.size(); i++) {
        if (u3.get(i - 1).compareTo(u3.get(i)) >= 0) {
          throw new SecAggException("survivor set is not sorted or repeats " + u3.get(i));
        }
      }
      Set<String> u3Set = new HashSet<>(u3);
      if (!u3Set.contains(id)) {
        throw new SecAggException("survivor set leaves out " + id + ", whose masked input was sent");
      }
      long live = held.keySet().stream().filter(u3Set::contains).count();
      if (live < threshold) {
        throw new SecAggException(id + " has " + live + " surviving neighbours, fewer than the threshold "
            + threshold);
      }
      signedSurvivors = u3;
      stage = Stage.UNMASK;
      return new ConsistencySignature(setup.round(), id,
          SecAggCrypto.sign(identityPrivateKey, SecAggMessages.survivorBytes(setup.round(), u3)));
    } catch (SecAggException e) {
      stage = Stage.ABORTED;
      throw e;
    }
  }

  /**
   * Stage 4: reveals the shares that remove the masks — for each neighbour it holds shares of, the
   * self-mask seed share of a survivor or the mask-key share of a dropped client.
   *
   * @throws SecAggException when the request is of another round; its survivors differ from the set
   *     this client signed (the server told clients different sets); a client is both a survivor and
   *     dropped (a request for both secrets of one client); fewer than t of this client's surviving
   *     neighbours signed the same set, or a signature does not verify
   */
  public UnmaskResponse unmask(UnmaskRequest request) throws SecAggException {
    expect(Stage.UNMASK);
    try {
      if (request.round() != setup.round()) {
        throw new SecAggException("unmask request is for round " + request.round() + ", not " + setup.round());
      }
      if (!request.survivors().equals(signedSurvivors)) {
        throw new SecAggException("unmask request names survivors " + request.survivors() + ", but " + id
            + " signed " + signedSurvivors);
      }
      Set<String> survivors = new HashSet<>(request.survivors());
      for (String d : request.dropped()) {
        if (survivors.contains(d)) {
          throw new SecAggException("unmask request asks for both secrets of " + d
              + " (it is listed as a survivor and as dropped); refused");
        }
      }
      byte[] signedBytes = SecAggMessages.survivorBytes(setup.round(), signedSurvivors);
      int confirmed = 0;
      for (Map.Entry<String, byte[]> s : request.signatures().entrySet()) {
        byte[] key = setup.identityKey(s.getKey());
        if (key == null || !SecAggCrypto.verify(key, signedBytes, s.getValue())) {
          throw new SecAggException("consistency signature of " + s.getKey() + " does not verify over the"
              + " survivor set " + id + " signed: the server told clients different survivor sets");
        }
        if (held.containsKey(s.getKey()) && survivors.contains(s.getKey())) {
          confirmed++;
        }
      }
      if (confirmed < threshold) {
        throw new SecAggException("only " + confirmed + " of " + id + "'s surviving neighbours confirmed the"
            + " survivor set, fewer than the threshold " + threshold);
      }
      Set<String> dropped = new HashSet<>(request.dropped());
      Map<String, Share> selfMask = new LinkedHashMap<>();
      Map<String, Share> maskKey = new LinkedHashMap<>();
      for (Map.Entry<String, Share[]> h : held.entrySet()) {
        if (survivors.contains(h.getKey())) {
          selfMask.put(h.getKey(), h.getValue()[1]);
        } else if (dropped.contains(h.getKey())) {
          maskKey.put(h.getKey(), h.getValue()[0]);
        }
      }
      stage = Stage.DONE;
      return new UnmaskResponse(setup.round(), id, selfMask, maskKey);
    } catch (SecAggException e) {
      stage = Stage.ABORTED;
      throw e;
    }
  }

  /** The seed of the pairwise mask between {@code a} and {@code b}: X25519 then HKDF bound to the round and both ids. */
  static byte[] pairwiseSeed(byte[] privateKey, byte[] peerPublicKey, long round, String a, String b) {
    return SecAggCrypto.hkdf(SecAggCrypto.agree(privateKey, peerPublicKey), new byte[0],
        SecAggMessages.pairInfo("mask", round, a, b), 32);
  }

  private byte[] pairwiseSeed(byte[] privateKey, byte[] peerPublicKey, String a, String b) {
    return pairwiseSeed(privateKey, peerPublicKey, setup.round(), a, b);
  }

  private byte[] shareKey(String peer) {
    return SecAggCrypto.hkdf(SecAggCrypto.agree(encryptionKeys.privateKey(), verified.get(peer).encryptionKey()),
        new byte[0], SecAggMessages.pairInfo("share-key", setup.round(), id, peer), 32);
  }

  private Share[] decryptShares(EncryptedShare e) throws SecAggException {
    byte[] c = e.ciphertext();
    if (c.length != 2 * Share.VALUE_BYTES + 16) {
      throw new SecAggException("share from " + e.sender() + " has " + c.length + " bytes, expected "
          + (2 * Share.VALUE_BYTES + 16));
    }
    byte[] plaintext;
    try {
      plaintext = SecAggCrypto.open(shareKey(e.sender()), nonce(setup.indexOf(e.sender()), index), c,
          SecAggMessages.shareAssociatedData(setup.round(), e.sender(), id));
    } catch (GeneralSecurityException ex) {
      throw new SecAggException("share from " + e.sender() + " to " + id + " does not decrypt: tampered, or"
          + " replayed from another round or pair", ex);
    }
    try {
      int point = setup.sharePoint(e.sender(), id);
      Share keyShare = new Share(point, Arrays.copyOf(plaintext, Share.VALUE_BYTES));
      Share seedShare = new Share(point, Arrays.copyOfRange(plaintext, Share.VALUE_BYTES, plaintext.length));
      return new Share[] {keyShare, seedShare};
    } catch (IllegalArgumentException ex) {
      throw new SecAggException("share from " + e.sender() + " is malformed: " + ex.getMessage(), ex);
    }
  }

  /**
   * The AES-GCM nonce of the one share message from index {@code from} to index {@code to}: the key is
   * fresh for each pair and round and each direction sends one message, so a direction tag is unique.
   */
  private static byte[] nonce(int from, int to) {
    byte[] nonce = new byte[12];
    nonce[11] = (byte) (from < to ? 1 : 2);
    return nonce;
  }

  private void expect(Stage expected) {
    if (stage != expected) {
      throw new IllegalStateException("client " + id + " is at stage " + stage + ", not " + expected);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
