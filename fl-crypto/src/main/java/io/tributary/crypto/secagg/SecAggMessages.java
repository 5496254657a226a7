package io.tributary.crypto.secagg;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Objects;

/**
 * The messages of one SecAgg+ round, in stage order. Every message names its round, and those a
 * client sends name the client; both ends check them. Arrays are handed over, not copied: senders
 * must not change them after sending. The records are otherwise immutable.
 */
public final class SecAggMessages {
  private SecAggMessages() {}

  /** Domain separation for everything this protocol signs or derives. */
  static final String PROTOCOL = "tributary-secagg-v1";

  /**
   * Stage 0, client → server (then to its neighbours): two fresh X25519 public keys, one to encrypt
   * shares ({@code encryptionKey}) and one to agree pairwise mask seeds ({@code maskKey}), signed with
   * the client's long-term Ed25519 identity key over the round, the client and both keys.
   */
  public record KeyAdvertisement(long round, String client, byte[] encryptionKey, byte[] maskKey, byte[] signature) {
    public KeyAdvertisement {
      Objects.requireNonNull(client, "client");
      requireLength(encryptionKey, 32, "encryption key");
      requireLength(maskKey, 32, "mask key");
      Objects.requireNonNull(signature, "signature");
    }

    /** The bytes the signature covers. */
    byte[] signedBytes() {
      return encode(w -> {
        w.writeUTF(PROTOCOL + "|advertise");
        w.writeLong(round);
        w.writeUTF(client);
        w.write(encryptionKey);
        w.write(maskKey);
      });
    }
  }

  /**
   * Stage 1, one ciphertext from {@code sender} to {@code receiver}: AES-GCM over the sender's Shamir
   * shares of its mask key and of its self-mask seed, under a key agreed between their encryption keys,
   * with the round, sender and receiver as associated data.
   */
  public record EncryptedShare(String sender, String receiver, byte[] ciphertext) {
    public EncryptedShare {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(receiver, "receiver");
      Objects.requireNonNull(ciphertext, "ciphertext");
    }
  }

  /** Stage 1, client → server: one {@link EncryptedShare} per neighbour. */
  public record EncryptedShares(long round, String sender, List<EncryptedShare> shares) {
    public EncryptedShares {
      Objects.requireNonNull(sender, "sender");
      shares = List.copyOf(shares);
    }
  }

  /**
   * Stage 2, client → server: the quantized input plus its self-mask and pairwise masks, modulo 2^32.
   */
  public record MaskedInput(long round, String sender, int[] values) {
    public MaskedInput {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(values, "values");
    }
  }

  /** Stage 3, server → client: the clients whose masked input arrived (U3), sorted. */
  public record SurvivorSet(long round, List<String> survivors) {
    public SurvivorSet {
      survivors = List.copyOf(survivors);
    }
  }

  /** Stage 3, client → server: the client's Ed25519 signature over the round and the survivor set it was told. */
  public record ConsistencySignature(long round, String sender, byte[] signature) {
    public ConsistencySignature {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /**
   * Stage 4, server → client: the survivors (reveal their self-mask seed shares), the dropped clients
   * (reveal their mask-key shares), and the other clients' consistency signatures, which prove that
   * they were told the same survivor set.
   */
  public record UnmaskRequest(long round, List<String> survivors, List<String> dropped,
      Map<String, byte[]> signatures) {
    public UnmaskRequest {
      survivors = List.copyOf(survivors);
      dropped = List.copyOf(dropped);
      signatures = signatures instanceof SignatureList ? signatures : Map.copyOf(signatures);
    }
  }

  /**
   * The consistency signatures of one unmask request as the server builds them: an immutable map over
   * two parallel arrays, in the server's (ring) order. The server sends one per client and round, each
   * of k entries; building n hash tables of k entries (and copying each into an immutable one) cost more
   * than the rest of the stage. Lookups by key are linear; clients iterate.
   */
  static final class SignatureList extends AbstractMap<String, byte[]> {
    private final String[] ids;
    private final byte[][] signatures;

    /** Takes the arrays (not copied; the caller hands them over). Ids must be distinct and non-null. */
    SignatureList(String[] ids, byte[][] signatures) {
      if (ids.length != signatures.length) {
        throw new IllegalArgumentException(ids.length + " ids for " + signatures.length + " signatures");
      }
      this.ids = ids;
      this.signatures = signatures;
    }

    @Override
    public int size() {
      return ids.length;
    }

    @Override
    public byte[] get(Object key) {
      for (int i = 0; i < ids.length; i++) {
        if (ids[i].equals(key)) {
          return signatures[i];
        }
      }
      return null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Map.Entry<String, byte[]>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return ids.length;
        }

        @Override
        public Iterator<Map.Entry<String, byte[]>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < ids.length;
            }

            @Override
            public Map.Entry<String, byte[]> next() {
              if (next >= ids.length) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new AbstractMap.SimpleImmutableEntry<>(ids[i], signatures[i]);
            }
          };
        }
      };
    }
  }

  /**
   * Stage 4, client → server: for each neighbour it was asked about, exactly one share — of the
   * self-mask seed for a survivor, of the mask key for a dropped client.
   */
  public record UnmaskResponse(long round, String sender, Map<String, Share> selfMaskShares,
      Map<String, Share> maskKeyShares) {
    public UnmaskResponse {
      Objects.requireNonNull(sender, "sender");
      selfMaskShares = Map.copyOf(selfMaskShares);
      maskKeyShares = Map.copyOf(maskKeyShares);
    }
  }

  /**
   * The bytes a consistency signature covers: the round, the number of survivors and the SHA-256 of
   * the sorted survivor list. Signing the digest rather than the list keeps what each of the server's n
   * and each client's k signature checks hashes at 80 bytes instead of ~8·n (Ed25519 hashes its
   * message with SHA-512 in Java; at n = 1,000 the list alone is 8 KB); SHA-256 binds the list as
   * firmly, and every party computes it once.
   */
  static byte[] survivorBytes(long round, List<String> sortedSurvivors) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    byte[] list = encode(w -> {
      for (String s : sortedSurvivors) {
        w.writeUTF(s);
      }
    });
    byte[] digest = sha256.digest(list);
    return encode(w -> {
      w.writeUTF(PROTOCOL + "|survivors");
      w.writeLong(round);
      w.writeInt(sortedSurvivors.size());
      w.write(digest);
    });
  }

  /** The associated data of the share ciphertext from {@code sender} to {@code receiver}. */
  static byte[] shareAssociatedData(long round, String sender, String receiver) {
    return encode(w -> {
      w.writeUTF(PROTOCOL + "|share");
      w.writeLong(round);
      w.writeUTF(sender);
      w.writeUTF(receiver);
    });
  }

  /** HKDF info binding a derived key to its purpose, the round and the (ordered) pair of clients. */
  static String pairInfo(String purpose, long round, String a, String b) {
    String first = a.compareTo(b) <= 0 ? a : b;
    String second = a.compareTo(b) <= 0 ? b : a;
    return PROTOCOL + "|" + purpose + "|" + round + "|" + first.length() + ":" + first + "|" + second.length() + ":"
        + second;
  }

  @FunctionalInterface
  interface Writer {
    void write(DataOutputStream w) throws IOException;
  }

  static byte[] encode(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream w = new DataOutputStream(bytes)) {
      writer.write(w);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void requireLength(byte[] value, int length, String what) {
    if (value == null || value.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes, got "
          + (value == null ? "none" : value.length));
    }
  }

  /** Bytes of a UTF-8 string, for tests and callers building ids. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
