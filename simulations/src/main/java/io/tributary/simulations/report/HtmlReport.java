package io.tributary.simulations.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A single self-contained HTML page about a simulation: title, a summary table per run, the standard
 * figures and any extra plots (PNG embedded as {@code data:} URIs), the resolved configuration, and
 * a collapsible per-round table per run. There are no scripts, external style sheets, fonts or
 * images, so the file can be mailed, archived or opened offline and shows the same everywhere.
 *
 * <pre>{@code
 * HtmlReport.builder()
 *     .title("FedAvg sweep")
 *     .config(resolvedYaml)
 *     .records(MetricsWriter.read(runDirectory))
 *     .targetAccuracy(0.97)
 *     .build()
 *     .write(runDirectory.resolve("report.html"));
 * }</pre>
 *
 * <p>Every piece of text that comes from outside (config, run names, titles) is HTML-escaped. The
 * markup is also well-formed XML (every element closed, only XML entities), so it can be checked or
 * post-processed with an XML parser.
 *
 * <p>Edge cases: with no records the page says so and has no standard figures; a run that never
 * evaluated shows dashes for accuracies; missing timings show a dash. The privacy ε spent appears
 * only when a run is differentially private: a summary column (the run's δ is in the configuration),
 * a per-round column for that run, and a standard figure of test accuracy against ε for those runs
 * alone. Immutable and thread-safe;
 * {@link #toHtml()} renders the plots each time it is called.
 */
public final class HtmlReport {
  private static final String STYLE =
      String.join(
          "\n",
          "body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #222;",
          "  max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }",
          "h1 { font-size: 1.6em; margin-bottom: 0.2em; }",
          "h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }",
          "table { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }",
          "th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }",
          "th { background: #f4f4f4; }",
          "td.name, th.name { text-align: left; }",
          "tbody tr:nth-child(even) { background: #fafafa; }",
          "figure { margin: 1em 0; }",
          "figure img { max-width: 100%; height: auto; border: 1px solid #eee; }",
          "figcaption { color: #555; font-size: 0.9em; }",
          "pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 0.8em; overflow-x: auto;",
          "  font-size: 0.85em; }",
          "details { margin: 0.5em 0; }",
          "summary { cursor: pointer; font-weight: 600; }",
          ".muted { color: #777; }");

  private final String title;
  private final String config;
  private final List<RoundRecord> records;
  private final double targetAccuracy;
  private final boolean standardFigures;
  private final List<Figure> extraFigures;

  private record Figure(String caption, LinePlot plot) {}

  private HtmlReport(Builder builder) {
    this.title = builder.title;
    this.config = builder.config;
    this.records = List.copyOf(builder.records);
    this.targetAccuracy = builder.targetAccuracy;
    this.standardFigures = builder.standardFigures;
    this.extraFigures = List.copyOf(builder.extraFigures);
  }

  /** A builder for a report titled "Simulation report", with the standard figures. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes the page as UTF-8, creating parent directories and replacing an existing file.
   *
   * @throws IOException if the file cannot be written
   */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toHtml(), StandardCharsets.UTF_8);
  }

  /** The complete page. */
  public String toHtml() {
    Map<String, List<RoundRecord>> runs = RoundRecord.groupByRun(records);
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    html.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    html.append("<title>").append(escape(title)).append("</title>\n");
    html.append("<style>\n").append(STYLE).append("\n</style>\n</head>\n<body>\n");
    html.append("<h1>").append(escape(title)).append("</h1>\n");
    html.append("<p class=\"muted\">")
        .append(runs.size())
        .append(runs.size() == 1 ? " run, " : " runs, ")
        .append(records.size())
        .append(records.size() == 1 ? " round recorded" : " rounds recorded")
        .append("</p>\n");

    appendSummary(html, runs);
    appendFigures(html);
    html.append("<h2>Configuration</h2>\n");
    if (config.isEmpty()) {
      html.append("<p class=\"muted\">No configuration was given.</p>\n");
    } else {
      html.append("<pre>").append(escape(config)).append("</pre>\n");
    }
    appendRoundTables(html, runs);
    html.append("</body>\n</html>\n");
    return html.toString();
  }

  private void appendSummary(StringBuilder html, Map<String, List<RoundRecord>> runs) {
    html.append("<h2>Summary</h2>\n");
    if (runs.isEmpty()) {
      html.append("<p class=\"muted\">No rounds were recorded.</p>\n");
      return;
    }
    boolean target = !Double.isNaN(targetAccuracy);
    boolean epsilon = Figures.anyEpsilon(records);
    html.append("<table class=\"summary\">\n<thead><tr><th class=\"name\">run</th><th>rounds</th>");
    html.append("<th>final accuracy</th><th>best accuracy (round)</th>");
    if (target) {
      html.append("<th>first round \u2265 ").append(percent(targetAccuracy)).append("</th>");
      html.append("<th>time to target</th>");
    }
    html.append("<th>final train loss</th><th>final test loss</th>");
    html.append("<th>bytes up</th><th>bytes down</th><th>total time</th>");
    if (epsilon) {
      html.append("<th>\u03b5 spent (\u03b4 in configuration)</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (Map.Entry<String, List<RoundRecord>> run : runs.entrySet()) {
      RunSummary summary = RunSummary.of(run.getKey(), run.getValue(), targetAccuracy);
      html.append("<tr><td class=\"name\">").append(escape(summary.run())).append("</td>");
      cell(html, Integer.toString(summary.rounds()));
      cell(html, percent(summary.finalAccuracy()));
      cell(
          html,
          summary.bestAccuracyRound().isPresent()
              ? percent(summary.bestAccuracy()) + " (" + summary.bestAccuracyRound().getAsInt() + ")"
              : "\u2014");
      if (target) {
        cell(
            html,
            summary.targetRound().isPresent()
                ? Integer.toString(summary.targetRound().getAsInt())
                : "not reached");
        cell(html, Durations.words(summary.secondsToTarget()));
      }
      cell(html, loss(summary.finalTrainLoss()));
      cell(html, loss(summary.finalTestLoss()));
      cell(html, bytes(summary.bytesUp()));
      cell(html, bytes(summary.bytesDown()));
      cell(html, Durations.words(summary.totalSeconds()));
      if (epsilon) {
        cell(html, epsilon(summary.finalEpsilon()));
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n");
  }

  private void appendFigures(StringBuilder html) {
    List<Figure> figures = new ArrayList<>();
    if (standardFigures && !records.isEmpty()) {
      figures.add(new Figure("Test accuracy per round", Figures.accuracyPerRound(records)));
      figures.add(
          new Figure(
              "Loss per round: training loss solid, test loss dashed", Figures.lossPerRound(records)));
      if (Figures.anyEpsilon(records)) {
        figures.add(
            new Figure(
                "Test accuracy vs \u03b5 spent, differentially private runs (\u03b4 in configuration)",
                Figures.accuracyPerEpsilon(records)));
      }
    }
    figures.addAll(extraFigures);
    if (figures.isEmpty()) {
      return;
    }
    html.append("<h2>Plots</h2>\n");
    Base64.Encoder base64 = Base64.getEncoder();
    for (Figure figure : figures) {
      LinePlot plot = figure.plot();
      html.append("<figure><img src=\"data:image/png;base64,")
          .append(base64.encodeToString(plot.toPng()))
          .append("\" width=\"")
          .append(plot.width())
          .append("\" height=\"")
          .append(plot.height())
          .append("\" alt=\"")
          .append(escape(figure.caption()))
          .append("\"/><figcaption>")
          .append(escape(figure.caption()))
          .append("</figcaption></figure>\n");
    }
  }

  private static void appendRoundTables(StringBuilder html, Map<String, List<RoundRecord>> runs) {
    if (runs.isEmpty()) {
      return;
    }
    html.append("<h2>Rounds</h2>\n");
    for (Map.Entry<String, List<RoundRecord>> run : runs.entrySet()) {
      List<RoundRecord> rounds = run.getValue();
      boolean epsilon = Figures.anyEpsilon(rounds);
      html.append("<details><summary>")
          .append(escape(run.getKey()))
          .append(" \u2014 ")
          .append(rounds.size())
          .append(rounds.size() == 1 ? " round" : " rounds")
          .append("</summary>\n<table>\n<thead><tr><th>round</th><th>sampled</th><th>reporting</th>")
          .append("<th>train loss</th><th>test loss</th><th>test accuracy</th>")
          .append("<th>bytes up</th><th>bytes down</th><th>seconds</th>")
          .append(epsilon ? "<th>\u03b5 spent</th>" : "")
          .append("</tr></thead>\n<tbody>\n");
      for (RoundRecord record : rounds) {
        html.append("<tr>");
        cell(html, Integer.toString(record.round()));
        cell(html, Integer.toString(record.sampledClients()));
        cell(html, Integer.toString(record.reportingClients()));
        cell(html, loss(record.trainLoss()));
        cell(html, loss(record.testLoss()));
        cell(html, percent(record.testAccuracy()));
        cell(html, bytes(record.bytesUp()));
        cell(html, bytes(record.bytesDown()));
        cell(
            html,
            Double.isNaN(record.seconds())
                ? "\u2014"
                : String.format(Locale.ROOT, "%.2f", record.seconds()));
        if (epsilon) {
          cell(html, epsilon(record.epsilon()));
        }
        html.append("</tr>\n");
      }
      html.append("</tbody>\n</table>\n</details>\n");
    }
  }

  private static void cell(StringBuilder html, String text) {
    html.append("<td>").append(escape(text)).append("</td>");
  }

  private static String percent(double fraction) {
    return Double.isNaN(fraction) ? "\u2014" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
  }

  private static String loss(double value) {
    if (Double.isNaN(value)) {
      return "\u2014";
    }
    return Double.isInfinite(value) ? Double.toString(value) : String.format(Locale.ROOT, "%.4f", value);
  }

  /** Four significant digits: early rounds spend little ε, long runs may spend tens. */
  static String epsilon(double value) {
    return Double.isNaN(value) ? "\u2014" : String.format(Locale.ROOT, "%.4g", value);
  }

  /** Binary units, because model sizes are powers of two of float32s. */
  static String bytes(long count) {
    if (count < 1024) {
      return count + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = count;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Escapes the five characters that are special in HTML text and attributes (and in XML). */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Collects the report's content. Not thread-safe; build once and share the immutable report.
   */
  public static final class Builder {
    private String title = "Simulation report";
    private String config = "";
    private final List<RoundRecord> records = new ArrayList<>();
    private double targetAccuracy = Double.NaN;
    private boolean standardFigures = true;
    private final List<Figure> extraFigures = new ArrayList<>();

    private Builder() {}

    /** The page title and heading. */
    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    /** The resolved configuration, shown verbatim (escaped); empty for none. */
    public Builder config(String yaml) {
      this.config = Objects.requireNonNull(yaml, "config");
      return this;
    }

    /** Adds rounds, of one run or several (grouped by {@link RoundRecord#run()}). */
    public Builder records(Collection<RoundRecord> rounds) {
      for (RoundRecord record : Objects.requireNonNull(rounds, "records")) {
        records.add(Objects.requireNonNull(record, "record"));
      }
      return this;
    }

    /**
     * Adds to the summary the first round at or above this accuracy and the time to reach it.
     *
     * @throws IllegalArgumentException unless {@code 0 <= accuracy <= 1}
     */
    public Builder targetAccuracy(double accuracy) {
      if (!(accuracy >= 0 && accuracy <= 1)) {
        throw new IllegalArgumentException("targetAccuracy must be in [0, 1], got " + accuracy);
      }
      this.targetAccuracy = accuracy;
      return this;
    }

    /** Whether to include the accuracy and loss figures of {@link Figures} (default true). */
    public Builder standardFigures(boolean include) {
      this.standardFigures = include;
      return this;
    }

    /** Adds a plot after the standard figures, with a caption. */
    public Builder plot(String caption, LinePlot plot) {
      extraFigures.add(
          new Figure(Objects.requireNonNull(caption, "caption"), Objects.requireNonNull(plot, "plot")));
      return this;
    }

    /** The report; it holds copies of everything given. */
    public HtmlReport build() {
      return new HtmlReport(this);
    }
  }
}
