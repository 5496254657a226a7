#!/usr/bin/env python3
"""Independent oracle for RdpAccountant / SubsampledGaussianRdp (fl-crypto, io.tributary.crypto.dp).

It computes the Renyi DP of the Poisson-subsampled Gaussian mechanism straight from its definition
(Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian Mechanism", Sec. 3):

    A_alpha = E_{x ~ mu0} [ (mu(x) / mu0(x))^alpha ],   mu0 = N(0, s^2),  mu1 = N(1, s^2),
    mu = (1 - q) mu0 + q mu1,                           RDP(alpha) = log(A_alpha) / (alpha - 1),

by high-precision numerical integration (mpmath tanh-sinh quadrature) of

    A_alpha - 1 = integral mu0(x) * expm1(alpha * log1p(q * (exp((2x - 1) / (2 s^2)) - 1))) dx,

so that nothing here shares the series expansions used in the Java code.  Integer orders are
cross-checked against the finite binomial sum (also evaluated with mpmath), which checks the
quadrature itself.  The (epsilon, delta) rows use the two conversions

    classic:  eps = min_a  T*rdp(a) + log(1/delta) / (a - 1)                  (Mironov 2017, Prop. 3)
    improved: eps = min_a  T*rdp(a) + log((a-1)/a) - (log delta + log a)/(a - 1)
              (Canonne, Kamath, Steinke 2020, Prop. 12; Balle et al. 2020, Thm. 21)

over the order list written in the row.

Usage:  python3 rdp_oracle.py > rdp_oracle.csv        (takes a few minutes)
"""
import math
import sys

import mpmath as mp

mp.mp.dps = 32


def a_minus_1_quad(q, s, alpha):
    q = mp.mpf(q)
    s = mp.mpf(s)
    alpha = mp.mpf(alpha)

    def f(x):
        log_mu0 = -x * x / (2 * s * s) - mp.log(s * mp.sqrt(2 * mp.pi))
        r = mp.exp((2 * x - 1) / (2 * s * s))
        return mp.exp(log_mu0) * mp.expm1(alpha * mp.log1p(q * (r - 1)))

    lo = -14 * s
    hi = max(alpha, mp.mpf(1)) + 14 * s
    n = int(min(60, max(8, mp.ceil((hi - lo) / (1.5 * s)))))
    pts = [-mp.inf] + [lo + (hi - lo) * k / n for k in range(n + 1)] + [mp.inf]
    val, err = mp.quad(f, pts, error=True, maxdegree=10)
    return val, err


def a_minus_1_binomial(q, s, alpha):
    """Exact finite sum for integer alpha: A = sum_k C(a,k) (1-q)^(a-k) q^k exp((k^2-k)/(2 s^2))."""
    q = mp.mpf(q)
    s = mp.mpf(s)
    total = mp.mpf(0)
    for k in range(0, alpha + 1):
        total += mp.binomial(alpha, k) * (1 - q) ** (alpha - k) * q ** k * mp.exp(
            mp.mpf(k * k - k) / (2 * s * s))
    return total - 1


def rdp(q, s, alpha):
    if q == 0:
        return mp.mpf(0)
    if q == 1:
        return mp.mpf(alpha) / (2 * mp.mpf(s) ** 2)
    if float(alpha).is_integer():
        exact = a_minus_1_binomial(q, s, int(alpha))
        return mp.log1p(exact) / (alpha - 1)
    am1, err = a_minus_1_quad(q, s, alpha)
    if abs(err) > abs(am1) * mp.mpf(10) ** -15:
        sys.stderr.write("warning: quadrature error %s for q=%s s=%s a=%s\n" % (err, q, s, alpha))
    return mp.log1p(am1) / (mp.mpf(alpha) - 1)


def check_quadrature_against_binomial(q, s, alpha):
    am1, _ = a_minus_1_quad(q, s, alpha)
    exact = a_minus_1_binomial(q, s, alpha)
    rel = abs(am1 - exact) / abs(exact)
    if rel > mp.mpf(10) ** -15:
        raise SystemExit("quadrature disagrees with binomial sum at q=%s s=%s a=%s: rel %s"
                         % (q, s, alpha, rel))
    return rel


def eps(q, s, steps, delta, orders, improved):
    best = (mp.inf, None)
    for a in orders:
        r = steps * rdp(q, s, a)
        a = mp.mpf(a)
        if improved:
            e = r + mp.log((a - 1) / a) - (mp.log(delta) + mp.log(a)) / (a - 1)
        else:
            e = r + mp.log(1 / mp.mpf(delta)) / (a - 1)
        if e < best[0]:
            best = (e, a)
    return max(best[0], mp.mpf(0)), best[1]


