package io.tributary.simulations.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.simulations.report.MetricsWriter;
import io.tributary.simulations.report.RoundRecord;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotCommandTest {
  @Test
  void plot_chosenRuns_writesPng_unknownRunFails(@TempDir Path dir) throws Exception {
    try (MetricsWriter w = MetricsWriter.create(dir)) {
      for (String run : new String[] {"a", "b", "c"}) {
        for (int r = 1; r <= 5; r++) {
          w.append(new RoundRecord(run, r, 10, 10, 1.0 / r, 1.0 / r, 0.1 * r + (run.equals("b") ? 0.3 : 0), 1, 1, 0.1));
        }
      }
    }
    Path png = dir.resolve("ab.png");
    assertEquals(0, PlotCommand.run(dir.toString(), "--runs", "a,b", "--title", "two runs", "--out", png.toString(),
        "--width", "400", "--height", "300"));
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(400, image.getWidth());
    assertEquals(300, image.getHeight());
    Path missing = dir.resolve("none.png");
    assertEquals(2, PlotCommand.run(dir.resolve("metrics.csv").toString(), "--runs", "a,zzz", "--out",
        missing.toString()));
    assertFalse(Files.exists(missing));
    assertTrue(Files.size(png) > 1000);
  }
}
