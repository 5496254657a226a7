package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void clock_underAnHour_minutesAndSeconds() {
    assertEquals("0:00", Durations.clock(0));
    assertEquals("0:59", Durations.clock(59.4));
    assertEquals("1:30", Durations.clock(90));
  }

  @Test
  void clock_overAnHour_hoursMinutesSeconds() {
    assertEquals("1:02:05", Durations.clock(3725));
  }

  @Test
  void clock_unknown_dashes() {
    assertEquals("--:--", Durations.clock(Double.NaN));
    assertEquals("--:--", Durations.clock(-1));
  }

  @Test
  void words_eachScale() {
    assertEquals("12.3 s", Durations.words(12.34));
    assertEquals("4 min 05 s", Durations.words(245));
    assertEquals("2 h 07 min", Durations.words(2 * 3600 + 7 * 60 + 20));
    assertEquals("\u2014", Durations.words(Double.NaN));
  }
}
