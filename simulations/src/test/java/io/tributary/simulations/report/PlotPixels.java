package io.tributary.simulations.report;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;

/** Pixel queries shared by the plot tests: where in an image a colour appears. */
final class PlotPixels {
  private PlotPixels() {}

  /**
   * Whether a pixel shows {@code color}, possibly blended with the white background by
   * anti-aliasing: it must lie near the segment from white to the colour, at least a third of the
   * way. Grey grid lines and black text lie off that segment (or too close to white) and do not count.
   */
  static boolean near(int rgb, Color color) {
    double[] pixel = {255 - ((rgb >> 16) & 0xff), 255 - ((rgb >> 8) & 0xff), 255 - (rgb & 0xff)};
    double[] target = {255 - color.getRed(), 255 - color.getGreen(), 255 - color.getBlue()};
    double dot = 0;
    double norm = 0;
    for (int i = 0; i < 3; i++) {
      dot += pixel[i] * target[i];
      norm += target[i] * target[i];
    }
    double alpha = dot / norm;
    if (alpha < 0.35 || alpha > 1.15) {
      return false;
    }
    double residual = 0;
    for (int i = 0; i < 3; i++) {
      residual += Math.abs(pixel[i] - alpha * target[i]);
    }
    return residual <= 30;
  }

  /** Pixels of {@code color} inside {@code region} (clipped to the image). */
  static int count(BufferedImage image, Rectangle region, Color color) {
    Rectangle area = region.intersection(new Rectangle(0, 0, image.getWidth(), image.getHeight()));
    int count = 0;
    for (int y = area.y; y < area.y + area.height; y++) {
      for (int x = area.x; x < area.x + area.width; x++) {
        if (near(image.getRGB(x, y), color)) {
          count++;
        }
      }
    }
    return count;
  }

  /** The smallest rectangle holding every pixel of {@code color} in {@code region}, or null. */
  static Rectangle bounds(BufferedImage image, Rectangle region, Color color) {
    Rectangle area = region.intersection(new Rectangle(0, 0, image.getWidth(), image.getHeight()));
    Rectangle bounds = null;
    for (int y = area.y; y < area.y + area.height; y++) {
      for (int x = area.x; x < area.x + area.width; x++) {
        if (near(image.getRGB(x, y), color)) {
          Rectangle pixel = new Rectangle(x, y, 1, 1);
          bounds = bounds == null ? pixel : bounds.union(pixel);
        }
      }
    }
    return bounds;
  }

  static Rectangle upperRight(Rectangle plot) {
    return new Rectangle(plot.x + plot.width / 2, plot.y, plot.width - plot.width / 2, plot.height / 2);
  }

  static Rectangle lowerLeft(Rectangle plot) {
    return new Rectangle(plot.x, plot.y + plot.height / 2, plot.width / 2, plot.height - plot.height / 2);
  }
}
