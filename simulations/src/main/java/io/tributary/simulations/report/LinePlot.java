package io.tributary.simulations.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with Java2D into a PNG: x against y for one or more named series, overlaid in
 * distinct colours, with a legend, nice-number ticks, grid, axis labels and a title.
 *
 * <pre>{@code
 * LinePlot.builder()
 *     .title("Test accuracy").xLabel("round").yLabel("accuracy (%)")
 *     .size(900, 500)
 *     .series("fedavg", rounds, accuracy)
 *     .build()
 *     .writePng(Path.of("accuracy.png"));
 * }</pre>
 *
 * <p>Edge cases: points whose x or y is {@code NaN} or infinite are skipped and their neighbours
 * joined, because a run that evaluates every k rounds has {@code NaN} in between and must still show
 * a line; a series with a single point is drawn as a dot; a constant series is centred; a series with
 * no finite point draws nothing and is marked "(no data)" in the legend; a plot with no data at all
 * shows empty axes. When a series has many more points than the plot has pixel columns, each column
 * keeps its first, lowest, highest and last point, which draws the same picture in time linear in
 * the points and never hides a spike.
 *
 * <p>Text needs fonts: where the JDK finds none (no fontconfig or font files, as on slim container
 * images; Debian needs {@code fontconfig} and {@code fonts-dejavu-core}) the chart is drawn without
 * title, labels, ticks' numbers or legend rather than failing, and a warning is logged once.
 *
 * <p>Rendering uses an off-screen image, never a display; this class sets {@code
 * java.awt.headless=true} when it is not set already. Instances are immutable (arrays are copied)
 * and thread-safe; each render draws into its own image.
 */
public final class LinePlot {
  /**
   * Series colours, in order: the Tableau 10 palette without its grey, which would read as the grid.
   * Series beyond the palette reuse the colours with dashed, then dotted lines.
   */
  public static final List<Color> PALETTE =
      List.of(
          new Color(0x1f77b4),
          new Color(0xff7f0e),
          new Color(0x2ca02c),
          new Color(0xd62728),
          new Color(0x9467bd),
          new Color(0x8c564b),
          new Color(0xe377c2),
          new Color(0x17becf),
          new Color(0xbcbd22));

  /** How a series' line is stroked. */
  public enum LineStyle {
    SOLID,
    DASHED,
    DOTTED
  }

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final Color GRID = new Color(0xe6e6e6);
  private static final Color AXIS = new Color(0x333333);
  private static final Color TEXT = new Color(0x222222);
  private static final int MIN_WIDTH = 160;
  private static final int MIN_HEIGHT = 120;
  private static final int MAX_SIDE = 8192;
  private static final int TICK_LENGTH = 5;
  private static final int SWATCH_LENGTH = 28;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final int width;
  private final int height;
  private final List<Series> series;
  private final double yMin;
  private final double yMax;
  private final boolean drawText;

  private LinePlot(Builder builder) {
    this.title = builder.title;
    this.xLabel = builder.xLabel;
    this.yLabel = builder.yLabel;
    this.width = builder.width;
    this.height = builder.height;
    this.series = List.copyOf(builder.series);
    this.yMin = builder.yMin;
    this.yMax = builder.yMax;
    this.drawText = builder.drawText;
  }

  /** A builder for an 800 × 480 plot with no title, labels or series. */
  public static Builder builder() {
    return new Builder();
  }

  /** The colour given to the {@code index}-th series when none is named: the palette, cycled. */
  public static Color color(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    return PALETTE.get(index % PALETTE.size());
  }

  /** The title; empty when none. */
  public String title() {
    return title;
  }

  /** Image width in pixels. */
  public int width() {
    return width;
  }

  /** Image height in pixels. */
  public int height() {
    return height;
  }

  /** The series names, in legend order. */
  public List<String> seriesNames() {
    List<String> names = new ArrayList<>(series.size());
    for (Series s : series) {
      names.add(s.name());
    }
    return List.copyOf(names);
  }

