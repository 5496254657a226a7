#!/usr/bin/env python3
"""Projects the round at which a run's best-so-far test accuracy reaches a target.

Reads a `fl simulate` run directory's metrics.csv, takes the best-so-far accuracy curve of one run,
fits a power law  error(r) = a * r^-b  (error = 1 - best accuracy) by least squares in log-log space
over the second half of the rounds run, and solves error(r) = 1 - target. A power law is the usual
shape of SGD's error late in training; fitting only the second half keeps the fast early rounds out.

usage: project_rounds.py RUN_DIR [--run NAME] [--target 0.99]
"""
import argparse
import csv
import math
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir")
    p.add_argument("--run", help="run name (default: the first in the file)")
    p.add_argument("--target", type=float, default=0.99)
    args = p.parse_args()
    rows = list(csv.DictReader(open(f"{args.run_dir}/metrics.csv", newline="")))
    name = args.run or rows[0]["run"]
    best, curve = 0.0, []
    for r in rows:
        if r["run"] != name or r["test_accuracy"] == "":
            continue
        best = max(best, float(r["test_accuracy"]))
        curve.append((int(r["round"]), best))
    if not curve:
        sys.exit(f"no evaluated rounds for run {name}")
    last_round, last_best = curve[-1]
    reached = next((rd for rd, b in curve if b >= args.target), None)
    if reached is not None:
        print(f"{name}: reached {args.target:.2%} at round {reached}")
        return
    half = [(rd, b) for rd, b in curve if rd > last_round / 2 and b < 1]
    xs = [math.log(rd) for rd, _ in half]
    ys = [math.log(1 - b) for _, b in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    intercept = my - slope * mx
    if slope >= 0:
        print(f"{name}: best {last_best:.2%} after {last_round} rounds; no progress over the second half, "
              "no projection")
        return
    projected = math.exp((math.log(1 - args.target) - intercept) / slope)
    print(f"{name}: best {last_best:.2%} after {last_round} rounds; error ~ r^{slope:.2f} over rounds "
          f"{half[0][0]}-{last_round}; projected to reach {args.target:.2%} at round {projected:.0f}")


if __name__ == "__main__":
    main()
