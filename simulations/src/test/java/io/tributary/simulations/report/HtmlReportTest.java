package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class HtmlReportTest {
  private static final String DATA_PREFIX = "data:image/png;base64,";

  private static List<RoundRecord> run(String name, int rounds, double accuracyPerRound) {
    List<RoundRecord> records = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      records.add(
          new RoundRecord(
              name, round, 10, 10, 1.0 / round, 1.2 / round, Math.min(1, accuracyPerRound * round), 10, 20, 2));
    }
    return records;
  }

  private static Document parse(String html) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
  }

  private static List<Element> elements(Document document, String tag) {
    NodeList nodes = document.getElementsByTagName(tag);
    List<Element> elements = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      elements.add((Element) nodes.item(i));
    }
    return elements;
  }

  @Test
  void toHtml_twoRunsAndAnExtraPlot_wellFormedWithEmbeddedPngs() throws Exception {
    List<RoundRecord> records = new ArrayList<>(run("fedavg", 12, 0.08));
    records.addAll(run("fedprox", 12, 0.06));
    LinePlot extra =
        LinePlot.builder().size(320, 200).series("x", new double[] {1, 2}, new double[] {1, 2}).build();

    String html =
        HtmlReport.builder().title("Sweep").records(records).plot("Extra", extra).build().toHtml();
    Document document = parse(html);

    List<Element> images = elements(document, "img");
    assertEquals(3, images.size(), "accuracy, loss and the extra plot");
    for (Element image : images) {
      String source = image.getAttribute("src");
      assertTrue(source.startsWith(DATA_PREFIX), source.substring(0, Math.min(40, source.length())));
      byte[] png = Base64.getDecoder().decode(source.substring(DATA_PREFIX.length()));
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
      assertNotNull(decoded, "not a PNG");
      assertEquals(Integer.parseInt(image.getAttribute("width")), decoded.getWidth());
    }
    assertEquals(320, Integer.parseInt(images.get(2).getAttribute("width")));
  }

  private static List<String> captions(Document document) {
    return elements(document, "figcaption").stream().map(Element::getTextContent).toList();
  }

  @Test
  void toHtml_dpRun_epsilonSummaryColumnRoundColumnAndFigure() throws Exception {
    List<RoundRecord> records = new ArrayList<>(run("plain", 5, 0.1));
    run("private", 5, 0.1).forEach(r -> records.add(r.withEpsilon(0.25 * r.round())));

    Document document = parse(HtmlReport.builder().records(records).build().toHtml());

    List<String> captions = captions(document);
    assertEquals(3, captions.size(), captions.toString());
    assertTrue(captions.get(2).startsWith("Test accuracy vs \u03b5"), captions.get(2));
    Element summary = elements(document, "table").get(0);
    NodeList headers = summary.getElementsByTagName("th");
    String lastHeader = headers.item(headers.getLength() - 1).getTextContent();
    assertTrue(lastHeader.startsWith("\u03b5 spent"), lastHeader);
    NodeList rows = ((Element) summary.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr");
    assertEquals("\u2014", lastCell((Element) rows.item(0)), "no ε for the run without DP");
    assertEquals("1.250", lastCell((Element) rows.item(1)), "the final ε of the DP run");
    // Per-round tables: the ε column only for the DP run.
    List<Element> details = elements(document, "details");
    assertFalse(details.get(0).getTextContent().contains("\u03b5"));
    assertEquals("0.7500", lastCell((Element) details.get(1).getElementsByTagName("tr").item(3)));
  }

  @Test
  void toHtml_noDpRun_noEpsilonAnywhere() throws Exception {
    String html = HtmlReport.builder().records(run("plain", 5, 0.1)).build().toHtml();
    assertEquals(2, captions(parse(html)).size());
    assertFalse(html.contains("\u03b5"), "no ε column or figure");
  }

  private static String lastCell(Element row) {
    NodeList cells = row.getElementsByTagName("td");
    return cells.item(cells.getLength() - 1).getTextContent();
  }

  @Test
  void toHtml_configWithScriptTag_escaped() throws Exception {
    String config = "name: x\nnote: \"</pre><script>alert('x')</script>\" & more\n";

    String html = HtmlReport.builder().config(config).records(run("a", 2, 0.1)).build().toHtml();

    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), "no live script tag");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    Element pre = elements(parse(html), "pre").get(0);
    assertEquals(config, pre.getTextContent(), "the config reads back verbatim");
  }

  @Test
  void toHtml_runNames_inSummaryAndRoundTablesEscaped() throws Exception {
    List<RoundRecord> records = new ArrayList<>(run("plain-run", 3, 0.1));
    records.addAll(run("lr<0.1 & mu>0", 4, 0.1));

    Document document = parse(HtmlReport.builder().records(records).build().toHtml());

    List<String> firstCells = new ArrayList<>();
    for (Element cell : elements(document, "td")) {
      if ("name".equals(cell.getAttribute("class"))) {
        firstCells.add(cell.getTextContent());
      }
    }
    assertEquals(List.of("plain-run", "lr<0.1 & mu>0"), firstCells);
    List<Element> details = elements(document, "details");
    assertEquals(2, details.size());
    assertTrue(details.get(1).getTextContent().startsWith("lr<0.1 & mu>0"));
    // One header row plus one row per round.
    assertEquals(1 + 4, details.get(1).getElementsByTagName("tr").getLength());
  }

  @Test
  void toHtml_targetAccuracy_summaryShowsFirstRoundReachingIt() throws Exception {
    String html =
        HtmlReport.builder().records(run("a", 20, 0.1)).targetAccuracy(0.75).build().toHtml();
    Document document = parse(html);

    Element summary = elements(document, "table").get(0);
    NodeList headers = summary.getElementsByTagName("th");
    int column = -1;
    for (int i = 0; i < headers.getLength(); i++) {
      if (headers.item(i).getTextContent().startsWith("first round")) {
        column = i;
      }
    }
    assertTrue(column > 0, "target column present");
    Element body = (Element) summary.getElementsByTagName("tbody").item(0);
    Element row = (Element) body.getElementsByTagName("tr").item(0);
    // 0.1 per round first reaches 0.75 at round 8 (0.1 * 7 = 0.7000000000000001 < 0.75).
    assertEquals("8", row.getElementsByTagName("td").item(column).getTextContent());
  }

  @Test
  void toHtml_noRecords_saysSoWithoutImages() throws Exception {
    String html = HtmlReport.builder().title("Empty").build().toHtml();
    Document document = parse(html);
    assertTrue(html.contains("No rounds were recorded."));
    assertEquals(0, elements(document, "img").size());
    assertEquals("Empty", elements(document, "title").get(0).getTextContent());
  }

  @Test
  void toHtml_anyReport_noExternalResources() {
    String html = HtmlReport.builder().records(run("a", 3, 0.2)).build().toHtml();
    String lower = html.toLowerCase(Locale.ROOT);
    assertFalse(lower.contains("http:") || lower.contains("https:"));
    assertFalse(lower.contains("<link") || lower.contains("<script") || lower.contains("@import"));
    assertFalse(lower.contains("src=\"") && lower.replace("src=\"data:", "").contains("src=\""));
  }

  @Test
  void write_createsUtf8FileWithTheSameContent(@TempDir Path directory) throws IOException {
    HtmlReport report = HtmlReport.builder().title("Runs \u2014 \u03bc").standardFigures(false).build();
    Path file = directory.resolve("out/report.html");

    report.write(file);

    assertEquals(report.toHtml(), Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void bytes_binaryUnits() {
    assertEquals("512 B", HtmlReport.bytes(512));
    assertEquals("1.5 KiB", HtmlReport.bytes(1536));
    assertEquals("3.0 MiB", HtmlReport.bytes(3L << 20));
    assertEquals("8.0 EiB", HtmlReport.bytes(Long.MAX_VALUE));
  }

  @Test
  void builder_invalidValues_throw() {
    HtmlReport.Builder builder = HtmlReport.builder();
    assertThrows(IllegalArgumentException.class, () -> builder.targetAccuracy(1.5));
    assertThrows(IllegalArgumentException.class, () -> builder.targetAccuracy(Double.NaN));
    assertThrows(NullPointerException.class, () -> builder.config(null));
    assertThrows(NullPointerException.class, () -> builder.plot("x", null));
  }
}
