package io.tributary.proto.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.Share;
import io.tributary.proto.v1.SecAggKeyAdvertisement;
import io.tributary.proto.v1.SecAggRevealedShare;
import io.tributary.proto.v1.SecAggSetup;
import io.tributary.proto.v1.SecAggUnmaskResponse;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecAggWireTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static RoundSetup setup() {
    List<String> clients = List.of("a", "b", "c", "d", "e");
    Map<String, byte[]> keys = new HashMap<>();
    for (String c : clients) {
      keys.put(c, SecAggCrypto.ed25519(RANDOM).publicKey());
    }
    return new RoundSetup(7, clients, SecAggParameters.of(5, 4, 3, new Quantizer(0.5, 4096, 100)), 99, 11, keys);
  }

  @Test
  void setup_roundTrip_keepsEverythingTheClientsAgreeOn() throws StatusException {
    RoundSetup setup = setup();
    SecAggSetup wire = SecAggWire.toWire(setup, true, 1234);
    assertTrue(wire.getUniformWeights());
    assertEquals(1234, wire.getStageTimeoutMs());
    RoundSetup back = SecAggWire.fromWire(wire, 7);
    assertEquals(setup.clients(), back.clients());
    assertEquals(setup.graphSeed(), back.graphSeed());
    assertEquals(setup.dimension(), back.dimension());
    assertEquals(setup.parameters().degree(), back.parameters().degree());
    assertEquals(setup.parameters().threshold(), back.parameters().threshold());
    assertEquals(setup.parameters().quantizer(), back.parameters().quantizer());
    for (String c : setup.clients()) {
      assertArrayEquals(setup.identityKey(c), back.identityKey(c));
      assertEquals(setup.neighbours(c), back.neighbours(c));
    }
  }

  @Test
  void setup_thresholdAtMostHalfTheDegree_invalidArgument() {
    SecAggSetup wire = SecAggWire.toWire(setup(), false, 1).toBuilder().setThreshold(2).build();
    StatusException e = assertThrows(StatusException.class, () -> SecAggWire.fromWire(wire, 7));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("threshold"), e.getStatus().getDescription());
    SecAggSetup missingKey = SecAggWire.toWire(setup(), false, 1).toBuilder().clearIdentityKeys().build();
    assertEquals(Status.Code.INVALID_ARGUMENT,
        assertThrows(StatusException.class, () -> SecAggWire.fromWire(missingKey, 7)).getStatus().getCode());
  }

  @Test
  void advertisement_roundTrip_andShortKeyInvalidArgument() throws StatusException {
    KeyAdvertisement a = new KeyAdvertisement(7, "a", new byte[32], filled(32, 3), filled(64, 5));
    KeyAdvertisement back = SecAggWire.fromWire(SecAggWire.toWire(a), 7);
    assertEquals("a", back.client());
    assertArrayEquals(a.maskKey(), back.maskKey());
    assertArrayEquals(a.signature(), back.signature());
    SecAggKeyAdvertisement bad = SecAggWire.toWire(a).toBuilder().setMaskKey(ByteString.copyFrom(new byte[31])).build();
    assertEquals(Status.Code.INVALID_ARGUMENT,
        assertThrows(StatusException.class, () -> SecAggWire.fromWire(bad, 7)).getStatus().getCode());
  }

  @Test
  void sharesAndUnmaskMessages_roundTrip() throws StatusException {
    List<EncryptedShare> shares = List.of(new EncryptedShare("a", "b", filled(50, 1)));
    List<EncryptedShare> back = SecAggWire.sharesFromWire(SecAggWire.sharesToWire(shares));
    assertEquals("b", back.get(0).receiver());
    assertArrayEquals(shares.get(0).ciphertext(), back.get(0).ciphertext());
    UnmaskRequest request = new UnmaskRequest(7, List.of("a", "b"), List.of("c"), Map.of("a", filled(64, 2)));
    UnmaskRequest request2 = SecAggWire.fromWire(SecAggWire.toWire(request), 7);
    assertEquals(request.survivors(), request2.survivors());
    assertEquals(request.dropped(), request2.dropped());
    assertArrayEquals(request.signatures().get("a"), request2.signatures().get("a"));
    Share s = new Share(2, new byte[Share.VALUE_BYTES]);
    UnmaskResponse response = new UnmaskResponse(7, "b", Map.of("a", s), Map.of("c", s));
    UnmaskResponse response2 = SecAggWire.fromWire(SecAggWire.toWire(response), 7, "b");
    assertEquals(response.selfMaskShares(), response2.selfMaskShares());
    assertEquals(response.maskKeyShares(), response2.maskKeyShares());
  }

  @Test
  void unmaskResponse_malformedOrRepeatedShare_invalidArgument() {
    SecAggUnmaskResponse shortShare = SecAggUnmaskResponse.newBuilder().addSelfMaskShares(
        SecAggRevealedShare.newBuilder().setOwner("a").setShare(ByteString.copyFrom(new byte[3]))).build();
    assertEquals(Status.Code.INVALID_ARGUMENT,
        assertThrows(StatusException.class, () -> SecAggWire.fromWire(shortShare, 7, "b")).getStatus().getCode());
    SecAggRevealedShare one = SecAggRevealedShare.newBuilder().setOwner("a")
        .setShare(ByteString.copyFrom(new Share(2, new byte[Share.VALUE_BYTES]).encode())).build();
    SecAggUnmaskResponse twice = SecAggUnmaskResponse.newBuilder().addMaskKeyShares(one).addMaskKeyShares(one).build();
    StatusException e = assertThrows(StatusException.class, () -> SecAggWire.fromWire(twice, 7, "b"));
    assertTrue(e.getStatus().getDescription().contains("twice"), e.getStatus().getDescription());
  }

  @Test
  void intBytes_roundTripLittleEndian() {
    int[] values = {1, -1, 0x01020304, Integer.MIN_VALUE};
    byte[] bytes = SecAggWire.toBytes(values, 1, 2);
    assertArrayEquals(new byte[] {-1, -1, -1, -1, 4, 3, 2, 1}, bytes);
    int[] out = new int[3];
    SecAggWire.fromBytes(ByteString.copyFrom(bytes), out, 1);
    assertArrayEquals(new int[] {0, -1, 0x01020304}, out);
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }
}
