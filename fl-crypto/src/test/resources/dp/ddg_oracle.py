#!/usr/bin/env python3
"""Brute-force oracle for the distributed discrete Gaussian (DDG) accounting.

Writes two CSV files next to this script, read by DistributedDiscreteGaussianTest:

* ddg_renyi_oracle.csv: sigma, n, shift, alpha, renyi -- the exact Renyi divergence
  D_alpha(Z + shift || Z) of order alpha, where Z = X_1 + ... + X_n is a sum of n independent
  discrete Gaussians N_Z(0, sigma^2) (pmf proportional to exp(-x^2 / (2 sigma^2)) on the integers),
  in dimension d = 1. It is computed by convolving the pmfs exactly (mpmath, 60 digits) on a
  support wide enough that the neglected mass is below 1e-300, then summing
  D_alpha(P || Q) = 1/(alpha - 1) * log sum_z P(z)^alpha Q(z)^(1 - alpha) with P(z) = Q(z - shift).
  The Java test checks that Kairouz, Liu & Steinke's bound (Proposition 14 of arXiv:2102.06387) is
  never below these numbers.

* ddg_tau_oracle.csv: sigma, n, tau -- tau = 10 * sum_{k=1}^{n-1} exp(-2 pi^2 sigma^2 k / (k + 1)),
  evaluated with mpmath at 50 digits.

Run: python3 ddg_oracle.py   (needs mpmath; takes about a minute)
"""
import csv
import os

import mpmath as mp

mp.mp.dps = 60

SIGMAS = ["0.5", "0.75", "1", "1.5", "2"]
NS = [1, 2, 3]
SHIFTS = [1, 2, 3]
ALPHAS = ["1.5", "2", "3", "5", "8", "16", "32"]
SUPPORT = 220  # each summand on [-SUPPORT, SUPPORT]; exp(-220^2 / 8) is far below 1e-300


def dgauss_pmf(sigma):
    weights = [mp.e ** (-(mp.mpf(x) ** 2) / (2 * sigma ** 2)) for x in range(-SUPPORT, SUPPORT + 1)]
    total = mp.fsum(weights)
    return [w / total for w in weights]  # index i is the value i - SUPPORT


def convolve(a, b):
    out = [mp.mpf(0)] * (len(a) + len(b) - 1)
    for i, ai in enumerate(a):
        if ai == 0:
            continue
        for j, bj in enumerate(b):
            out[i + j] += ai * bj
    return out


def renyi(pmf, offset, shift, alpha):
    """D_alpha(Z + shift || Z) for the pmf of Z, whose index i is the value i - offset."""
    terms = []
    for i in range(len(pmf)):
        q = pmf[i]
        j = i - shift  # P(z) = Q(z - shift)
        if j < 0:
            continue
        p = pmf[j]
        if p == 0 or q == 0:
            continue
        terms.append(p ** alpha * q ** (1 - alpha))
    return mp.log(mp.fsum(terms)) / (alpha - 1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "ddg_renyi_oracle.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sigma", "n", "shift", "alpha", "renyi"])
        for s in SIGMAS:
            sigma = mp.mpf(s)
            single = dgauss_pmf(sigma)
            pmf, offset = single, SUPPORT
            for n in range(1, max(NS) + 1):
                if n > 1:
                    pmf, offset = convolve(pmf, single), offset + SUPPORT
                if n not in NS:
                    continue
                for shift in SHIFTS:
                    for a in ALPHAS:
                        d = renyi(pmf, offset, shift, mp.mpf(a))
                        w.writerow([s, n, shift, a, mp.nstr(d, 17)])
    with open(os.path.join(here, "ddg_tau_oracle.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sigma", "n", "tau"])
        mp.mp.dps = 50
        for s, n in [("0.5", 2), ("0.5", 10), ("0.75", 3), ("1", 2), ("1", 100), ("1.5", 50),
                     ("2", 1000), ("0.6", 1000)]:
            sigma = mp.mpf(s)
            tau = 10 * mp.fsum(mp.e ** (-2 * mp.pi ** 2 * sigma ** 2 * mp.mpf(k) / (k + 1))
                               for k in range(1, n))
            w.writerow([s, n, mp.nstr(tau, 20)])


if __name__ == "__main__":
    main()
