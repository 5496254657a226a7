package io.tributary.core.strategy;

import static io.tributary.core.strategy.Rounds.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerStateTest {
  private static ServerState state() {
    return new ServerState("opt",
        new ServerState.Vector("a", 0.5f, Double.NEGATIVE_INFINITY), new ServerState.Vector("b", 0f, 0));
  }

  @Test
  void prepare_firstCall_fillsInitialValues() {
    ServerState s = state();
    s.prepare(2);
    assertArrayEquals(new float[] {0.5f, 0.5f}, s.vector(0));
    assertArrayEquals(new float[] {0f, 0f}, s.vector(1));
    assertEquals(List.of("a", "b"), List.copyOf(s.snapshot().keySet()));
  }

  @Test
  void prepare_otherSize_throwsNamingBoth() {
    ServerState s = state();
    s.prepare(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.prepare(5));
    assertEquals("opt server state has 2 values per vector but the model has 5 parameters", e.getMessage());
  }

  @Test
  void snapshot_isACopy() {
    ServerState s = state();
    s.prepare(1);
    s.snapshot().get("a")[0] = 7f;
    assertEquals(0.5f, s.vector(0)[0]);
  }

  @Test
  void restore_copiesItsInput() {
    ServerState s = state();
    float[] a = {1f, 2f};
    s.restore(Map.of("a", a, "b", new float[] {0f, 3f}));
    a[0] = 9f;
    assertArrayEquals(new float[] {1f, 2f}, s.vector(0));
  }

  @Test
  void restore_invalid_rejectedWithPreciseMessagesAndNothingChanged() {
    ServerState s = state();
    s.prepare(1);
    assertRejected(() -> s.restore(Map.of("a", new float[1], "c", new float[1])),
        "opt server state has no vector 'c' (expected [a, b])");
    assertRejected(() -> s.restore(Map.of("b", new float[1])), "opt server state lacks vector 'a'");
    assertRejected(() -> s.restore(Map.of("a", new float[0], "b", new float[0])), "vector 'a' is empty");
    assertRejected(() -> s.restore(Map.of("a", new float[2], "b", new float[3])),
        "vector 'b' has 3 values but 'a' has 2");
    assertRejected(() -> s.restore(Map.of("a", new float[] {0f, Float.NaN}, "b", new float[2])),
        "vector 'a'[1] must be finite, got NaN");
    assertRejected(() -> s.restore(Map.of("a", new float[2], "b", new float[] {-0.5f, 0f})),
        "vector 'b'[0] must be finite and >= 0.0, got -0.5");
    Map<String, float[]> withNull = new HashMap<>();
    withNull.put("a", null);
    withNull.put("b", new float[1]);
    assertRejected(() -> s.restore(withNull), "lacks vector 'a'");
    assertArrayEquals(new float[] {0.5f}, s.vector(0));
  }

  @Test
  void restore_empty_forgetsTheVectors() {
    ServerState s = state();
    s.prepare(3);
    s.restore(Map.of());
    assertEquals(Map.of(), s.snapshot());
    s.prepare(4);
    assertEquals(4, s.vector(0).length);
  }
}
