package io.tributary.proto.convert;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.Share;
import io.tributary.proto.v1.DistributedDpParameters;
import io.tributary.proto.v1.SecAggEncryptedShare;
import io.tributary.proto.v1.SecAggKeyAdvertisement;
import io.tributary.proto.v1.SecAggRevealedShare;
import io.tributary.proto.v1.SecAggSetup;
import io.tributary.proto.v1.SecAggUnmaskRequest;
import io.tributary.proto.v1.SecAggUnmaskResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between the fl.v1 secure aggregation messages and the transport-agnostic records of
 * {@code io.tributary.crypto.secagg}. Every {@code fromWire} checks what the records cannot (sizes,
 * encodings) and reports a malformed message as INVALID_ARGUMENT naming the field; the protocol
 * checks (signatures, rounds, replays) stay with the state machines. Stateless and thread-safe.
 */
public final class SecAggWire {
  private SecAggWire() {}

  /** The round's setup in wire form; {@code uniformWeights} and {@code stageTimeoutMs} ride along. */
  public static SecAggSetup toWire(RoundSetup setup, boolean uniformWeights, long stageTimeoutMs) {
    Quantizer q = setup.parameters().quantizer();
    SecAggSetup.Builder b = SecAggSetup.newBuilder()
        .addAllClients(setup.clients())
        .setDegree(setup.parameters().degree())
        .setThreshold(setup.parameters().threshold())
        .setGraphSeed(setup.graphSeed())
        .setClipRange(q.clipRange())
        .setLevels(q.levels())
        .setMaxWeight(q.maxWeight())
        .setDimension(setup.dimension())
        .setUniformWeights(uniformWeights)
        .setStageTimeoutMs(stageTimeoutMs);
    for (String c : setup.clients()) {
      b.addIdentityKeys(ByteString.copyFrom(setup.identityKey(c)));
    }
    return b.build();
  }

  /**
   * The round's setup from its wire form, with explicit parameters (k, t and the quantizer as the
   * server chose them; {@link SecAggParameters#of} checks t &gt; k/2, so a server cannot hand out a
   * threshold that would let it collect both secrets of a client).
   */
  public static RoundSetup fromWire(SecAggSetup wire, long round) throws StatusException {
    try {
      if (wire.getIdentityKeysCount() != wire.getClientsCount()) {
        throw new IllegalArgumentException(wire.getClientsCount() + " clients but " + wire.getIdentityKeysCount()
            + " identity keys");
      }
      Quantizer q = new Quantizer(wire.getClipRange(), wire.getLevels(), wire.getMaxWeight());
      SecAggParameters p = SecAggParameters.of(wire.getClientsCount(), wire.getDegree(), wire.getThreshold(), q);
      Map<String, byte[]> keys = new HashMap<>();
      for (int i = 0; i < wire.getClientsCount(); i++) {
        keys.put(wire.getClients(i), wire.getIdentityKeys(i).toByteArray());
      }
      return new RoundSetup(round, wire.getClientsList(), p, wire.getGraphSeed(), wire.getDimension(), keys);
    } catch (IllegalArgumentException e) {
      throw invalid("secure aggregation setup: " + e.getMessage());
    }
  }

  /** A round's distributed-DP mechanism in wire form, with the z it was calibrated for. */
  public static DistributedDpParameters toWire(DistributedDiscreteGaussian m, double noiseMultiplier) {
    return DistributedDpParameters.newBuilder()
        .setPaddedDimension(m.dimension())
        .setClip(m.clip())
        .setGranularity(m.granularity())
        .setBeta(m.beta())
        .setBits(m.bits())
        .setExpectedClients(m.expectedClients())
        .setMinimumSurvivors(m.minimumSurvivors())
        .setLocalSigma(m.localSigma())
        .setNoiseMultiplier(noiseMultiplier)
        .build();
  }

  /**
   * The mechanism from its wire form, every parameter checked by its constructor.
   *
   * @throws StatusException INVALID_ARGUMENT naming what is out of range
   */
  public static DistributedDiscreteGaussian fromWire(DistributedDpParameters wire) throws StatusException {
    try {
      return new DistributedDiscreteGaussian(wire.getPaddedDimension(), wire.getClip(), wire.getGranularity(),
          wire.getBeta(), wire.getBits(), wire.getExpectedClients(), wire.getMinimumSurvivors(), wire.getLocalSigma());
    } catch (IllegalArgumentException e) {
      throw invalid("distributed DP parameters: " + e.getMessage());
    }
  }

