package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.secagg.SecAggMessages.SignatureList;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class SecAggMessagesTest {
  @Test
  void signatureList_behavesAsAnImmutableMap() {
    byte[] a = {1, 2};
    byte[] b = {3};
    SignatureList list = new SignatureList(new String[] {"b", "a"}, new byte[][] {b, a});
    Map<String, byte[]> plain = new HashMap<>(Map.of("a", a, "b", b));
    assertEquals(2, list.size());
    assertEquals(plain, list);
    assertEquals(list, plain);
    assertEquals(plain.hashCode(), list.hashCode());
    assertSame(a, list.get("a"));
    assertNull(list.get("c"));
    assertTrue(list.containsKey("b"));
    assertFalse(list.containsKey("c"));
    assertThrows(UnsupportedOperationException.class, () -> list.put("c", b));
    Iterator<Map.Entry<String, byte[]>> it = list.entrySet().iterator();
    assertEquals("b", it.next().getKey());
    Map.Entry<String, byte[]> second = it.next();
    assertEquals("a", second.getKey());
    assertThrows(UnsupportedOperationException.class, () -> second.setValue(b));
    assertThrows(UnsupportedOperationException.class, it::remove);
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
    assertThrows(IllegalArgumentException.class, () -> new SignatureList(new String[] {"a"}, new byte[0][]));
  }

  @Test
  void unmaskRequest_keepsASignatureList_copiesOtherMaps() {
    SignatureList list = new SignatureList(new String[] {"a"}, new byte[][] {{9}});
    UnmaskRequest kept = new UnmaskRequest(1, List.of("a"), List.of(), list);
    assertSame(list, kept.signatures());
    Map<String, byte[]> mutable = new HashMap<>(Map.of("a", new byte[] {9}));
    UnmaskRequest copied = new UnmaskRequest(1, List.of("a"), List.of(), mutable);
    mutable.clear();
    assertArrayEquals(new byte[] {9}, copied.signatures().get("a"));
  }

  @Test
  void survivorBytes_bindTheRoundAndEveryId_inEightyBytes() {
    List<String> set = List.of("c1", "c2", "c3");
    byte[] bytes = SecAggMessages.survivorBytes(7, set);
    assertEquals(2 + "tributary-secagg-v1|survivors".length() + 8 + 4 + 32, bytes.length);
    assertArrayEquals(bytes, SecAggMessages.survivorBytes(7, List.of("c1", "c2", "c3")));
    for (byte[] other : List.of(SecAggMessages.survivorBytes(8, set),
        SecAggMessages.survivorBytes(7, List.of("c1", "c2")),
        SecAggMessages.survivorBytes(7, List.of("c1", "c2", "c4")),
        SecAggMessages.survivorBytes(7, List.of("c1c", "2", "c3")))) {
      assertFalse(java.util.Arrays.equals(bytes, other));
    }
  }
}
