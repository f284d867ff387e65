#!/usr/bin/env python3
"""Times replay and rebuild of every workload in fresh processes, as a user's program runs.

Criterion's in-process loop keeps the allocator warm; a standalone program that rebuilds its
graph each time can pay page faults and glibc's trimming of freed memory instead. This runs
the callgrind driver (`benches/callgrind.rs`, which prints ns/run) once per workload, variant
and repetition, each in a new process with the default environment, and prints the median
ns/run and rebuild/replay. Build the driver first:

    cargo bench -p tygrad-benches --bench callgrind --no-run
    python3 benches/fresh_process.py [repetitions]
"""
import glob
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RUNS = {"W1": 200000, "W2-16": 100000, "W2-4096": 500, "W3-2": 200000, "W3-1024": 5000,
        "W4": 2000, "W5": 100}


def driver():
    found = [p for p in glob.glob(os.path.join(ROOT, "target", "release", "deps", "callgrind-*"))
             if os.access(p, os.X_OK) and not p.endswith(".d")]
    if not found:
        sys.exit("build the driver first: cargo bench -p tygrad-benches --bench callgrind --no-run")
    return max(found, key=os.path.getmtime)


def ns_per_run(exe, workload, variant, runs):
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    out = subprocess.run([exe, workload, variant, str(runs)], capture_output=True, text=True,
                         env=env, check=True).stdout
    return float(re.search(r"([0-9.]+) ns/run", out).group(1))


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    exe = driver()
    print("| workload | replay (fresh process) | rebuild (fresh process) | rebuild/replay |")
    print("|---|---|---|---|")
    for workload, runs in RUNS.items():
        t = {v: statistics.median(ns_per_run(exe, workload, v, runs) for _ in range(reps))
             for v in ("replay", "rebuild")}
        print(f"| {workload} | {fmt(t['replay'])} | {fmt(t['rebuild'])} |"
              f" {t['rebuild'] / t['replay']:.2f} |")


if __name__ == "__main__":
    main()
