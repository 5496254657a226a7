/**
 * What a simulation leaves behind for people: per-round metrics files, PNG plots, a self-contained
 * HTML report and a terminal progress line. Only the JDK is used (Java2D for drawing, in headless
 * mode), so reports can be made on any server.
 *
 * <p>Usage: while a run goes, append each round to a {@link
 * io.tributary.simulations.report.MetricsWriter} (files are flushed per round, so a crashed run
 * keeps what it finished) and feed a {@link io.tributary.simulations.report.ProgressBar}; when it
 * ends, or later for finished runs, read the rounds back and render:
 *
 * <pre>{@code
 * try (MetricsWriter metrics = MetricsWriter.create(runDirectory)) {
 *   ProgressBar progress = ProgressBar.builder(rounds).label(runName).build();
 *   for (...) {
 *     RoundRecord record = new RoundRecord(runName, round, sampled, reporting,
 *         trainLoss, testLoss, accuracy, bytesUp, bytesDown, seconds);
 *     metrics.append(record);
 *     progress.update(round, accuracy, trainLoss);
 *   }
 *   progress.finish();
 * }
 * List<RoundRecord> records = MetricsWriter.read(runDirectory);
 * Figures.accuracyPerRound(records).writePng(runDirectory.resolve("accuracy.png"));
 * Figures.lossPerRound(records).writePng(runDirectory.resolve("loss.png"));
 * HtmlReport.builder().title(runName).config(resolvedYaml).records(records)
 *     .targetAccuracy(0.97).build().write(runDirectory.resolve("report.html"));
 * }</pre>
 *
 * <p>A sweep writes several runs (distinct {@link io.tributary.simulations.report.RoundRecord#run()}
 * names) to one writer or concatenates their records; figures and reports overlay them. Metrics
 * files hold no timings (those go to {@code timings.csv}), so two runs with the same seed produce
 * byte-identical {@code metrics.csv} and {@code metrics.jsonl}.
 *
 * <p>A differentially private run gives each record the privacy ε spent so far ({@link
 * io.tributary.simulations.report.RoundRecord#withEpsilon}); it goes to the {@code epsilon} metrics
 * column, the progress line ({@code progress.update(round, accuracy, loss, epsilon)}), the summary
 * and round tables of the report and its "test accuracy vs ε" figure ({@link
 * io.tributary.simulations.report.Figures#accuracyPerEpsilon}). Runs without it have {@code NaN} and
 * show none of these. Where the JDK finds no fonts, plots
 * are drawn without text; on Debian install {@code fontconfig} and {@code fonts-dejavu-core}.
 */
package io.tributary.simulations.report;
