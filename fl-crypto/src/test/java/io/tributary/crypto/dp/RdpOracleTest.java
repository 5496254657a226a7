package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.dp.RdpAccountant.Conversion;
import io.tributary.crypto.dp.RdpAccountant.Epsilon;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Agreement with {@code dp/rdp_oracle.csv}, written by {@code dp/rdp_oracle.py}: the RDP integral
 * evaluated by mpmath quadrature at 32 digits (no series), and ε from it under both conversions.
 */
class RdpOracleTest {

  private static List<String[]> rows(String kind) throws IOException {
    InputStream in = RdpOracleTest.class.getResourceAsStream("/dp/rdp_oracle.csv");
    assertNotNull(in, "dp/rdp_oracle.csv is missing from the test resources");
    List<String[]> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(kind + ",")) {
          out.add(line.split(",", -1));
        }
      }
    }
    return out;
  }

  @Test
  void rdpMatchesQuadratureOracle() throws IOException {
    List<String[]> rows = rows("rdp");
    assertTrue(rows.size() >= 40, "only " + rows.size() + " oracle RDP rows");
    double worst = 0;
    boolean fractional = false;
    for (String[] row : rows) {
      double q = Double.parseDouble(row[1]);
      double z = Double.parseDouble(row[2]);
      double a = Double.parseDouble(row[3]);
      double expected = Double.parseDouble(row[5]);
      double actual = SubsampledGaussianRdp.rdp(q, z, a);
      double rel = Math.abs(actual - expected) / expected;
      worst = Math.max(worst, rel);
      fractional |= a != Math.rint(a);
      assertEquals(expected, actual, 1e-6 * expected, "q=" + q + " z=" + z + " alpha=" + a);
    }
    assertTrue(fractional);
    System.out.println("RDP vs quadrature oracle: " + rows.size() + " points, max relative error "
        + worst);
  }

  @Test
  void epsilonMatchesOracleUnderBothConversions() throws IOException {
    List<String[]> rows = rows("eps");
    assertTrue(rows.size() >= 5);
    double worst = 0;
    for (String[] row : rows) {
      double q = Double.parseDouble(row[1]);
      double z = Double.parseDouble(row[2]);
      long steps = Long.parseLong(row[3]);
      double delta = Double.parseDouble(row[4]);
      double[] orders = Arrays.stream(row[9].trim().split(" ")).mapToDouble(Double::parseDouble)
          .toArray();
      RdpAccountant acc = new RdpAccountant(orders);
      acc.compose(q, z, steps);
      String where = "q=" + q + " z=" + z + " steps=" + steps + " delta=" + delta;
      for (Conversion c : Conversion.values()) {
        double expected = Double.parseDouble(row[c == Conversion.CLASSIC ? 5 : 6]);
        double expectedOrder = Double.parseDouble(row[c == Conversion.CLASSIC ? 7 : 8]);
        Epsilon e = acc.epsilon(delta, c);
        worst = Math.max(worst, Math.abs(e.epsilon() - expected) / expected);
        // the issue asks for 0.5%; the agreement is much closer than that
        assertEquals(expected, e.epsilon(), 1e-6 * expected, where + " " + c);
        assertEquals(expectedOrder, e.order(), where + " " + c + " optimal order");
      }
    }
    System.out.println("epsilon vs oracle: " + rows.size() + " settings x 2 conversions, max "
        + "relative error " + worst);
  }
}
