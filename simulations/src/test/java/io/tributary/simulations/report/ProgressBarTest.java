package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static final long SECOND = 1_000_000_000L;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream output = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private ProgressBar.Builder bar(int rounds, boolean interactive) {
    return ProgressBar.builder(rounds).output(output).interactive(interactive).clock(now::get);
  }

  @Test
  void update_plainMode_oneLinePerTenPercentWithElapsedAndEta() {
    ProgressBar progress = bar(100, false).barWidth(10).build();
    for (int round = 1; round <= 100; round++) {
      now.addAndGet(SECOND);
      progress.update(round, 0.5 + round / 1000.0, 2.0 / round);
    }

    List<String> lines = written().lines().toList();
    assertEquals(10, lines.size(), written());
    assertEquals(
        "[#---------]  10/100  10%  elapsed 0:10  ETA 1:30  acc 51.00%  loss 0.2000", lines.get(0));
    assertTrue(lines.get(9).startsWith("[##########] 100/100 100%  elapsed 1:40  ETA 0:00"), lines.get(9));
    assertFalse(written().contains("\r"));
  }

  @Test
  void finish_plainModeAfterLastRound_addsTotalTime() {
    ProgressBar progress = bar(4, false).label("run-a").build();
    for (int round = 1; round <= 4; round++) {
      now.addAndGet(25 * SECOND);
      progress.update(round, Double.NaN, Double.NaN);
    }
    progress.finish();

    List<String> lines = written().lines().toList();
    assertEquals(5, lines.size(), "every round is 25 %: " + written());
    assertEquals("run-a done in 1:40", lines.get(4));
  }

  @Test
  void finish_plainModeStoppedEarly_printsWhereItStopped() {
    ProgressBar progress = bar(100, false).barWidth(4).build();
    now.addAndGet(SECOND);
    progress.update(3, 0.25, 1.5);
    progress.finish();

    assertEquals("[----]   3/100   3%  done in 0:01  acc 25.00%  loss 1.500\n", written());
  }

  @Test
  void etaSeconds_roundsSlowDown_followsTheRecentAverage() {
    ProgressBar progress = bar(100, false).averageWindow(5).build();
    for (int round = 1; round <= 10; round++) {
      now.addAndGet(SECOND);
      progress.update(round, Double.NaN, Double.NaN);
    }
    assertEquals(90.0, progress.etaSeconds(), 1e-9);
    for (int round = 11; round <= 15; round++) {
      now.addAndGet(10 * SECOND);
      progress.update(round, Double.NaN, Double.NaN);
    }
    // The window holds only the five slow rounds now: 10 s each, 85 to go.
    assertEquals(850.0, progress.etaSeconds(), 1e-9);
  }

  @Test
  void etaSeconds_updatesSkippingRounds_averagePerRound() {
    ProgressBar progress = bar(10, false).build();
    now.addAndGet(8 * SECOND);
    progress.update(4, Double.NaN, Double.NaN);
    assertEquals(12.0, progress.etaSeconds(), 1e-9);
  }

  @Test
  void line_beforeAnyRound_etaUnknown() {
    ProgressBar progress = bar(10, false).build();
    progress.update(0, Double.NaN, Double.NaN);
    now.addAndGet(SECOND);
    assertTrue(progress.line(now.get(), false).contains("ETA --:--"), progress.line(now.get(), false));
    assertTrue(Double.isNaN(progress.etaSeconds()));
  }

  @Test
  void update_nanMetrics_keepLastKnownValues() {
    ProgressBar progress = bar(10, false).build();
    progress.update(1, 0.8125, 0.25);
    progress.update(2, Double.NaN, Double.NaN);
    String line = progress.line(now.get(), false);
    assertTrue(line.contains("acc 81.25%") && line.contains("loss 0.2500"), line);
  }

  @Test
  void update_withEpsilon_appendedAfterTheLoss_nanKeepsTheLastOne() {
    ProgressBar progress = bar(100, false).barWidth(4).build();
    now.addAndGet(SECOND);
    progress.update(3, 0.25, 1.5, 1.2345);
    progress.update(3, Double.NaN, Double.NaN, Double.NaN);
    progress.finish();

    assertEquals("[----]   3/100   3%  done in 0:01  acc 25.00%  loss 1.500  \u03b5=1.23\n", written());
  }

  @Test
  void update_withoutEpsilon_noEpsilonOnTheLine() {
    ProgressBar progress = bar(10, false).build();
    progress.update(1, 0.5, 0.5);
    progress.update(2, 0.5, 0.5, Double.NaN);
    assertFalse(progress.line(now.get(), false).contains("\u03b5"), progress.line(now.get(), false));
    progress.update(3, Double.NaN, Double.NaN, 0.5);
    assertTrue(progress.line(now.get(), false).endsWith("loss 0.5000  \u03b5=0.50"), progress.line(now.get(), false));
  }

  @Test
  void update_interactive_redrawsInPlaceUntilFinish() {
    ProgressBar progress = bar(3, true).build();
    for (int round = 1; round <= 3; round++) {
      now.addAndGet(SECOND);
      progress.update(round, 0.5, 1.0);
    }
    assertFalse(written().contains("\n"), "no newline before finish");
    assertEquals(3, written().chars().filter(c -> c == '\r').count());

    progress.finish();
    assertTrue(written().endsWith("\n"));
    String lastDraw = written().substring(written().lastIndexOf('\r') + 1);
    assertTrue(lastDraw.contains("3/3 100%  done in 0:03"), lastDraw);
  }

  @Test
  void update_interactiveFastRounds_redrawsAtMostEveryInterval() {
    ProgressBar progress = bar(1000, true).build();
    for (int round = 1; round <= 1000; round++) {
      now.addAndGet(SECOND / 1000); // 1 ms per round: 1 s in all
      progress.update(round, Double.NaN, Double.NaN);
    }
    long redraws = written().chars().filter(c -> c == '\r').count();
    // One every 100 ms plus the first and the last round.
    assertTrue(redraws >= 10 && redraws <= 12, "redraws " + redraws);
    assertTrue(written().endsWith(progress.line(now.get(), false)), "last round always drawn");
  }

  @Test
  void update_interactiveShorterLine_blanksTheRest() {
    ProgressBar progress = bar(100, true).build();
    progress.update(1, Double.NaN, 123456.7);
    int longer = written().length() - 1;
    now.addAndGet(SECOND);
    progress.update(2, Double.NaN, 0.5);
    String second = written().substring(longer + 1);
    assertEquals(longer, second.length() - 1, "second draw as long as the first, padded with blanks");
    assertTrue(second.endsWith("loss 0.5000   "), "[" + second + "]");
  }

  @Test
  void update_afterFinish_ignored() {
    ProgressBar progress = bar(10, false).build();
    progress.update(10, 0.9, 0.1);
    progress.finish();
    String before = written();
    progress.update(10, 0.1, 9.0);
    progress.finish();
    assertEquals(before, written());
  }

  @Test
  void update_concurrentCallers_linesStayWhole() throws InterruptedException {
    ProgressBar progress = bar(400, false).plainEveryPercent(1).build();
    AtomicLong nextRound = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 100; i++) {
                  int round = (int) nextRound.incrementAndGet();
                  now.addAndGet(SECOND);
                  progress.update(round, 0.5, 0.5);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    progress.finish();

    Pattern whole =
        Pattern.compile(
            "\\[[#-]{30}] +\\d+/400 +\\d+%  elapsed \\d+:\\d\\d(:\\d\\d)?  ETA \\S+  acc 50\\.00%  loss 0\\.5000"
                + "|done in \\S+");
    List<String> lines = written().lines().toList();
    assertTrue(lines.size() >= 2);
    for (String line : lines) {
      assertTrue(whole.matcher(line).matches(), "[" + line + "]");
    }
    assertTrue(lines.get(lines.size() - 1).startsWith("done in"), written());
  }

  @Test
  void builder_invalidValues_throw() {
    assertThrows(IllegalArgumentException.class, () -> ProgressBar.builder(0));
    ProgressBar.Builder builder = ProgressBar.builder(10);
    assertThrows(IllegalArgumentException.class, () -> builder.plainEveryPercent(0));
    assertThrows(IllegalArgumentException.class, () -> builder.plainEveryPercent(101));
    assertThrows(IllegalArgumentException.class, () -> builder.barWidth(0));
    assertThrows(IllegalArgumentException.class, () -> builder.averageWindow(0));
    assertThrows(IllegalArgumentException.class, () -> builder.label("a\rb"));
    ProgressBar progress = builder.output(output).build();
    assertThrows(IllegalArgumentException.class, () -> progress.update(11, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> progress.update(-1, 0, 0));
  }

  @Test
  void interactive_explicitFlag_overridesConsoleDetection() {
    assertTrue(bar(5, true).build().interactive());
    assertFalse(bar(5, false).build().interactive());
  }
}