  /** Draws the chart into a new opaque image of {@link #width()} × {@link #height()} pixels. */
  public BufferedImage render() {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      configure(g);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      Layout layout = layout(g);
      drawGridAndAxes(g, layout);
      drawSeries(g, layout);
      if (layout.text != null) {
        try {
          drawText(g, layout);
        } catch (RuntimeException | Error e) {
          fontsFailed(e);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The chart encoded as PNG. */
  public byte[] toPng() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      ImageIO.write(render(), "png", out);
    } catch (IOException e) {
      // ImageIO's PNG writer into memory only fails if the JDK lacks a PNG writer.
      throw new IllegalStateException("no PNG writer available", e);
    }
    return out.toByteArray();
  }

  /**
   * Writes the chart as a PNG file, creating parent directories, replacing an existing file.
   *
   * @throws IOException if the file cannot be written
   */
  public void writePng(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, toPng());
  }

  /** Where the data is drawn, in image pixels; for tests that look at pixels. */
  Rectangle plotArea() {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      configure(g);
      return layout(g).plot;
    } finally {
      g.dispose();
    }
  }

  private static void configure(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }

  // ---------------------------------------------------------------------------------------------
  // Layout

  /** Fonts and metrics, or absent when the JDK cannot render text. */
  private record Text(Font plain, Font bold, FontMetrics metrics, FontMetrics boldMetrics) {
    int lineHeight() {
      return metrics.getAscent() + metrics.getDescent();
    }

    int width(String text) {
      return metrics.stringWidth(text);
    }
  }

  /** Set once text rendering has failed, so later plots skip text without trying again. */
  private static volatile boolean fontsBroken;

  /**
   * The fonts for a plot, or null when this JDK cannot render text. Font loading fails with errors,
   * not exceptions (InternalError, UnsatisfiedLinkError, NoClassDefFoundError from the font
   * manager), hence the broad catch.
   */
  private static Text loadText(Graphics2D g, int size) {
    if (fontsBroken) {
      return null;
    }
    try {
      Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, size);
      Font bold = plain.deriveFont(Font.BOLD, size + 2f);
      FontMetrics metrics = g.getFontMetrics(plain);
      FontMetrics boldMetrics = g.getFontMetrics(bold);
      // Metrics can come from a font file whose glyphs still fail to rasterise: draw once to know.
      BufferedImage probe = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
      Graphics2D probeGraphics = probe.createGraphics();
      try {
        probeGraphics.setFont(bold);
        probeGraphics.drawString("0.9 Ag", 0, 6);
      } finally {
        probeGraphics.dispose();
      }
      if (metrics.stringWidth("0") <= 0 || metrics.getAscent() <= 0) {
        throw new IllegalStateException("font has no glyph metrics");
      }
      return new Text(plain, bold, metrics, boldMetrics);
    } catch (RuntimeException | Error e) {
      fontsFailed(e);
      return null;
    }
  }

  private static void fontsFailed(Throwable failure) {
    if (failure instanceof VirtualMachineError error) {
      throw error;
    }
    if (!fontsBroken) {
      fontsBroken = true;
      System.getLogger(LinePlot.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "Plots are drawn without text: the JDK cannot render fonts ("
                  + failure
                  + "). On Debian/Ubuntu install fontconfig and fonts-dejavu-core.");
    }
  }

  private static final class Layout {
    Text text;
    Rectangle plot;
    AxisScale xScale;
    AxisScale yScale;
    boolean hasData;
    int legendRows;
    int legendGridRows;
    int[] legendColumnWidths = new int[0];
    int legendShown;
    int legendLeft;
    int legendGap;
    int legendTop;
    int legendRowHeight;

    double screenX(double x) {
      return plot.x + (x - xScale.min()) / (xScale.max() - xScale.min()) * plot.width;
    }

    double screenY(double y) {
      return plot.y + plot.height - (y - yScale.min()) / (yScale.max() - yScale.min()) * plot.height;
    }
  }

  private Layout layout(Graphics2D g) {
    Layout layout = new Layout();
    layout.text = drawText ? loadText(g, fontSize()) : null;
    Text text = layout.text;
    int pad = Math.max(8, fontSize() * 3 / 4);

    double[] bounds = dataBounds();
    layout.hasData = bounds != null;
    double dataXMin = layout.hasData ? bounds[0] : 0;
    double dataXMax = layout.hasData ? bounds[1] : 1;
    double dataYMin = layout.hasData ? bounds[2] : 0;
    double dataYMax = layout.hasData ? bounds[3] : 1;

    int top = pad;
    int bottom = pad;
    int left = pad;
    int right = pad;
    if (text != null) {
      int line = text.lineHeight();
      if (!title.isEmpty()) {
        top += text.boldMetrics().getAscent() + text.boldMetrics().getDescent() + pad;
      } else {
        top += line / 2;
      }
      bottom += TICK_LENGTH + 3 + line;
      if (!xLabel.isEmpty()) {
        bottom += line + 4;
      }
      layoutLegend(layout, text, pad);
      if (layout.legendRows > 0) {
        bottom += pad + layout.legendRows * layout.legendRowHeight;
      }
      layout.legendTop = height - pad - layout.legendRows * layout.legendRowHeight;
      right += text.width("0000") / 2;
    }
    int plotHeight = Math.max(10, height - top - bottom);
    int yTicks = text == null ? 5 : Math.max(2, Math.min(11, plotHeight / (text.lineHeight() * 3)));
    layout.yScale =
        Double.isNaN(yMin)
            ? AxisScale.covering(dataYMin, dataYMax, yTicks, false)
            : AxisScale.fixed(yMin, yMax, yTicks, false);
    if (text != null) {
      int widest = 0;
      for (double tick : layout.yScale.ticks()) {
        widest = Math.max(widest, text.width(layout.yScale.format(tick)));
      }
      left += widest + TICK_LENGTH + 4;
      if (!yLabel.isEmpty()) {
        left += text.lineHeight() + 6;
      }
    }
    int plotWidth = Math.max(10, width - left - right);
    boolean integerX = layout.hasData && allIntegerX();
    int xTicks = Math.max(2, Math.min(11, plotWidth / Math.max(60, fontSize() * 6)));
    layout.xScale = AxisScale.covering(dataXMin, dataXMax, xTicks, integerX);
    layout.plot = new Rectangle(left, top, plotWidth, plotHeight);
    return layout;
  }

  /**
   * Arranges the legend as a grid filled column by column, with as few rows as fit the image width,
   * so a run's train and test entries stack in one column; its height is capped at a third of the
   * image, so many series never squash the plot away.
   */
  private void layoutLegend(Layout layout, Text text, int pad) {
    int count = series.size();
    if (count == 0) {
      return;
    }
    int available = width - 2 * pad;
    int gap = text.width("M") * 2;
    int[] entryWidths = new int[count];
    for (int i = 0; i < count; i++) {
      entryWidths[i] = SWATCH_LENGTH + 6 + text.width(legendLabel(series.get(i)));
    }
    layout.legendRowHeight = text.lineHeight() + 4;
    int maxRows = Math.max(1, (height / 3) / layout.legendRowHeight);
    for (int rows = 1; rows <= count; rows++) {
      int columns = (count + rows - 1) / rows;
      int[] columnWidths = new int[columns];
      for (int i = 0; i < count; i++) {
        columnWidths[i / rows] = Math.max(columnWidths[i / rows], entryWidths[i]);
      }
      int total = gap * (columns - 1);
      for (int columnWidth : columnWidths) {
        total += columnWidth;
      }
      // One column always "fits": names wider than the image are simply cut at its edge.
      if (total <= available || columns == 1) {
        layout.legendRows = Math.min(rows, maxRows);
        layout.legendColumnWidths = columnWidths;
        layout.legendShown = Math.min(count, layout.legendRows * columns);
        layout.legendLeft = Math.max(pad, (width - total) / 2);
        layout.legendGap = gap;
        // Rows cut by the cap hide entries; the last visible entry says how many.
        if (rows > maxRows) {
          layout.legendShown = 0;
          for (int i = 0; i < count; i++) {
            if (i % rows < maxRows) {
              layout.legendShown++;
            }
          }
        }
        layout.legendGridRows = rows;
        return;
      }
    }
  }

  private int fontSize() {
    return Math.max(10, Math.min(18, Math.min(width, height) / 38));
  }

  /** {xMin, xMax, yMin, yMax} over finite points of all series, or null when there are none. */
  private double[] dataBounds() {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yLow = Double.POSITIVE_INFINITY;
    double yHigh = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        double x = s.x()[i];
        double y = s.y()[i];
        if (Double.isFinite(x) && Double.isFinite(y)) {
          any = true;
          xMin = Math.min(xMin, x);
          xMax = Math.max(xMax, x);
          yLow = Math.min(yLow, y);
          yHigh = Math.max(yHigh, y);
        }
      }
    }
    return any ? new double[] {xMin, xMax, yLow, yHigh} : null;
  }

  private boolean allIntegerX() {
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        double x = s.x()[i];
        if (Double.isFinite(x) && Double.isFinite(s.y()[i]) && x != Math.rint(x)) {
          return false;
        }
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Drawing

  private void drawGridAndAxes(Graphics2D g, Layout layout) {
    Rectangle plot = layout.plot;
    g.setStroke(new BasicStroke(1f));
    g.setColor(GRID);
    for (double tick : layout.yScale.ticks()) {
      double y = crisp(layout.screenY(tick));
      g.draw(new Line2D.Double(plot.x, y, plot.x + plot.width, y));
    }
    for (double tick : layout.xScale.ticks()) {
      double x = crisp(layout.screenX(tick));
      g.draw(new Line2D.Double(x, plot.y, x, plot.y + plot.height));
    }
    g.setColor(AXIS);
    double left = crisp(plot.x);
    double bottom = crisp(plot.y + plot.height);
    g.draw(new Line2D.Double(left, plot.y, left, bottom));
    g.draw(new Line2D.Double(left, bottom, plot.x + plot.width, bottom));
    for (double tick : layout.yScale.ticks()) {
      double y = crisp(layout.screenY(tick));
      g.draw(new Line2D.Double(left - TICK_LENGTH, y, left, y));
    }
    for (double tick : layout.xScale.ticks()) {
      double x = crisp(layout.screenX(tick));
      g.draw(new Line2D.Double(x, bottom, x, bottom + TICK_LENGTH));
    }
  }

  /**
   * The centre of the pixel holding {@code coordinate}: a one-pixel anti-aliased line there covers
   * one pixel row fully instead of two by halves, so axes and grid stay sharp.
   */
  private static double crisp(double coordinate) {
    return Math.floor(coordinate) + 0.5;
  }

  private void drawSeries(Graphics2D g, Layout layout) {
    Shape oldClip = g.getClip();
    Rectangle plot = layout.plot;
    // A little slack so a line on the range's edge is not cut in half.
    g.clip(new Rectangle(plot.x - 3, plot.y - 3, plot.width + 7, plot.height + 7));
    float lineWidth = Math.max(1.5f, fontSize() / 7f);
    for (Series s : series) {
      int n = s.x().length;
      double[] xs = new double[n];
      double[] ys = new double[n];
      int valid = 0;
      for (int i = 0; i < n; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          xs[valid] = layout.screenX(s.x()[i]);
          ys[valid] = layout.screenY(s.y()[i]);
          valid++;
        }
      }
      if (valid == 0) {
        continue;
      }
      g.setColor(s.color());
      if (valid > 1) {
        g.setStroke(stroke(s.style(), lineWidth));
        g.draw(polyline(xs, ys, valid, plot.width));
      }
      // Dots where points are few and far apart, and always for a lone point, which has no line.
      if (valid == 1 || plot.width / (double) valid >= 12) {
        double radius = lineWidth * 1.6;
        for (int i = 0; i < valid; i++) {
          g.fill(new Ellipse2D.Double(xs[i] - radius, ys[i] - radius, 2 * radius, 2 * radius));
        }
      }
    }
    g.setClip(oldClip);
  }

  /**
   * The points joined in order; beyond a few points per pixel column, only each column's first,
   * lowest, highest and last point are kept (in their original order), which draws the same pixels.
   */
  static Path2D polyline(double[] xs, double[] ys, int count, int plotWidth) {
    Path2D.Double path = new Path2D.Double(Path2D.WIND_NON_ZERO, Math.min(count, 4 * plotWidth + 8));
    path.moveTo(xs[0], ys[0]);
    if (count <= 4 * plotWidth) {
      for (int i = 1; i < count; i++) {
        path.lineTo(xs[i], ys[i]);
      }
      return path;
    }
    long column = (long) Math.floor(xs[0]);
    int first = 0;
    int low = 0;
    int high = 0;
    int last = 0;
    for (int i = 1; i < count; i++) {
      long c = (long) Math.floor(xs[i]);
      if (c != column) {
        emitColumn(path, xs, ys, first, low, high, last);
        column = c;
        first = i;
        low = i;
        high = i;
      } else if (ys[i] > ys[low]) {
        low = i;
      } else if (ys[i] < ys[high]) {
        high = i;
      }
      last = i;
    }
    emitColumn(path, xs, ys, first, low, high, last);
    return path;
  }

  private static void emitColumn(
      Path2D path, double[] xs, double[] ys, int first, int low, int high, int last) {
    int[] order = {first, low, high, last};
    Arrays.sort(order);
    int previous = -1;
    for (int index : order) {
      if (index != previous && index != 0) {
        path.lineTo(xs[index], ys[index]);
      }
      previous = index;
    }
  }

  private static BasicStroke stroke(LineStyle style, float lineWidth) {
    return switch (style) {
      case SOLID -> new BasicStroke(lineWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
      case DASHED ->
          new BasicStroke(
              lineWidth,
              BasicStroke.CAP_BUTT,
              BasicStroke.JOIN_ROUND,
              10f,
              new float[] {lineWidth * 5, lineWidth * 3},
              0f);
      case DOTTED ->
          new BasicStroke(
              lineWidth,
              BasicStroke.CAP_ROUND,
              BasicStroke.JOIN_ROUND,
              10f,
              new float[] {0.1f, lineWidth * 2.5f},
              0f);
    };
  }

  private void drawText(Graphics2D g, Layout layout) {
    Text text = layout.text;
    Rectangle plot = layout.plot;
    FontMetrics metrics = text.metrics();
    g.setFont(text.plain());
    g.setColor(TEXT);
    int bottom = plot.y + plot.height;
    for (double tick : layout.yScale.ticks()) {
      String label = layout.yScale.format(tick);
      int y = (int) Math.round(layout.screenY(tick)) + (metrics.getAscent() - metrics.getDescent()) / 2;
      g.drawString(label, plot.x - TICK_LENGTH - 4 - text.width(label), y);
    }
    int tickLabelBaseline = bottom + TICK_LENGTH + 3 + metrics.getAscent();
    for (double tick : layout.xScale.ticks()) {
      String label = layout.xScale.format(tick);
      int x = (int) Math.round(layout.screenX(tick)) - text.width(label) / 2;
      g.drawString(label, x, tickLabelBaseline);
    }
    if (!xLabel.isEmpty()) {
      int baseline = tickLabelBaseline + metrics.getDescent() + 4 + metrics.getAscent();
      g.drawString(xLabel, plot.x + (plot.width - text.width(xLabel)) / 2, baseline);
    }
    if (!yLabel.isEmpty()) {
      AffineTransform saved = g.getTransform();
      int pad = Math.max(8, fontSize() * 3 / 4);
      g.translate(pad + metrics.getAscent(), plot.y + (plot.height + text.width(yLabel)) / 2.0);
      g.rotate(-Math.PI / 2);
      g.drawString(yLabel, 0, 0);
      g.setTransform(saved);
    }
    if (!title.isEmpty()) {
      g.setFont(text.bold());
      FontMetrics bold = text.boldMetrics();
      int pad = Math.max(8, fontSize() * 3 / 4);
      g.drawString(title, (width - bold.stringWidth(title)) / 2, pad + bold.getAscent());
      g.setFont(text.plain());
    }
    if (!layout.hasData) {
      String message = "no data";
      g.setColor(Color.GRAY);
      g.drawString(
          message,
          plot.x + (plot.width - text.width(message)) / 2,
          plot.y + plot.height / 2 + metrics.getAscent() / 2);
    }
    drawLegend(g, layout);
  }

  private void drawLegend(Graphics2D g, Layout layout) {
    Text text = layout.text;
    FontMetrics metrics = text.metrics();
    float lineWidth = Math.max(1.5f, fontSize() / 7f);
    int rows = layout.legendGridRows;
    int hidden = series.size() - layout.legendShown;
    int drawn = 0;
    for (int i = 0; i < series.size(); i++) {
      int row = i % Math.max(1, rows);
      if (row >= layout.legendRows) {
        continue;
      }
      int column = i / Math.max(1, rows);
      int x = layout.legendLeft;
      for (int c = 0; c < column; c++) {
        x += layout.legendColumnWidths[c] + layout.legendGap;
      }
      int rowTop = layout.legendTop + row * layout.legendRowHeight;
      int baseline = rowTop + 2 + metrics.getAscent();
      double lineY = baseline - (metrics.getAscent() - metrics.getDescent()) / 2.0;
      Series s = series.get(i);
      g.setColor(s.color());
      g.setStroke(stroke(s.style(), lineWidth));
      g.draw(new Line2D.Double(x, lineY, x + SWATCH_LENGTH, lineY));
      g.setColor(TEXT);
      String label = legendLabel(s);
      drawn++;
      if (hidden > 0 && drawn == layout.legendShown) {
        label += "   (+" + hidden + " more)";
      }
      g.drawString(label, x + SWATCH_LENGTH + 6, baseline);
    }
  }

  private static String legendLabel(Series s) {
    for (int i = 0; i < s.x().length; i++) {
      if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
        return s.name();
      }
    }
    return s.name() + " (no data)";
  }

  // ---------------------------------------------------------------------------------------------
  // Value types

  /** One named line; arrays are owned (copied on the way in). */
  private record Series(String name, double[] x, double[] y, Color color, LineStyle style) {}

  /**
   * Collects a plot's settings, validating each as it is set. Not thread-safe; build once and share
   * the immutable {@link LinePlot}.
   */
  public static final class Builder {
    private String title = "";
    private String xLabel = "";
    private String yLabel = "";
    private int width = 800;
    private int height = 480;
    private final List<Series> series = new ArrayList<>();
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;
    private boolean drawText = true;

    private Builder() {}

    /** The title above the plot; empty for none. */
    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    /** The label under the x axis; empty for none. */
    public Builder xLabel(String xLabel) {
      this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
      return this;
    }

    /** The label beside the y axis; empty for none. */
    public Builder yLabel(String yLabel) {
      this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
      return this;
    }

    /**
     * Image size in pixels (default 800 × 480).
     *
     * @throws IllegalArgumentException unless {@code 160 <= width <= 8192} and {@code 120 <= height
     *     <= 8192}
     */
    public Builder size(int width, int height) {
      if (width < MIN_WIDTH || width > MAX_SIDE) {
        throw new IllegalArgumentException(
            "width must be in " + MIN_WIDTH + ".." + MAX_SIDE + ", got " + width);
      }
      if (height < MIN_HEIGHT || height > MAX_SIDE) {
        throw new IllegalArgumentException(
            "height must be in " + MIN_HEIGHT + ".." + MAX_SIDE + ", got " + height);
      }
      this.width = width;
      this.height = height;
      return this;
    }

    /**
     * Fixes the y axis to {@code [min, max]} instead of fitting it to the data; points outside are
     * clipped.
     *
     * @throws IllegalArgumentException unless both are finite and {@code min < max}
     */
    public Builder yRange(double min, double max) {
      if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
        throw new IllegalArgumentException(
            "yRange must be finite with min < max, got [" + min + ", " + max + "]");
      }
      this.yMin = min;
      this.yMax = max;
      return this;
    }

    /**
     * Adds a series in the next palette colour: solid for the first {@code PALETTE.size()} series,
     * then dashed, then dotted.
     *
     * @throws IllegalArgumentException if the arrays differ in length or the name is blank
     */
    public Builder series(String name, double[] x, double[] y) {
      int index = series.size();
      int cycle = index / PALETTE.size();
      LineStyle style = cycle == 0 ? LineStyle.SOLID : cycle == 1 ? LineStyle.DASHED : LineStyle.DOTTED;
      return series(name, x, y, color(index), style);
    }

    /**
     * Adds a series with its own colour and line style, e.g. one colour per run with train and test
     * loss told apart by style.
     *
     * @throws IllegalArgumentException if the arrays differ in length or the name is blank
     */
    public Builder series(String name, double[] x, double[] y, Color color, LineStyle style) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(x, "x");
      Objects.requireNonNull(y, "y");
      Objects.requireNonNull(color, "color");
      Objects.requireNonNull(style, "style");
      if (name.isBlank()) {
        throw new IllegalArgumentException("series name must not be blank");
      }
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series '" + name + "': x has " + x.length + " values but y has " + y.length);
      }
      series.add(new Series(name, x.clone(), y.clone(), color, style));
      return this;
    }

    /** Draws no text at all, as happens when fonts are missing; lets tests cover that path. */
    Builder withoutText() {
      this.drawText = false;
      return this;
    }

    /** The plot; it holds copies of everything given, so the builder may be reused. */
    public LinePlot build() {
      return new LinePlot(this);
    }
  }
}
