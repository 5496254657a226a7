package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShareTest {

  private static byte[] value(BigInteger v) {
    return Share.of(1, v).value();
  }

  @Test
  void encode_decode_roundTrips() {
    byte[] secret = new byte[32];
    new SecureRandom(new byte[] {1}).nextBytes(secret);
    for (Share share : Shamir.split(secret, 3, new int[] {1, 2, 70_000, Integer.MAX_VALUE}, new SecureRandom())) {
      byte[] encoded = share.encode();
      assertEquals(Share.ENCODED_BYTES, encoded.length);
      assertEquals(share, Share.decode(encoded));
    }
  }

  @Test
  void encode_layout_isBigEndianPointThenValue() {
    byte[] v = value(BigInteger.valueOf(0x0102));
    byte[] encoded = new Share(0x01020304, v).encode();
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOf(encoded, 4));
    assertEquals(Share.ENCODED_BYTES, encoded.length);
    assertEquals(37, encoded.length);
    assertEquals(0x01, encoded[35]);
    assertEquals(0x02, encoded[36]);
  }

  @Test
  void decode_wrongLength_throws() {
    assertThrows(IllegalArgumentException.class, () -> Share.decode(new byte[69]));
    assertThrows(IllegalArgumentException.class, () -> Share.decode(new byte[71]));
    assertThrows(IllegalArgumentException.class, () -> Share.decode(new byte[0]));
  }

  @Test
  void decode_pointBelowOne_throws() {
    byte[] zero = new Share(1, value(BigInteger.TEN)).encode();
    zero[3] = 0;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Share.decode(zero));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
    byte[] negative = new Share(1, value(BigInteger.TEN)).encode();
    negative[0] = (byte) 0x80;
    assertThrows(IllegalArgumentException.class, () -> Share.decode(negative));
  }

  @Test
  void decode_valueNotBelowP_throws() {
    byte[] encoded = new byte[Share.ENCODED_BYTES];
    encoded[3] = 1;
    byte[] p = Shamir.P.toByteArray(); // 33 bytes: 0x01, 29 zero bytes, then 0x01 0x29 (297)
    assertEquals(Share.VALUE_BYTES, p.length);
    System.arraycopy(p, 0, encoded, 4, Share.VALUE_BYTES);
    assertThrows(IllegalArgumentException.class, () -> Share.decode(encoded));
    Arrays.fill(encoded, 4, Share.ENCODED_BYTES, (byte) 0xff);
    assertThrows(IllegalArgumentException.class, () -> Share.decode(encoded));
    byte[] pMinusOne = value(Shamir.P.subtract(BigInteger.ONE));
    System.arraycopy(pMinusOne, 0, encoded, 4, Share.VALUE_BYTES);
    assertEquals(Shamir.P.subtract(BigInteger.ONE), Share.decode(encoded).element());
  }

  @Test
  void constructor_copiesValue_immutable() {
    byte[] v = value(BigInteger.TWO);
    Share share = new Share(5, v);
    v[Share.VALUE_BYTES - 1] = 9;
    assertEquals(BigInteger.TWO, share.element());
    share.value()[Share.VALUE_BYTES - 1] = 9;
    assertEquals(BigInteger.TWO, share.element());
  }

  @Test
  void equals_byContent_andToStringHidesValue() {
    Share a = new Share(3, value(BigInteger.valueOf(77)));
    Share b = new Share(3, value(BigInteger.valueOf(77)));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, new Share(4, value(BigInteger.valueOf(77))));
    assertFalse(a.toString().contains("77"), a.toString());
  }

  @Test
  void constructor_badArguments_throw() {
    assertThrows(IllegalArgumentException.class, () -> new Share(1, new byte[65]));
    assertThrows(IllegalArgumentException.class, () -> new Share(0, new byte[Share.VALUE_BYTES]));
    assertThrows(NullPointerException.class, () -> new Share(1, null));
  }
}