  public static SecAggKeyAdvertisement toWire(KeyAdvertisement a) {
    return SecAggKeyAdvertisement.newBuilder()
        .setClientId(a.client())
        .setEncryptionKey(ByteString.copyFrom(a.encryptionKey()))
        .setMaskKey(ByteString.copyFrom(a.maskKey()))
        .setSignature(ByteString.copyFrom(a.signature()))
        .build();
  }

  public static KeyAdvertisement fromWire(SecAggKeyAdvertisement a, long round) throws StatusException {
    try {
      return new KeyAdvertisement(round, a.getClientId(), a.getEncryptionKey().toByteArray(),
          a.getMaskKey().toByteArray(), a.getSignature().toByteArray());
    } catch (IllegalArgumentException e) {
      throw invalid("key advertisement of '" + a.getClientId() + "': " + e.getMessage());
    }
  }

  public static SecAggEncryptedShare toWire(EncryptedShare s) {
    return SecAggEncryptedShare.newBuilder()
        .setSender(s.sender())
        .setReceiver(s.receiver())
        .setCiphertext(ByteString.copyFrom(s.ciphertext()))
        .build();
  }

  public static List<SecAggEncryptedShare> sharesToWire(List<EncryptedShare> shares) {
    List<SecAggEncryptedShare> out = new ArrayList<>(shares.size());
    for (EncryptedShare s : shares) {
      out.add(toWire(s));
    }
    return out;
  }

  public static List<EncryptedShare> sharesFromWire(List<SecAggEncryptedShare> shares) {
    List<EncryptedShare> out = new ArrayList<>(shares.size());
    for (SecAggEncryptedShare s : shares) {
      out.add(new EncryptedShare(s.getSender(), s.getReceiver(), s.getCiphertext().toByteArray()));
    }
    return out;
  }

  public static SecAggUnmaskRequest toWire(UnmaskRequest r) {
    SecAggUnmaskRequest.Builder b = SecAggUnmaskRequest.newBuilder()
        .addAllSurvivors(r.survivors())
        .addAllDropped(r.dropped());
    r.signatures().forEach((k, v) -> b.putSignatures(k, ByteString.copyFrom(v)));
    return b.build();
  }

  public static UnmaskRequest fromWire(SecAggUnmaskRequest r, long round) {
    Map<String, byte[]> signatures = new HashMap<>();
    r.getSignaturesMap().forEach((k, v) -> signatures.put(k, v.toByteArray()));
    return new UnmaskRequest(round, r.getSurvivorsList(), r.getDroppedList(), signatures);
  }

  public static SecAggUnmaskResponse toWire(UnmaskResponse r) {
    SecAggUnmaskResponse.Builder b = SecAggUnmaskResponse.newBuilder();
    r.selfMaskShares().forEach((k, v) -> b.addSelfMaskShares(revealed(k, v)));
    r.maskKeyShares().forEach((k, v) -> b.addMaskKeyShares(revealed(k, v)));
    return b.build();
  }

  public static UnmaskResponse fromWire(SecAggUnmaskResponse r, long round, String sender) throws StatusException {
    return new UnmaskResponse(round, sender, shares(r.getSelfMaskSharesList(), "self-mask"),
        shares(r.getMaskKeySharesList(), "mask-key"));
  }

  /** The int32 values as little-endian bytes, {@code count} values from {@code from}. */
  public static byte[] toBytes(int[] values, int from, int count) {
    ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values, from, count);
    return b.array();
  }

  /** Reads little-endian int32 values from {@code bytes} into {@code out} at {@code at}. */
  public static void fromBytes(ByteString bytes, int[] out, int at) {
    bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out, at, bytes.size() / 4);
  }

  private static SecAggRevealedShare revealed(String owner, Share s) {
    return SecAggRevealedShare.newBuilder().setOwner(owner).setShare(ByteString.copyFrom(s.encode())).build();
  }

  private static Map<String, Share> shares(List<SecAggRevealedShare> list, String what) throws StatusException {
    Map<String, Share> out = new LinkedHashMap<>();
    for (SecAggRevealedShare s : list) {
      Share share;
      try {
        share = Share.decode(s.getShare().toByteArray());
      } catch (IllegalArgumentException e) {
        throw invalid(what + " share of '" + s.getOwner() + "': " + e.getMessage());
      }
      if (out.put(s.getOwner(), share) != null) {
        throw invalid(what + " share of '" + s.getOwner() + "' revealed twice");
      }
    }
    return out;
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }
}
