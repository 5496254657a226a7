package io.tributary.simulations.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.simulations.report.MetricsWriter;
import io.tributary.simulations.report.RoundRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

  /** Runs "a" and "c" without differential privacy, "dp" with ε = 0.5 per round. */
  private static void writeRuns(Path dir, String... runs) throws Exception {
    try (MetricsWriter w = MetricsWriter.create(dir)) {
      for (String run : runs) {
        for (int r = 1; r <= 5; r++) {
          RoundRecord record = new RoundRecord(run, r, 10, 10, 1.0 / r, 1.0 / r, 0.15 * r, 1, 1, 0.1);
          w.append(run.equals("dp") ? record.withEpsilon(0.5 * r) : record);
        }
      }
    }
  }

  /** Runs the command with stderr captured; returns the exit code and what it printed there. */
  private static String runCapturingStderr(int[] exit, String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      exit[0] = PlotCommand.run(args);
    } finally {
      System.setErr(saved);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void plot_xEpsilon_writesPngOfDpRuns_warnsAboutRunsWithoutEpsilon(@TempDir Path dir) throws Exception {
    writeRuns(dir, "a", "dp");
    Path png = dir.resolve("eps.png");
    int[] exit = new int[1];

    String err = runCapturingStderr(exit, dir.toString(), "--x", "epsilon", "--out", png.toString(),
        "--width", "400", "--height", "300");

    assertEquals(0, exit[0], err);
    assertTrue(err.contains("skipping") && err.contains("[a]"), err);
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 1000, "size " + bytes.length);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(400, image.getWidth());
    assertEquals(300, image.getHeight());

    // The same runs per round draw a different picture (the x axis and run "a" differ).
    Path rounds = dir.resolve("rounds.png");
    assertEquals(0, PlotCommand.run(dir.toString(), "--x", "round", "--out", rounds.toString(),
        "--width", "400", "--height", "300"));
    assertFalse(Arrays.equals(bytes, Files.readAllBytes(rounds)));
  }

  @Test
  void plot_xEpsilon_noRunWithEpsilon_exits2WithoutWriting(@TempDir Path dir) throws Exception {
    writeRuns(dir, "a", "dp", "c");
    Path png = dir.resolve("none.png");
    int[] exit = new int[1];

    String err = runCapturingStderr(exit, dir.toString(), "--runs", "a,c", "--x", "epsilon", "--out",
        png.toString());

    assertEquals(2, exit[0]);
    assertTrue(err.contains("no chosen run") && err.contains("epsilon"), err);
    assertFalse(Files.exists(png));
    assertEquals(2, PlotCommand.run(dir.toString(), "--x", "sideways", "--out", png.toString()),
        "an unknown axis is a usage error");
  }

  @Test
  void help_describesTheXOption() {
    int[] exit = new int[1];
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      exit[0] = PlotCommand.run("--help");
    } finally {
      System.setOut(saved);
    }
    // Picocli wraps long descriptions; compare with the line breaks folded.
    String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    assertEquals(0, exit[0]);
    assertTrue(help.contains("--x=round|epsilon") && help.contains("skipped with a warning) (default: round)"), help);
  }
}
