package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {
  private static final Color FIRST = LinePlot.color(0);
  private static final Color SECOND = LinePlot.color(1);

  @Test
  void writePng_anyPlot_decodesWithRequestedSize(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("nested/plot.png");
    LinePlot.builder()
        .title("t")
        .size(640, 400)
        .series("a", new double[] {1, 2, 3}, new double[] {0.1, 0.5, 0.4})
        .build()
        .writePng(file);

    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(
        new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4), "PNG signature");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
    assertNotNull(image);
    assertEquals(640, image.getWidth());
    assertEquals(400, image.getHeight());
  }

  @Test
  void render_seriesAtOppositeCornersOfRange_colourTheMatchingQuadrants() {
    LinePlot plot =
        LinePlot.builder()
            .series("high", new double[] {8, 9, 10}, new double[] {0.9, 0.95, 1.0})
            .series("low", new double[] {0, 1, 2}, new double[] {0.0, 0.05, 0.1})
            .build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    assertTrue(PlotPixels.count(image, PlotPixels.upperRight(area), FIRST) > 20);
    assertEquals(0, PlotPixels.count(image, PlotPixels.lowerLeft(area), FIRST));
    assertTrue(PlotPixels.count(image, PlotPixels.lowerLeft(area), SECOND) > 20);
    assertEquals(0, PlotPixels.count(image, PlotPixels.upperRight(area), SECOND));
    // The top-right data point sits in the plot's top-right corner, not somewhere in the middle.
    Rectangle high = PlotPixels.bounds(image, area, FIRST);
    assertTrue(area.x + area.width - (high.x + high.width) < 8, "right edge " + high);
    assertTrue(high.y - area.y < 8, "top edge " + high);
  }

  @Test
  void render_allNaNOrEmptySeries_drawsNothingInPlotArea() {
    LinePlot plot =
        LinePlot.builder()
            .series("nan", new double[] {1, 2, 3}, new double[] {Double.NaN, Double.NaN, Double.NaN})
            .series("empty", new double[0], new double[0])
            .build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    assertEquals(0, PlotPixels.count(image, area, FIRST));
    assertEquals(0, PlotPixels.count(image, area, SECOND));
  }

  @Test
  void render_nanInTheMiddle_joinsTheNeighbours() {
    double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double[] y = {0, 1, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 1, 0};
    LinePlot plot = LinePlot.builder().series("sparse", x, y).build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    // Round 5 has no value, but the line from round 2 to round 8 crosses its column.
    int middle = area.x + area.width / 2;
    assertTrue(PlotPixels.count(image, new Rectangle(middle - 1, area.y, 3, area.height), FIRST) > 0);
  }

  @Test
  void render_singlePoint_drawsADotAtTheCentre() {
    LinePlot plot = LinePlot.builder().series("one", new double[] {5}, new double[] {2.0}).build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    Rectangle dot = PlotPixels.bounds(image, area, FIRST);
    assertNotNull(dot, "a lone point must be visible");
    assertTrue(dot.width <= 12 && dot.height <= 12, "a dot, not a line: " + dot);
    assertEquals(area.getCenterX(), dot.getCenterX(), 3.0);
    assertEquals(area.getCenterY(), dot.getCenterY(), 3.0);
  }

  @Test
  void render_constantSeries_horizontalLineAcrossTheMiddle() {
    double[] x = new double[100];
    double[] y = new double[100];
    for (int i = 0; i < 100; i++) {
      x[i] = i + 1;
      y[i] = 3.0;
    }
    LinePlot plot = LinePlot.builder().series("flat", x, y).build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    Rectangle line = PlotPixels.bounds(image, area, FIRST);
    assertTrue(line.height <= 6, "flat: " + line);
    assertEquals(area.getCenterY(), line.getCenterY(), 3.0);
    assertTrue(line.width >= area.width * 0.9, "spans the rounds: " + line);
  }

  @Test
  void render_fiftyThousandRounds_keepsASingleRoundSpike() {
    int rounds = 50_000;
    double[] x = new double[rounds];
    double[] y = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      x[i] = i + 1;
    }
    y[rounds / 2] = 1.0;
    LinePlot plot = LinePlot.builder().series("spike", x, y).build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    Rectangle top = new Rectangle(area.x, area.y, area.width, area.height / 10);
    Rectangle spike = PlotPixels.bounds(image, top, FIRST);
    assertNotNull(spike, "a stride-sampling downsampler would drop the one round at 1.0");
    assertEquals(area.getCenterX(), spike.getCenterX(), 4.0);
    // The zero rounds run along the x axis, half a line width either side of the plot's bottom edge.
    int bottomTop = area.y + area.height * 9 / 10;
    Rectangle bottom = new Rectangle(area.x, bottomTop, area.width, area.y + area.height + 3 - bottomTop);
    Rectangle base = PlotPixels.bounds(image, bottom, FIRST);
    assertTrue(base.width >= area.width * 0.95, base + " in " + area);
  }

  @Test
  void polyline_farMorePointsThanColumns_keepsExtremesWithFewVertices() {
    int count = 100_000;
    double[] xs = new double[count];
    double[] ys = new double[count];
    for (int i = 0; i < count; i++) {
      xs[i] = i / 1000.0; // 100 pixel columns
      ys[i] = 50 + 40 * Math.sin(i * 0.37);
    }
    ys[54_321] = -7; // extreme values a bucket must keep
    ys[77_777] = 123;

    Path2D path = LinePlot.polyline(xs, ys, count, 100);

    int vertices = 0;
    for (PathIterator it = path.getPathIterator(null); !it.isDone(); it.next()) {
      vertices++;
    }
    assertTrue(vertices <= 4 * 100 + 1, "vertices " + vertices);
    Rectangle2D bounds = path.getBounds2D();
    assertEquals(-7, bounds.getMinY(), 0.0);
    assertEquals(123, bounds.getMaxY(), 0.0);
    assertEquals(xs[count - 1], bounds.getMaxX(), 0.0);
  }

  @Test
  void polyline_fewPoints_keepsEveryPoint() {
    Path2D path = LinePlot.polyline(new double[] {0, 1, 2, 3}, new double[] {5, 1, 4, 2}, 4, 100);
    int vertices = 0;
    for (PathIterator it = path.getPathIterator(null); !it.isDone(); it.next()) {
      vertices++;
    }
    assertEquals(4, vertices);
  }

  @Test
  void render_yRangeBelowTheData_clipsTheSeries() {
    LinePlot plot =
        LinePlot.builder()
            .yRange(0, 1)
            .series("above", new double[] {1, 2, 3}, new double[] {5, 6, 7})
            .build();
    BufferedImage image = plot.render();

    assertEquals(0, PlotPixels.count(image, plot.plotArea(), FIRST));
  }

  @Test
  void render_withoutText_drawsSeriesAndNothingOutsideThePlot() {
    LinePlot plot =
        LinePlot.builder()
            .title("a title that would be drawn")
            .xLabel("round")
            .yLabel("loss")
            .series("a", new double[] {1, 2, 3}, new double[] {3, 1, 2})
            .withoutText()
            .build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    assertTrue(PlotPixels.count(image, area, FIRST) > 20);
    // Tick marks and the line's slack reach a few pixels past the plot; text would reach further.
    Rectangle surround = new Rectangle(area.x - 8, area.y - 8, area.width + 16, area.height + 16);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (!surround.contains(x, y)) {
          assertEquals(0xffffff, image.getRGB(x, y) & 0xffffff, "pixel at " + x + "," + y);
        }
      }
    }
  }

  @Test
  void render_withText_drawsTitleAboveAndLegendBelowThePlot() {
    assumeTrue(fontsAvailable(), "this JDK has no fonts");
    LinePlot plot =
        LinePlot.builder()
            .title("Accuracy")
            .series("run-a", new double[] {1, 2}, new double[] {0, 1})
            .build();
    BufferedImage image = plot.render();
    Rectangle area = plot.plotArea();

    Rectangle titleStrip = new Rectangle(0, 0, image.getWidth(), area.y - 2);
    assertTrue(countDark(image, titleStrip) > 20, "title glyphs");
    Rectangle legendStrip =
        new Rectangle(0, area.y + area.height + 1, image.getWidth(), image.getHeight() - area.y - area.height - 1);
    assertTrue(PlotPixels.count(image, legendStrip, FIRST) > 10, "legend swatch");
  }

  @Test
  void render_noSeries_rendersEmptyAxes() {
    LinePlot plot = LinePlot.builder().size(300, 200).build();
    BufferedImage image = plot.render();
    assertEquals(300, image.getWidth());
    Rectangle area = plot.plotArea();
    // The x axis is drawn along the bottom of the plot area.
    assertTrue(countDark(image, new Rectangle(area.x, area.y + area.height - 1, area.width, 2)) > area.width / 2);
  }

  @Test
  void seriesNames_inOrderAdded() {
    LinePlot plot =
        LinePlot.builder()
            .series("b", new double[0], new double[0])
            .series("a", new double[0], new double[0])
            .build();
    assertEquals(List.of("b", "a"), plot.seriesNames());
  }

  @Test
  void color_beyondPalette_cycles() {
    assertEquals(LinePlot.color(0), LinePlot.color(LinePlot.PALETTE.size()));
    assertEquals(LinePlot.PALETTE.size(), LinePlot.PALETTE.stream().distinct().count());
    assertThrows(IllegalArgumentException.class, () -> LinePlot.color(-1));
  }

  @Test
  void builder_invalidValues_throw() {
    LinePlot.Builder builder = LinePlot.builder();
    assertThrows(IllegalArgumentException.class, () -> builder.size(100, 400));
    assertThrows(IllegalArgumentException.class, () -> builder.size(400, 100));
    assertThrows(IllegalArgumentException.class, () -> builder.size(9000, 400));
    assertThrows(IllegalArgumentException.class, () -> builder.yRange(1, 1));
    assertThrows(IllegalArgumentException.class, () -> builder.yRange(0, Double.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> builder.series("a", new double[2], new double[3]));
    assertThrows(IllegalArgumentException.class, () -> builder.series(" ", new double[1], new double[1]));
    assertThrows(NullPointerException.class, () -> builder.title(null));
  }

  @Test
  void build_arraysChangedAfterwards_plotUnchanged() {
    double[] y = {0, 1};
    LinePlot plot = LinePlot.builder().series("a", new double[] {0, 1}, y).build();
    y[0] = Double.NaN;
    y[1] = Double.NaN;
    assertTrue(PlotPixels.count(plot.render(), plot.plotArea(), FIRST) > 20);
  }

  private static int countDark(BufferedImage image, Rectangle region) {
    int count = 0;
    for (int y = region.y; y < region.y + region.height; y++) {
      for (int x = region.x; x < region.x + region.width; x++) {
        int rgb = image.getRGB(x, y);
        if (((rgb >> 16) & 0xff) < 120 && ((rgb >> 8) & 0xff) < 120 && (rgb & 0xff) < 120) {
          count++;
        }
      }
    }
    return count;
  }

  private static boolean fontsAvailable() {
    try {
      return GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames().length > 0;
    } catch (RuntimeException | Error e) {
      return false;
    }
  }

  @Test
  void plotArea_insideTheImage() {
    LinePlot plot = LinePlot.builder().size(200, 150).title("x").xLabel("x").yLabel("y").build();
    Rectangle area = plot.plotArea();
    assertTrue(new Rectangle(0, 0, 200, 150).contains(area), area.toString());
    assertNull(PlotPixels.bounds(plot.render(), area, FIRST));
  }
}
