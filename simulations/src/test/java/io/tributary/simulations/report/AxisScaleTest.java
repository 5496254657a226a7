package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class AxisScaleTest {
  @Test
  void niceNumber_roundsToOneTwoFiveTimesPowerOfTen() {
    assertEquals(0.5, AxisScale.niceNumber(0.38), 1e-15);
    assertEquals(10, AxisScale.niceNumber(12.7), 1e-12);
    assertEquals(2, AxisScale.niceNumber(2.9), 1e-12);
    assertEquals(1000, AxisScale.niceNumber(800), 1e-9);
    assertEquals(1e-4, AxisScale.niceNumber(1.2e-4), 1e-19);
  }

  @Test
  void covering_unitRange_ticksEveryFifth() {
    AxisScale scale = AxisScale.covering(0.0, 1.0, 6, false);
    assertEquals(0.2, scale.step(), 1e-15);
    assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, scale.ticks(), 1e-12);
    assertEquals("0.6", scale.format(scale.ticks()[3]));
  }

  @Test
  void covering_dataInsideSteps_widensOutwardToTicks() {
    AxisScale scale = AxisScale.covering(1, 37, 5, true);
    assertEquals(0, scale.min(), 0.0);
    assertEquals(40, scale.max(), 0.0);
    assertEquals(10, scale.step(), 0.0);
  }

  @Test
  void covering_fewRoundsWithIntegerSteps_neverFractionalTicks() {
    AxisScale scale = AxisScale.covering(1, 3, 10, true);
    assertEquals(1, scale.step(), 0.0);
    for (double tick : scale.ticks()) {
      assertEquals(Math.rint(tick), tick, 0.0);
      assertEquals(Long.toString((long) tick), scale.format(tick));
    }
  }

  @Test
  void covering_constantValue_centredInAWiderRange() {
    AxisScale scale = AxisScale.covering(5, 5, 5, false);
    assertTrue(scale.min() < 5 && scale.max() > 5);
    assertEquals(5, (scale.min() + scale.max()) / 2, 1e-12);
  }

  @Test
  void covering_constantZero_centredAroundZero() {
    AxisScale scale = AxisScale.covering(0, 0, 5, false);
    assertEquals(-1, scale.min(), 1e-12);
    assertEquals(1, scale.max(), 1e-12);
  }

  @Test
  void ticks_rangeAcrossZero_zeroPrintsWithoutSign() {
    AxisScale scale = AxisScale.covering(-0.3, 0.3, 7, false);
    String[] labels = new String[scale.ticks().length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = scale.format(scale.ticks()[i]);
    }
    assertTrue(java.util.Arrays.asList(labels).contains("0.0"), java.util.Arrays.toString(labels));
    for (String label : labels) {
      assertTrue(!label.equals("-0.0") && !label.contains("E-"), label);
    }
  }

  @Test
  void fixed_keepsBoundsAndPutsTicksInside() {
    AxisScale scale = AxisScale.fixed(0.05, 0.95, 5, false);
    assertEquals(0.05, scale.min(), 0.0);
    assertEquals(0.95, scale.max(), 0.0);
    for (double tick : scale.ticks()) {
      assertTrue(tick >= 0.05 - 1e-12 && tick <= 0.95 + 1e-12, Double.toString(tick));
    }
  }

  @Test
  void format_hugeValues_scientific() {
    AxisScale scale = AxisScale.covering(0, 5e9, 6, false);
    assertEquals("1e+09", scale.format(1e9));
    assertEquals("1.5e+09", AxisScale.covering(0, 2e9, 5, false).format(1.5e9));
  }

  @Test
  void format_defaultLocaleWithDecimalComma_stillUsesPoint() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertEquals("0.5", AxisScale.covering(0, 1, 3, false).format(0.5));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void covering_invalidRange_throws() {
    assertThrows(IllegalArgumentException.class, () -> AxisScale.covering(Double.NaN, 1, 5, false));
    assertThrows(IllegalArgumentException.class, () -> AxisScale.covering(2, 1, 5, false));
    assertThrows(
        IllegalArgumentException.class,
        () -> AxisScale.covering(0, Double.POSITIVE_INFINITY, 5, false));
    assertThrows(IllegalArgumentException.class, () -> AxisScale.fixed(1, 1, 5, false));
  }
}
