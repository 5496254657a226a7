package io.tributary.simulations.report;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A progress line for long simulations: round i/N, a bar, percent, elapsed time, an ETA, the
 * latest accuracy and loss and, for a differentially private run, the privacy ε spent so far.
 *
 * <pre>{@code
 * fedavg [#########---------------------]  30/100  30%  elapsed 0:41  ETA 1:36  acc 91.20%  loss 0.3121
 * }</pre>
 *
 * <p>On a terminal the line is redrawn in place with {@code '\r'} (at most every {@value
 * #REDRAW_INTERVAL_MILLIS} ms, so thousands of fast rounds do not flood it); elsewhere, e.g. in CI
 * logs, a plain line is printed each time progress crosses another step of {@code
 * plainEveryPercent} percent, and for the last round. The ETA multiplies the remaining rounds by a
 * moving average of the time per round over the last {@code averageWindow} rounds, so it follows
 * runs whose rounds speed up or slow down. The clock starts when the bar is built.
 *
 * <p>Edge cases: an accuracy or loss of {@code NaN} (a round without evaluation) keeps the last
 * known value on the line; so does an ε of {@code NaN}, and a run without differential privacy,
 * whose ε is always {@code NaN}, shows none; the ETA shows {@code --:--} until a round has finished; updates after
 * {@link #finish()} are ignored, so a late callback cannot garble the output. Thread-safe: {@link
 * #update} and {@link #finish} may be called from any thread, and each line is written whole.
 */
public final class ProgressBar {
  /** The shortest time between two in-place redraws. */
  public static final long REDRAW_INTERVAL_MILLIS = 100;

  private final int totalRounds;
  private final PrintStream output;
  private final boolean interactive;
  private final LongSupplier nanoTime;
  private final int plainEveryPercent;
  private final int barWidth;
  private final String label;
  private final int averageWindow;
  private final long startNanos;

  // Guarded by this.
  private final ArrayDeque<long[]> recentRounds = new ArrayDeque<>();
  private long windowRounds;
  private long windowNanos;
  private int round;
  private long lastRoundNanos;
  private double accuracy = Double.NaN;
  private double loss = Double.NaN;
  private double epsilon = Double.NaN;
  private int nextPlainPercent;
  private int lastPrintedRound = -1;
  private long lastDrawNanos;
  private boolean drawnOnce;
  private int lastLineLength;
  private boolean finished;

  private ProgressBar(Builder builder) {
    this.totalRounds = builder.totalRounds;
    this.output = builder.output;
    this.interactive = builder.interactive == null ? System.console() != null : builder.interactive;
    this.nanoTime = builder.nanoTime;
    this.plainEveryPercent = builder.plainEveryPercent;
    this.barWidth = builder.barWidth;
    this.label = builder.label;
    this.averageWindow = builder.averageWindow;
    this.startNanos = nanoTime.getAsLong();
    this.lastRoundNanos = startNanos;
    this.nextPlainPercent = plainEveryPercent;
  }

  /**
   * A builder for a bar over {@code totalRounds} rounds.
   *
   * @throws IllegalArgumentException if {@code totalRounds < 1}
   */
  public static Builder builder(int totalRounds) {
    return new Builder(totalRounds);
  }

  /** Whether the line is redrawn in place. */
  public boolean interactive() {
    return interactive;
  }

  /**
   * Records that {@code round} rounds are done, with the latest metrics, and shows it when due.
   *
   * @param round rounds completed so far, {@code 0..totalRounds}; a repeated round only refreshes
   *     the metrics
   * @param accuracy test accuracy in {@code [0, 1]}, or {@code NaN} to keep the last one shown
   * @param loss a loss to show, or {@code NaN} to keep the last one shown
   * @throws IllegalArgumentException if {@code round} is outside {@code 0..totalRounds}
   */
  public void update(int round, double accuracy, double loss) {
    update(round, accuracy, loss, Double.NaN);
  }

  /**
   * Like {@link #update(int, double, double)}, with the privacy spent so far, shown as {@code
   * ε=1.23}.
   *
   * @param epsilon the ε spent up to and including this round ({@link RoundRecord#epsilon()}), or
   *     {@code NaN} (or another value that is not finite) to keep the last one shown — none, for a
   *     run without differential privacy
   * @throws IllegalArgumentException if {@code round} is outside {@code 0..totalRounds}
   */
  public synchronized void update(int round, double accuracy, double loss, double epsilon) {
    if (round < 0 || round > totalRounds) {
      throw new IllegalArgumentException("round must be in 0.." + totalRounds + ", got " + round);
    }
    if (finished) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (round > this.round) {
      addToWindow(round - this.round, now - lastRoundNanos);
      lastRoundNanos = now;
      this.round = round;
    }
    if (!Double.isNaN(accuracy)) {
      this.accuracy = accuracy;
    }
    if (!Double.isNaN(loss)) {
      this.loss = loss;
    }
    if (Double.isFinite(epsilon)) {
      this.epsilon = epsilon;
    }
    if (interactive) {
      boolean due = !drawnOnce || now - lastDrawNanos >= REDRAW_INTERVAL_MILLIS * 1_000_000L;
      if (due || this.round == totalRounds) {
        redraw(now, false);
      }
    } else if (percent() >= nextPlainPercent || (this.round == totalRounds && lastPrintedRound != totalRounds)) {
      printPlain(now, false);
    }
  }

  /**
   * Shows the final state with the total time and ends the line; later calls do nothing.
   */
  public synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    long now = nanoTime.getAsLong();
    if (interactive) {
      redraw(now, true);
      output.print('\n');
      output.flush();
    } else {
      printPlain(now, true);
    }
  }

  private void addToWindow(long rounds, long nanos) {
    recentRounds.addLast(new long[] {rounds, nanos});
    windowRounds += rounds;
    windowNanos += nanos;
    while (windowRounds - recentRounds.peekFirst()[0] >= averageWindow) {
      long[] oldest = recentRounds.removeFirst();
      windowRounds -= oldest[0];
      windowNanos -= oldest[1];
    }
  }

  /** Seconds left at the recent pace, or NaN before the first round has finished. */
  double etaSeconds() {
    synchronized (this) {
      if (windowRounds == 0) {
        return Double.NaN;
      }
      double secondsPerRound = windowNanos / 1e9 / windowRounds;
      return secondsPerRound * (totalRounds - round);
    }
  }

  private int percent() {
    return (int) (100L * round / totalRounds);
  }

  private void redraw(long now, boolean done) {
    String line = line(now, done);
    StringBuilder out = new StringBuilder(line.length() + 8).append('\r').append(line);
    // Blank out what is left of a longer previous line.
    for (int i = line.length(); i < lastLineLength; i++) {
      out.append(' ');
    }
    output.print(out);
    output.flush();
    lastLineLength = line.length();
    lastDrawNanos = now;
    drawnOnce = true;
  }

  private void printPlain(long now, boolean done) {
    if (done && lastPrintedRound == round && round == totalRounds) {
      // The last round's line is already there; add only the total time.
      output.println(prefix() + "done in " + Durations.clock((now - startNanos) / 1e9));
      output.flush();
      return;
    }
    output.println(line(now, done));
    output.flush();
    lastPrintedRound = round;
    nextPlainPercent = (percent() / plainEveryPercent + 1) * plainEveryPercent;
  }

  private String prefix() {
    return label.isEmpty() ? "" : label + " ";
  }

  String line(long now, boolean done) {
    int filled = (int) ((long) barWidth * round / totalRounds);
    StringBuilder line = new StringBuilder(120).append(prefix()).append('[');
    for (int i = 0; i < barWidth; i++) {
      line.append(i < filled ? '#' : '-');
    }
    int digits = Integer.toString(totalRounds).length();
    line.append("] ")
        .append(String.format(Locale.ROOT, "%" + digits + "d/%d %3d%%", round, totalRounds, percent()));
    double elapsed = (now - startNanos) / 1e9;
    if (done) {
      line.append("  done in ").append(Durations.clock(elapsed));
    } else {
      line.append("  elapsed ").append(Durations.clock(elapsed));
      line.append("  ETA ").append(Durations.clock(etaSeconds()));
    }
    if (!Double.isNaN(accuracy)) {
      line.append(String.format(Locale.ROOT, "  acc %.2f%%", 100 * accuracy));
    }
    if (!Double.isNaN(loss)) {
      line.append(String.format(Locale.ROOT, "  loss %.4g", loss));
    }
    if (!Double.isNaN(epsilon)) {
      line.append(String.format(Locale.ROOT, "  \u03b5=%.2f", epsilon));
    }
    return line.toString();
  }

  /**
   * Settings of a {@link ProgressBar}, each validated as it is set. Not thread-safe.
   */
  public static final class Builder {
    private final int totalRounds;
    private PrintStream output = System.err;
    private Boolean interactive;
    private LongSupplier nanoTime = System::nanoTime;
    private int plainEveryPercent = 10;
    private int barWidth = 30;
    private String label = "";
    private int averageWindow = 20;

    private Builder(int totalRounds) {
      if (totalRounds < 1) {
        throw new IllegalArgumentException("totalRounds must be >= 1, got " + totalRounds);
      }
      this.totalRounds = totalRounds;
    }

    /** Where the line goes (default {@code System.err}, which keeps stdout for results). */
    public Builder output(PrintStream output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /**
     * Redraw in place ({@code true}) or print plain lines ({@code false}). By default, in place when
     * {@code System.console()} exists, i.e. when the JVM runs attached to a terminal.
     */
    public Builder interactive(boolean interactive) {
      this.interactive = interactive;
      return this;
    }

    /** The time source in nanoseconds, like {@link System#nanoTime()} (the default). */
    public Builder clock(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * In plain mode, print a line every this many percent (default 10).
     *
     * @throws IllegalArgumentException unless in {@code 1..100}
     */
    public Builder plainEveryPercent(int percent) {
      if (percent < 1 || percent > 100) {
        throw new IllegalArgumentException("plainEveryPercent must be in 1..100, got " + percent);
      }
      this.plainEveryPercent = percent;
      return this;
    }

    /**
     * Characters in the bar (default 30).
     *
     * @throws IllegalArgumentException unless in {@code 1..200}
     */
    public Builder barWidth(int characters) {
      if (characters < 1 || characters > 200) {
        throw new IllegalArgumentException("barWidth must be in 1..200, got " + characters);
      }
      this.barWidth = characters;
      return this;
    }

    /** A name shown before the bar, e.g. the run's name; empty for none. */
    public Builder label(String label) {
      Objects.requireNonNull(label, "label");
      if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("label must not contain line breaks");
      }
      this.label = label;
      return this;
    }

    /**
     * How many recent rounds the ETA averages over (default 20).
     *
     * @throws IllegalArgumentException if {@code rounds < 1}
     */
    public Builder averageWindow(int rounds) {
      if (rounds < 1) {
        throw new IllegalArgumentException("averageWindow must be >= 1, got " + rounds);
      }
      this.averageWindow = rounds;
      return this;
    }

    /** The bar; its clock starts now. */
    public ProgressBar build() {
      return new ProgressBar(this);
    }
  }
}
