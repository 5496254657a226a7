package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SecAggCryptoTest {
  private static final HexFormat HEX = HexFormat.of();
  private final SecureRandom random = new SecureRandom();

  private static byte[] hex(String s) {
    return HEX.parseHex(s);
  }

  @Test
  void agree_bothSides_sameSecret() {
    SecAggCrypto.KeyPair alice = SecAggCrypto.x25519(random);
    SecAggCrypto.KeyPair bob = SecAggCrypto.x25519(random);
    byte[] ab = SecAggCrypto.agree(alice.privateKey(), bob.publicKey());
    byte[] ba = SecAggCrypto.agree(bob.privateKey(), alice.publicKey());
    assertArrayEquals(ab, ba);
    assertEquals(32, ab.length);
    SecAggCrypto.KeyPair eve = SecAggCrypto.x25519(random);
    assertFalse(Arrays.equals(ab, SecAggCrypto.agree(eve.privateKey(), alice.publicKey())));
    assertArrayEquals(alice.publicKey(), SecAggCrypto.x25519PublicKey(alice.privateKey()));
  }

  @Test
  void agree_rfc7748Section61_matchesVector() {
    byte[] alicePrivate = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] alicePublic = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    byte[] bobPrivate = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    byte[] bobPublic = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    byte[] shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertArrayEquals(alicePublic, SecAggCrypto.x25519PublicKey(alicePrivate));
    assertArrayEquals(bobPublic, SecAggCrypto.x25519PublicKey(bobPrivate));
    assertArrayEquals(shared, SecAggCrypto.agree(alicePrivate, bobPublic));
    assertArrayEquals(shared, SecAggCrypto.agree(bobPrivate, alicePublic));
  }

  @Test
  void agree_smallOrderPoint_rejected() {
    byte[] privateKey = SecAggCrypto.x25519(random).privateKey();
    byte[] zero = new byte[32]; // u = 0: order 2
    byte[] one = new byte[32]; // u = 1: order 4
    one[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.agree(privateKey, zero));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.agree(privateKey, one));
    // u = 325606250916557431795983626356110631294008115727848805560023387167927233504 (order 8)
    byte[] order8 = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.agree(privateKey, order8));
  }

  @Test
  void agree_wrongLengths_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.agree(new byte[31], new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.agree(new byte[32], new byte[33]));
  }

  @Test
  void hkdf_rfc5869TestCase1_matches() {
    byte[] ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = hex("000102030405060708090a0b0c");
    byte[] info = hex("f0f1f2f3f4f5f6f7f8f9");
    byte[] okm = hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    assertArrayEquals(okm, SecAggCrypto.hkdf(ikm, salt, info, 42));
  }

  @Test
  void hkdf_stringInfo_isItsUtf8Bytes() {
    byte[] ikm = new byte[32];
    random.nextBytes(ikm);
    String info = "tributary-secagg-v1|mask|é";
    assertArrayEquals(SecAggCrypto.hkdf(ikm, null, info.getBytes(StandardCharsets.UTF_8), 32),
        SecAggCrypto.hkdf(ikm, null, info, 32));
    assertFalse(Arrays.equals(SecAggCrypto.hkdf(ikm, null, "a", 32), SecAggCrypto.hkdf(ikm, null, "b", 32)));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.hkdf(ikm, null, "a", 0));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.hkdf(ikm, null, "a", 8161));
    assertEquals(8160, SecAggCrypto.hkdf(ikm, null, "a", 8160).length);
  }

  @Test
  void seal_open_roundTrips() throws GeneralSecurityException {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    random.nextBytes(key);
    random.nextBytes(nonce);
    byte[] aad = "round 7 | a -> b".getBytes(StandardCharsets.UTF_8);
    for (int length : new int[] {0, 1, 16, 140, 1000}) {
      byte[] plaintext = new byte[length];
      random.nextBytes(plaintext);
      byte[] sealed = SecAggCrypto.seal(key, nonce, plaintext, aad);
      assertEquals(length + 16, sealed.length);
      assertArrayEquals(plaintext, SecAggCrypto.open(key, nonce, sealed, aad));
    }
    byte[] noAad = SecAggCrypto.seal(key, nonce, new byte[] {1, 2, 3}, null);
    assertArrayEquals(new byte[] {1, 2, 3}, SecAggCrypto.open(key, nonce, noAad, new byte[0]));
  }

  @Test
  void seal_matchesJdkAesGcm() throws Exception {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    random.nextBytes(key);
    random.nextBytes(nonce);
    byte[] plaintext = "shares of the mask key".getBytes(StandardCharsets.UTF_8);
    byte[] aad = {9, 8, 7};
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    jdk.updateAAD(aad);
    assertArrayEquals(jdk.doFinal(plaintext), SecAggCrypto.seal(key, nonce, plaintext, aad));
  }

  @Test
  void open_tamperedCiphertextWrongAadOrWrongKey_rejected() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    random.nextBytes(key);
    random.nextBytes(nonce);
    byte[] aad = {1, 2};
    byte[] sealed = SecAggCrypto.seal(key, nonce, new byte[70], aad);
    for (int position : new int[] {0, 35, sealed.length - 1}) { // body and tag
      byte[] tampered = sealed.clone();
      tampered[position] ^= 0x10;
      assertThrows(AEADBadTagException.class, () -> SecAggCrypto.open(key, nonce, tampered, aad));
    }
    assertThrows(GeneralSecurityException.class, () -> SecAggCrypto.open(key, nonce, sealed, new byte[] {1, 3}));
    assertThrows(GeneralSecurityException.class, () -> SecAggCrypto.open(key, nonce, sealed, null));
    byte[] otherKey = key.clone();
    otherKey[0] ^= 1;
    assertThrows(GeneralSecurityException.class, () -> SecAggCrypto.open(otherKey, nonce, sealed, aad));
    byte[] otherNonce = nonce.clone();
    otherNonce[11] ^= 1;
    assertThrows(GeneralSecurityException.class, () -> SecAggCrypto.open(key, otherNonce, sealed, aad));
    assertThrows(GeneralSecurityException.class,
        () -> SecAggCrypto.open(key, nonce, Arrays.copyOf(sealed, 15), aad));
  }

  @Test
  void seal_badKeyOrNonceLength_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.seal(new byte[16], new byte[12], new byte[1], null));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.seal(new byte[32], new byte[16], new byte[1], null));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.open(new byte[32], new byte[8], new byte[16], null));
  }

  @Test
  void sign_rfc8032TestVector1_matchesAndVerifies() {
    byte[] privateKey = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    byte[] publicKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    byte[] signature = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertArrayEquals(publicKey, SecAggCrypto.ed25519PublicKey(privateKey));
    assertArrayEquals(signature, SecAggCrypto.sign(privateKey, new byte[0]));
    assertTrue(SecAggCrypto.verify(publicKey, new byte[0], signature));
    assertFalse(SecAggCrypto.verify(publicKey, new byte[] {0}, signature));
  }

  @Test
  void verify_modifiedMessageOrSignature_false() {
    SecAggCrypto.KeyPair keys = SecAggCrypto.ed25519(random);
    byte[] message = "round 3: survivors a, b, c".getBytes(StandardCharsets.UTF_8);
    byte[] signature = SecAggCrypto.sign(keys.privateKey(), message);
    assertEquals(64, signature.length);
    assertTrue(SecAggCrypto.verify(keys.publicKey(), message, signature));
    byte[] modified = message.clone();
    modified[7] ^= 1;
    assertFalse(SecAggCrypto.verify(keys.publicKey(), modified, signature));
    byte[] badSignature = signature.clone();
    badSignature[10] ^= 1;
    assertFalse(SecAggCrypto.verify(keys.publicKey(), message, badSignature));
    assertFalse(SecAggCrypto.verify(SecAggCrypto.ed25519(random).publicKey(), message, signature));
  }

  @Test
  void verify_malformedInput_falseNotException() {
    SecAggCrypto.KeyPair keys = SecAggCrypto.ed25519(random);
    byte[] message = {1, 2, 3};
    byte[] signature = SecAggCrypto.sign(keys.privateKey(), message);
    assertFalse(SecAggCrypto.verify(null, message, signature));
    assertFalse(SecAggCrypto.verify(new byte[31], message, signature));
    assertFalse(SecAggCrypto.verify(keys.publicKey(), null, signature));
    assertFalse(SecAggCrypto.verify(keys.publicKey(), message, null));
    assertFalse(SecAggCrypto.verify(keys.publicKey(), message, Arrays.copyOf(signature, 63)));
    byte[] offCurve = new byte[32];
    Arrays.fill(offCurve, (byte) 0xff); // y >= p: not a valid encoding
    assertFalse(SecAggCrypto.verify(offCurve, message, signature));
  }

  @Test
  void keyPair_copiesAndHidesPrivateKey() {
    SecAggCrypto.KeyPair keys = SecAggCrypto.x25519(random);
    byte[] privateKey = keys.privateKey();
    privateKey[0] ^= 1;
    assertNotEquals(privateKey[0], keys.privateKey()[0]);
    assertFalse(keys.toString().contains(HEX.formatHex(keys.privateKey())));
    assertTrue(keys.toString().contains(HEX.formatHex(keys.publicKey())));
    assertThrows(IllegalArgumentException.class, () -> new SecAggCrypto.KeyPair(new byte[31], new byte[32]));
  }
}
