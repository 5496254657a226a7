package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiguresTest {
  /** Run {@code name} evaluated every other round, accuracy rising to {@code ceiling}. */
  private static List<RoundRecord> run(String name, int rounds, double ceiling, boolean evaluate) {
    List<RoundRecord> records = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      boolean evaluated = evaluate && round % 2 == 0;
      records.add(
          new RoundRecord(
              name,
              round,
              10,
              10,
              2.0 / round,
              evaluated ? 2.5 / round : Double.NaN,
              evaluated ? ceiling * round / rounds : Double.NaN,
              1,
              1,
              1));
    }
    return records;
  }

  @Test
  void accuracyPerRound_sweep_oneSeriesPerRunInFirstAppearanceOrder() {
    List<RoundRecord> records = new ArrayList<>(run("b", 20, 0.9, true));
    records.addAll(run("a", 20, 0.5, true));

    LinePlot plot = Figures.accuracyPerRound(records);

    assertEquals(List.of("b", "a"), plot.seriesNames());
    assertEquals(Figures.DEFAULT_WIDTH, plot.width());
  }

  @Test
  void accuracyPerRound_evaluatedEveryOtherRound_drawsEachRunInItsColour() {
    List<RoundRecord> records = new ArrayList<>(run("high", 40, 1.0, true));
    records.addAll(run("low", 40, 0.2, true));

    LinePlot plot = Figures.accuracyPerRound(records, 600, 400);
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    // "high" ends at 100 %, the top of the axis; "low" stays in the bottom fifth.
    Rectangle highLine = PlotPixels.bounds(image, area, LinePlot.color(0));
    Rectangle lowLine = PlotPixels.bounds(image, area, LinePlot.color(1));
    assertTrue(highLine.y - area.y < 8, highLine.toString());
    assertTrue(lowLine.y > area.y + area.height * 3 / 4, lowLine.toString());
    assertTrue(highLine.width > area.width * 0.9, "NaN rounds must not break the line");
  }

  /** {@code records} with ε growing by {@code perRound} each round. */
  private static List<RoundRecord> withEpsilon(List<RoundRecord> records, double perRound) {
    return records.stream().map(r -> r.withEpsilon(perRound * r.round())).toList();
  }

  @Test
  void accuracyPerEpsilon_dpRunsOnly_xIsTheEpsilonSpent() {
    List<RoundRecord> records = new ArrayList<>(run("plain", 40, 0.5, true));
    records.addAll(withEpsilon(run("frugal", 40, 0.5, true), 0.01));
    records.addAll(withEpsilon(run("lavish", 40, 0.5, true), 0.1));

    LinePlot plot = Figures.accuracyPerEpsilon(records, 600, 400, "acc vs eps");

    assertEquals(List.of("frugal", "lavish"), plot.seriesNames());
    assertTrue(Figures.anyEpsilon(records));
    assertFalse(Figures.anyEpsilon(run("plain", 4, 0.5, true)));
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();
    // Colours are those of the other figures: "plain" keeps slot 0 without a line.
    assertEquals(0, PlotPixels.count(image, area, LinePlot.color(0)));
    // Same accuracies per round, but "frugal" spends a tenth of the ε: a tenth of the x axis.
    Rectangle frugal = PlotPixels.bounds(image, area, LinePlot.color(1));
    Rectangle lavish = PlotPixels.bounds(image, area, LinePlot.color(2));
    assertTrue(frugal.width < area.width * 0.2, frugal + " in " + area);
    assertTrue(lavish.width > area.width * 0.8, lavish + " in " + area);
  }

  @Test
  void lossPerRound_sweep_trainAndTestPerRunAndNoTestLineWithoutEvaluation() {
    List<RoundRecord> records = new ArrayList<>(run("a", 10, 0.9, true));
    records.addAll(run("b", 10, 0.9, false));

    LinePlot plot = Figures.lossPerRound(records);

    assertEquals(List.of("a train", "a test", "b train"), plot.seriesNames());
    BufferedImage image = plot.render();
    assertTrue(PlotPixels.count(image, plot.plotArea(), LinePlot.color(1)) > 20, "run b's colour");
  }

  @Test
  void lossPerRound_singleRun_legendNamesTheLossesOnly() {
    assertEquals(List.of("train", "test"), Figures.lossPerRound(run("a", 10, 0.9, true)).seriesNames());
  }

  @Test
  void figures_noRecords_emptyPlotsThatStillRender() {
    LinePlot accuracy = Figures.accuracyPerRound(List.of());
    assertTrue(accuracy.seriesNames().isEmpty());
    assertEquals(Figures.DEFAULT_HEIGHT, accuracy.render().getHeight());
    assertTrue(Figures.lossPerRound(List.of()).seriesNames().isEmpty());
  }
}
