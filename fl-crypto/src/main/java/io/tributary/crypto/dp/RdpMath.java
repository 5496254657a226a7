package io.tributary.crypto.dp;

/**
 * Numerical helpers for the Rényi-DP accountants: log erfc, signed log-sum-exp, log |binomial|.
 *
 * <p>Everything works on logarithms so that moments as large as e^(10^6) or as small as e^(-10^6)
 * neither overflow nor underflow.
 */
final class RdpMath {

  private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
  private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

  private RdpMath() {}

  /**
   * log(erfc(x)) for every real x, erfc accurate to about 1e-15 relative, including far in the
   * upper tail where erfc(x) underflows a double (x ≳ 27): there it is about -x².
   *
   * <ul>
   *   <li>|x| &lt; 1.5: erf(|x|) = (2/√π) e^(-x²) Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), a series of
   *       positive terms (Abramowitz &amp; Stegun 7.1.6); erfc = 1 ∓ erf.
   *   <li>x ≥ 1.5: the continued fraction (A&amp;S 7.1.14)
   *       erfc(x) = (e^(-x²)/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
   *       evaluated by the modified Lentz method, which needs fewer than 100 steps at x = 1.5 and
   *       about 10 at x = 10.
   *   <li>x ≤ -1.5: erfc(x) = 2 - erfc(-x).
   * </ul>
   */
  static double logErfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return Math.log(2.0);
    }
    double ax = Math.abs(x);
    if (ax < 1.5) {
      double erf = erfSeries(ax);
      return x >= 0 ? Math.log1p(-erf) : Math.log1p(erf);
    }
    double logErfcAbs = logErfcContinuedFraction(ax);
    if (x > 0) {
      return logErfcAbs;
    }
    return Math.log(2.0) + Math.log1p(-0.5 * Math.exp(logErfcAbs));
  }

  /** log Φ̄(t) = log P[N(0,1) &gt; t] = log(erfc(t/√2)/2). */
  static double logNormalTail(double t) {
    return logErfc(t / Math.sqrt(2.0)) - Math.log(2.0);
  }

  private static double erfSeries(double x) {
    double x2 = x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
      term *= 2.0 * x2 / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) {
        break;
      }
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }

  /** log erfc(x) for x ≥ 1.5 from the continued fraction (modified Lentz). */
  private static double logErfcContinuedFraction(double x) {
    final double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0.0;
    for (int n = 1; n < 10_000; n++) {
      double a = 0.5 * n;
      d = x + a * d;
      d = d == 0 ? 1 / tiny : 1 / d;
      c = x + a / c;
      if (c == 0) {
        c = tiny;
      }
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    // erfc(x) = e^(-x²) / (√π · f)
    return -x * x - LOG_SQRT_PI - Math.log(f);
  }

  /** log(e^c - 1) for c &gt; 0, without overflow for large c or cancellation for small c. */
  static double logExpm1(double c) {
    if (c > 30) {
      return c + Math.log1p(-Math.exp(-c));
    }
    return Math.log(Math.expm1(c));
  }

  /** log(1 + e^x), without overflow. */
  static double log1pExp(double x) {
    if (x > 35) {
      return x + Math.log1p(Math.exp(-x));
    }
    return Math.log1p(Math.exp(x));
  }

  /**
   * A sum of signed terms held as sign · e^(scale) · sum, updated online so that terms whose
   * logarithms range over thousands never overflow.
   */
  static final class SignedLogSum {
    private double scale = Double.NEGATIVE_INFINITY;
    private double sum = 0.0;

    /** Adds sign · e^logMagnitude (sign ±1). */
    void add(double logMagnitude, int sign) {
      if (logMagnitude == Double.NEGATIVE_INFINITY) {
        return;
      }
      if (Double.isNaN(logMagnitude)) {
        throw new ArithmeticException("NaN term in a log-space sum");
      }
      if (logMagnitude > scale) {
        sum = sum * Math.exp(scale - logMagnitude) + sign;
        scale = logMagnitude;
      } else {
        sum += sign * Math.exp(logMagnitude - scale);
      }
    }

    /** log |total|, -∞ when the total is zero. */
    double logAbs() {
      if (sum == 0.0) {
        return Double.NEGATIVE_INFINITY;
      }
      return scale + Math.log(Math.abs(sum));
    }

    int signum() {
      return (int) Math.signum(sum);
    }
  }
}