RDP_POINTS = [
    # (q, noise multiplier, alpha)
    (0.01, 4.0, 1.1), (0.01, 4.0, 1.5), (0.01, 4.0, 2.5), (0.01, 4.0, 7.3), (0.01, 4.0, 12.5),
    (0.01, 4.0, 32.0), (0.01, 4.0, 20.7), (0.01, 4.0, 64.0),
    (0.01, 1.0, 1.25), (0.01, 1.0, 3.5), (0.01, 1.0, 6.6), (0.01, 1.0, 16.0), (0.01, 1.0, 24.5),
    (0.001, 1.1, 2.2), (0.001, 1.1, 9.9), (0.001, 0.7, 4.4), (0.001, 0.7, 17.0),
    (1e-6, 1.0, 1.5), (1e-6, 1.0, 8.0), (1e-6, 100.0, 3.3), (1e-6, 100.0, 2.0), (1e-6, 0.3, 2.5),
    (0.1, 1.0, 1.75), (0.1, 1.0, 5.5), (0.1, 2.0, 10.1), (0.1, 2.0, 40.0), (0.1, 10.0, 128.0),
    (0.1, 10.0, 77.7), (0.1, 0.3, 3.5),
    (0.5, 1.0, 1.5), (0.5, 1.0, 2.0), (0.5, 1.0, 3.7), (0.5, 0.5, 2.5), (0.5, 5.0, 30.3),
    (0.9, 1.0, 2.5), (0.9, 2.0, 6.0), (0.9, 0.3, 1.3),
    (0.05, 0.8, 11.3), (0.02, 1.5, 256.0), (0.02, 3.0, 1024.0), (0.003, 30.0, 512.0),
    (0.01, 0.3, 1.05), (0.25, 100.0, 1.9),
    # q near 1/2 with large z: z0/z is small and the fractional-order series converge slowly
    (0.5, 10.0, 1.05), (0.5, 100.0, 2.7), (0.5, 10.0, 5.5), (0.4, 30.0, 1.3), (0.6, 3.0, 1.15),
    (0.3, 2.0, 1.1),
]

SMALL_ORDERS = [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.3, 3.6, 4, 4.5, 5, 5.5,
                6, 6.5, 7, 7.5, 8, 9, 10, 11, 12, 14, 16, 20, 24, 32, 48, 64, 128, 256]

EPS_POINTS = [
    # (q, noise multiplier, steps, delta)
    (0.01, 4.0, 10000, 1e-5),
    (0.01, 1.1, 1000, 1e-5),
    (0.001, 1.0, 100000, 1e-6),
    (0.1, 1.0, 100, 1e-5),
    (0.05, 2.0, 500, 1e-5),
    (0.004, 0.8, 5000, 1e-5),
]


def main():
    out = sys.stdout
    out.write("# generated by rdp_oracle.py (mpmath %s, dps %d); do not edit by hand\n"
              % (mp.__version__, mp.mp.dps))
    for (q, s, a) in [(0.01, 4.0, 8), (0.1, 1.0, 5), (1e-6, 100.0, 3), (0.5, 0.5, 4), (0.02, 1.5, 40)]:
        rel = check_quadrature_against_binomial(q, s, a)
        out.write("# quadrature self-check q=%g z=%g alpha=%d: rel err %s\n" % (q, s, a, mp.nstr(rel, 3)))
    out.write("kind,q,z,alpha_or_steps,delta,classic_or_rdp,improved,classic_order,improved_order,orders\n")
    for (q, s, a) in RDP_POINTS:
        v = rdp(q, s, a)
        out.write("rdp,%r,%r,%r,,%s,,,,\n" % (q, s, a, mp.nstr(v, 17)))
        out.flush()
    orders_field = " ".join(repr(float(o)) for o in SMALL_ORDERS)
    for (q, s, steps, delta) in EPS_POINTS:
        c, ca = eps(q, s, steps, delta, SMALL_ORDERS, False)
        i, ia = eps(q, s, steps, delta, SMALL_ORDERS, True)
        out.write("eps,%r,%r,%d,%r,%s,%s,%s,%s,%s\n" % (
            q, s, steps, delta, mp.nstr(c, 17), mp.nstr(i, 17), mp.nstr(ca, 6), mp.nstr(ia, 6),
            orders_field))
        out.flush()


if __name__ == "__main__":
    main()
