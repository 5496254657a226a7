package io.tributary.simulations.report;

import java.util.Locale;

/**
 * Formats durations for people: a clock face for progress lines, words for reports. Both take
 * seconds as a double because that is how {@link RoundRecord} stores them. Stateless.
 */
final class Durations {
  private Durations() {}

  /**
   * {@code m:ss} below an hour, {@code h:mm:ss} above; negative or non-finite input prints as
   * {@code --:--}, which the progress line uses for "not known yet".
   */
  static String clock(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "--:--";
    }
    long total = Math.round(seconds);
    long hours = total / 3600;
    long minutes = (total % 3600) / 60;
    long secs = total % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
        : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
  }

  /** {@code 12.3 s}, {@code 4 min 05 s} or {@code 2 h 07 min}; {@code NaN} prints as a dash. */
  static String words(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "\u2014";
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long total = Math.round(seconds);
    if (total < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", total / 60, total % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", total / 3600, (total % 3600) / 60);
  }
}
