#!/usr/bin/env python3
"""Paired side-by-side timing of whole processes: runs each command in turn, round after round, and
reports per command the median wall time, user+sys CPU and peak RSS, and its ratio to a baseline
command measured in the same rounds (the ratio resists drift in machine speed).

  compare.py --runs 5 --base NAME --case NAME='COMMAND' [--case NAME='COMMAND' ...]

Commands run with stdin, stdout and stderr discarded; peak RSS comes from the kernel's rusage of the
reaped child. Output: one markdown table row per command.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import time


def run(argv):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--base", required=True)
    ap.add_argument("--case", action="append", required=True)
    a = ap.parse_args()
    cases = [(c.split("=", 1)[0], shlex.split(c.split("=", 1)[1])) for c in a.case]
    res = {n: [] for n, _ in cases}
    for r in range(a.warmup + a.runs):
        for n, argv in cases:
            m = run(argv)
            if r >= a.warmup:
                res[n].append(m)
    base = [m[0] for m in res[a.base]]
    for n, _ in cases:
        walls = [m[0] for m in res[n]]
        ratios = [w / b for w, b in zip(walls, base)]
        codes = sorted({m[3] for m in res[n]})
        print(f"| {n} | {statistics.median(walls):.3f} ({min(walls):.3f}–{max(walls):.3f}) | "
              f"{statistics.median(m[1] for m in res[n]):.3f} | {max(m[2] for m in res[n]):.0f} | "
              f"{statistics.median(ratios):.2f}× | {a.runs} | {','.join(map(str, codes))} |")


if __name__ == "__main__":
    main()
